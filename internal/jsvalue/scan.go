package jsvalue

import "math/bits"

const (
	lsb = 0x0101010101010101
	msb = 0x8080808080808080
)

// plainPrefix returns the index of the first byte of s at or after i that is
// not a plain string byte (see strPlain), or len(s). It checks eight bytes at
// a time: event strings are mostly ASCII, and a word-wide check is several
// times faster than a byte table.
func plainPrefix(s string, i int) int {
	for i+8 <= len(s) {
		w := s[i : i+8]
		// The compiler merges these loads into one.
		x := uint64(w[0]) | uint64(w[1])<<8 | uint64(w[2])<<16 | uint64(w[3])<<24 |
			uint64(w[4])<<32 | uint64(w[5])<<40 | uint64(w[6])<<48 | uint64(w[7])<<56
		// A byte's high bit is set in m when the byte is below 0x20, is '"'
		// or '\\', or is not ASCII. Borrows only carry upwards from such a
		// byte, so the lowest flagged byte is exact.
		m := ((x - lsb*0x20) | ((x ^ lsb*'"') - lsb) | ((x ^ lsb*'\\') - lsb) | x) & msb
		if m != 0 {
			return i + bits.TrailingZeros64(m)/8
		}
		i += 8
	}
	for i < len(s) && strPlain[s[i]] {
		i++
	}
	return i
}

// quoteOrEscape returns the index of the first '"' or '\\' in s at or after
// i, or len(s). Unlike plainPrefix it steps over control characters and
// non-ASCII bytes, which it is only used on once Parse has checked them.
func quoteOrEscape(s string, i int) int {
	for i+8 <= len(s) {
		w := s[i : i+8]
		x := uint64(w[0]) | uint64(w[1])<<8 | uint64(w[2])<<16 | uint64(w[3])<<24 |
			uint64(w[4])<<32 | uint64(w[5])<<40 | uint64(w[6])<<48 | uint64(w[7])<<56
		// The classic zero-byte test on x^'"' and x^'\\': the lowest
		// flagged byte is exact, as borrows only carry upwards.
		q := x ^ lsb*'"'
		b := x ^ lsb*'\\'
		m := ((q - lsb) &^ q) | ((b - lsb) &^ b)
		if m &= msb; m != 0 {
			return i + bits.TrailingZeros64(m)/8
		}
		i += 8
	}
	for i < len(s) && s[i] != '"' && s[i] != '\\' {
		i++
	}
	return i
}
