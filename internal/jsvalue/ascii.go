package jsvalue

import "unicode/utf8"

// ASCIIPrefix returns the length of a prefix of s that is ASCII: len(s)
// when all of s is, and otherwise at most the index of its first byte
// that is not. It reads s in eight-byte words, thirty-two bytes a round
// then sixteen; the last bytes in words that overlap those read before
// them. URLs, ids and request bodies are ASCII as a rule, and a check of
// them as UTF-8 can start past this prefix.
func ASCIIPrefix(s string) int {
	n := len(s)
	if n < 8 {
		var acc byte
		for i := 0; i < n; i++ {
			acc |= s[i]
		}
		if acc < utf8.RuneSelf {
			return n
		}
		return 0
	}
	// Reading t while it holds that many bytes needs no bounds checks.
	t := s
	for len(t) >= 32 {
		if (word(t)|word(t[8:])|word(t[16:])|word(t[24:]))&msb != 0 {
			return n - len(t)
		}
		t = t[32:]
	}
	if len(t) >= 16 {
		if (word(t)|word(t[8:]))&msb != 0 {
			return n - len(t)
		}
		t = t[16:]
	}
	// The rest, under sixteen bytes, lies in the first and last eight of
	// the last sixteen, or of a string shorter than that.
	if (word(s[max(n-16, 0):])|word(s[n-8:]))&msb != 0 {
		return n - len(t)
	}
	return n
}

// ValidUTF8 reports whether s is valid UTF-8, as utf8.ValidString does,
// reading its ASCII prefix a word at a time (see ASCIIPrefix).
func ValidUTF8(s string) bool {
	i := ASCIIPrefix(s)
	return i == len(s) || utf8.ValidString(s[i:])
}

// word returns the first eight bytes of s as a little-endian word, which
// the compiler reads in one load.
func word(s string) uint64 {
	_ = s[7]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}
