package jsvalue

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// TestValidUTF8 checks ValidUTF8 and ASCIIPrefix against
// utf8.ValidString on strings of every length up to nine words, past a
// round of thirty-two bytes and one of sixteen, with one sequence that is
// not ASCII, valid or not, at every position, or none.
func TestValidUTF8(t *testing.T) {
	t.Parallel()
	for n := range 73 {
		ascii := strings.Repeat("abcdefghi", 9)[:n]
		if !ValidUTF8(ascii) || ASCIIPrefix(ascii) != n {
			t.Errorf("%q: ValidUTF8 %v, ASCIIPrefix %d", ascii, ValidUTF8(ascii), ASCIIPrefix(ascii))
		}
		for _, odd := range []string{"é", "\u20ac", "\U0001F600", "\xed\xa0\x80", "\xff", "\x80", "\xc3", "\xf0\x9f\x98"} {
			for i := 0; i <= n; i++ {
				s := ascii[:i] + odd + ascii[i:]
				p := ASCIIPrefix(s)
				if got, want := ValidUTF8(s), utf8.ValidString(s); got != want || p > i {
					t.Errorf("%q: ValidUTF8 %v, want %v; ASCIIPrefix %d past the byte at %d", s, got, want, p, i)
				}
			}
		}
	}
}

// TestToWellFormedASCII checks ToWellFormed against replaceIllFormed on strings
// of every length up to three words with one character that is not ASCII
// (a valid one, a lone surrogate as the event's JSON gives it, an invalid
// byte) at every position, or none: the same string, valid UTF-8, and s
// itself when s is ASCII.
func TestToWellFormedASCII(t *testing.T) {
	t.Parallel()
	for n := range 25 {
		ascii := strings.Repeat("abcdefghi", 3)[:n]
		if got := ToWellFormed(ascii); got != ascii || ASCIIPrefix(ascii) != len(ascii) {
			t.Errorf("ToWellFormed(%q) = %q, ASCII %v", ascii, got, ASCIIPrefix(ascii) == len(ascii))
		}
		for _, odd := range []string{"é", "\xed\xa0\x80", "\xed\xbf\xbf", "\xff", "\x80", "\U0001F600"} {
			for i := 0; i <= n; i++ {
				s := ascii[:i] + odd + ascii[i:]
				got, want := ToWellFormed(s), replaceIllFormed(s)
				if got != want || !utf8.ValidString(got) || ASCIIPrefix(s) == len(s) {
					t.Errorf("ToWellFormed(%q) = %q, want %q (ASCII %v)", s, got, want, ASCIIPrefix(s) == len(s))
				}
			}
		}
	}
}
