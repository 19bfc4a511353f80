package js

import "strings"

// String.prototype.replace with a string pattern and a string replacement
// replaces the pattern's first occurrence with the replacement, in which
// four patterns stand for something else (GetSubstitution, ECMA-262
// 22.1.3.19.1): $$ for $, $& for the match, $` for the text before the
// match and $' for the text after it. A string pattern has no captures, so
// $1 or $<name> is written as it is, as is any other $.

// HasSubstitution reports whether replacement holds a $ that
// String.prototype.replace reads as a pattern: without one, the
// replacement goes in as it is.
func HasSubstitution(replacement string) bool {
	for i := strings.IndexByte(replacement, '$'); i >= 0 && i+1 < len(replacement); {
		switch replacement[i+1] {
		case '$', '&', '`', '\'':
			return true
		}
		j := strings.IndexByte(replacement[i+1:], '$')
		if j < 0 {
			return false
		}
		i += 1 + j
	}
	return false
}

// SubstitutionLen returns the length of what AppendSubstitution appends,
// without building it: the same walk, adding up lengths.
func SubstitutionLen(replacement string, matched, before, after int) int {
	n := 0
	for i := 0; i < len(replacement); {
		if replacement[i] == '$' && i+1 < len(replacement) {
			switch replacement[i+1] {
			case '$':
				n++
				i += 2
				continue
			case '&':
				n += matched
				i += 2
				continue
			case '`':
				n += before
				i += 2
				continue
			case '\'':
				n += after
				i += 2
				continue
			}
		}
		n++
		i++
	}
	return n
}

// AppendSubstitution appends replacement as String.prototype.replace
// writes it in place of matched, which before precedes and after follows
// in the string replaced.
func AppendSubstitution(dst []byte, replacement, matched, before, after string) []byte {
	for i := 0; i < len(replacement); {
		j := strings.IndexByte(replacement[i:], '$')
		if j < 0 {
			return append(dst, replacement[i:]...)
		}
		dst = append(dst, replacement[i:i+j]...)
		i += j
		if i+1 < len(replacement) {
			switch replacement[i+1] {
			case '$':
				dst = append(dst, '$')
				i += 2
				continue
			case '&':
				dst = append(dst, matched...)
				i += 2
				continue
			case '`':
				dst = append(dst, before...)
				i += 2
				continue
			case '\'':
				dst = append(dst, after...)
				i += 2
				continue
			}
		}
		dst = append(dst, '$')
		i++
	}
	return dst
}
