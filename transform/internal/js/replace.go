package js

import (
	"iter"
	"strings"
)

// String.prototype.replace with a string pattern and a string replacement
// replaces the pattern's first occurrence with the replacement, in which
// four patterns stand for something else (GetSubstitution, ECMA-262
// 22.1.3.19.1): $$ for $, $& for the match, $` for the text before the
// match and $' for the text after it. A string pattern has no captures, so
// $1 or $<name> is written as it is, as is any other $.

// substitutionParts splits a replacement into the text written as it is
// and the pattern after it, as the byte that follows its $ (one of $ & `
// and the single quote), and 0 after the last text.
func substitutionParts(replacement string) iter.Seq2[string, byte] {
	return func(yield func(string, byte) bool) {
		start := 0
		for i := 0; i+1 < len(replacement); {
			j := strings.IndexByte(replacement[i:], '$')
			if j < 0 || i+j+1 >= len(replacement) {
				break
			}
			i += j
			switch p := replacement[i+1]; p {
			case '$', '&', '`', '\'':
				if !yield(replacement[start:i], p) {
					return
				}
				i += 2
				start = i
			default:
				i++
			}
		}
		yield(replacement[start:], 0)
	}
}

// HasSubstitution reports whether replacement holds a $ that
// String.prototype.replace reads as a pattern: without one, the
// replacement goes in as it is.
func HasSubstitution(replacement string) bool {
	for _, p := range substitutionParts(replacement) {
		return p != 0
	}
	return false
}

// SubstitutionLen returns the length of what AppendSubstitution appends
// for a match of length matched, with before and after bytes of text
// before and after it, without building it.
func SubstitutionLen(replacement string, matched, before, after int) int {
	n := 0
	for text, p := range substitutionParts(replacement) {
		n += len(text)
		switch p {
		case '$':
			n++
		case '&':
			n += matched
		case '`':
			n += before
		case '\'':
			n += after
		}
	}
	return n
}

// AppendSubstitution appends replacement as String.prototype.replace
// writes it in place of matched, which before precedes and after follows
// in the string replaced.
func AppendSubstitution(dst []byte, replacement, matched, before, after string) []byte {
	for text, p := range substitutionParts(replacement) {
		dst = append(dst, text...)
		switch p {
		case '$':
			dst = append(dst, '$')
		case '&':
			dst = append(dst, matched...)
		case '`':
			dst = append(dst, before...)
		case '\'':
			dst = append(dst, after...)
		}
	}
	return dst
}
