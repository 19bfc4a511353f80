package jsvalue

import (
	"strings"
	"unicode/utf8"
)

// JavaScript strings are sequences of UTF-16 code units, and may hold a
// lone surrogate: JSON.parse turns the escape "\ud83d" without its low half
// into one, and JSON.stringify writes it back as that escape. UTF-8 cannot
// hold a lone surrogate, so a string in a Value holds it as the three bytes
// UTF-8's scheme would give its code point (ED A0..BF 80..BF), the
// generalized UTF-8 known as WTF-8. A surrogate pair is always the four
// bytes of its character, never two such sequences, so equal JavaScript
// strings are equal Go strings. Parse is the only source of these
// sequences: a raw byte sequence ED A0 80 in the input is invalid UTF-8
// and becomes three U+FFFD, as Node.js decodes it.
//
// The functions below read and write strings in this form.

// surrogateLead is the first byte of every surrogate sequence, and of
// U+D000 to U+D7FF, whose second byte is 0x80 to 0x9F.
const surrogateLead = 0xED

// IsSurrogate reports whether r is a UTF-16 surrogate code unit.
func IsSurrogate(r rune) bool { return r >= 0xD800 && r < 0xE000 }

// DecodeRune decodes the first character of s, as utf8.DecodeRuneInString
// does, except that a lone surrogate's sequence decodes to the surrogate
// with size 3. Invalid UTF-8 is utf8.RuneError with size 1.
func DecodeRune(s string) (r rune, size int) {
	if len(s) >= 3 && s[0] == surrogateLead && s[1] >= 0xA0 && s[1] <= 0xBF && s[2] >= 0x80 && s[2] <= 0xBF {
		return rune(s[0]&0x0F)<<12 | rune(s[1]&0x3F)<<6 | rune(s[2]&0x3F), 3
	}
	return utf8.DecodeRuneInString(s)
}

// DecodeLastRune decodes the last character of s as DecodeRune would.
func DecodeLastRune(s string) (r rune, size int) {
	if n := len(s); n >= 3 {
		if r, size := DecodeRune(s[n-3:]); size == 3 && IsSurrogate(r) {
			return r, 3
		}
	}
	return utf8.DecodeLastRuneInString(s)
}

// AppendRune appends r to dst: UTF-8, except that a surrogate is written as
// its three-byte sequence.
func AppendRune(dst []byte, r rune) []byte {
	if IsSurrogate(r) {
		return append(dst, surrogateLead, byte(0x80|(r>>6)&0x3F), byte(0x80|r&0x3F))
	}
	return utf8.AppendRune(dst, r)
}

// HasLoneSurrogate reports whether s holds a lone surrogate.
func HasLoneSurrogate(s string) bool {
	for {
		i := strings.IndexByte(s, surrogateLead)
		if i < 0 || i+1 >= len(s) {
			return false
		}
		if s[i+1] >= 0xA0 && s[i+1] <= 0xBF {
			if _, size := DecodeRune(s[i:]); size == 3 {
				return true
			}
		}
		s = s[i+1:]
	}
}

// UTF16Len returns the length of s in UTF-16 code units, JavaScript's
// String#length: two for a character outside the BMP, one for any other
// character, lone surrogate or invalid byte (read as U+FFFD).
func UTF16Len(s string) int {
	n := 0
	for i := 0; i < len(s); {
		if s[i] < utf8.RuneSelf {
			n++
			i++
			continue
		}
		r, size := DecodeRune(s[i:])
		if r > 0xFFFF {
			n += 2
		} else {
			n++
		}
		i += size
	}
	return n
}

// ToWellFormed returns s with every lone surrogate replaced by U+FFFD, as
// JavaScript's String#toWellFormed does (and any invalid UTF-8 byte too):
// valid UTF-8, for the places that cannot carry a lone surrogate (a
// protobuf string, a log line). s is returned as is when it is valid UTF-8.
func ToWellFormed(s string) string {
	if ValidUTF8(s) {
		return s
	}
	return replaceIllFormed(s)
}

// replaceIllFormed returns a copy of s with every lone surrogate and
// invalid UTF-8 byte replaced by U+FFFD.
func replaceIllFormed(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, size := DecodeRune(s[i:])
		if IsSurrogate(r) || (r == utf8.RuneError && size == 1) {
			b.WriteString("\uFFFD")
		} else {
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}
