package js

import (
	"strings"

	"github.com/cio-transformer/cio-transformer/internal/jsvalue"
)

// ToLowerCase lowercases s as String.prototype.toLowerCase does for the strings
// that can matter here: ASCII fast, and U+0130 (İ) to "i̇", which Go's
// ToLower maps to a bare "i".
func ToLowerCase(s string) string {
	upper := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x80 {
			return toLowerCaseUnicode(s)
		}
		upper = upper || ('A' <= c && c <= 'Z')
	}
	if upper {
		return strings.ToLower(s)
	}
	return s
}

// toLowerCaseUnicode lowercases non-ASCII s. Lone surrogates stay as they are,
// as toLowerCase leaves them; Go's ToLower would turn each of their bytes
// into U+FFFD.
func toLowerCaseUnicode(s string) string {
	if !jsvalue.HasLoneSurrogate(s) {
		return strings.ToLower(strings.ReplaceAll(s, "\u0130", "i\u0307"))
	}
	var b strings.Builder
	b.Grow(len(s))
	start := 0
	for i := 0; i < len(s); {
		r, size := jsvalue.DecodeRune(s[i:])
		if jsvalue.IsSurrogate(r) {
			b.WriteString(toLowerCaseUnicode(s[start:i]))
			b.WriteString(s[i : i+size])
			start = i + size
		}
		i += size
	}
	b.WriteString(toLowerCaseUnicode(s[start:]))
	return b.String()
}
