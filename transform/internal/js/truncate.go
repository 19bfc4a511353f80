package js

import (
	"unicode/utf8"
)

// TruncateUTF8Bytes returns the longest prefix of s whose UTF-8 form is at most n
// bytes and that does not split a code point, as the npm package
// truncate-utf8-bytes does (upstream truncates anonymous event names with
// it).
func TruncateUTF8Bytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	if n <= 0 {
		return ""
	}
	// s[n] starts the first code point that does not fit, unless it is a
	// continuation byte of a code point that straddles the limit.
	i := n
	for i > 0 && i > n-(utf8.UTFMax-1) && !utf8.RuneStart(s[i]) {
		i--
	}
	if !utf8.RuneStart(s[i]) {
		// Not UTF-8 here; cut where asked.
		return s[:n]
	}
	return s[:i]
}
