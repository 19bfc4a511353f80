package js

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestTruncateUTF8(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		n    int
		want string
	}{
		{"150 x to 100", strings.Repeat("x", 150), 100, strings.Repeat("x", 100)},
		{"40 euro to 100 bytes", strings.Repeat("€", 40), 100, strings.Repeat("€", 33)},
		{"30 emoji to 100 bytes", strings.Repeat("😀", 30), 100, strings.Repeat("😀", 25)},
		{"60 e-acute to 86 bytes", strings.Repeat("é", 60), 86, strings.Repeat("é", 43)},
		{"short stays", "abc", 100, "abc"},
		{"exact fit", "abc", 3, "abc"},
		{"empty", "", 10, ""},
		{"zero", "abc", 0, ""},
		{"negative", "abc", -1, ""},
		{"emoji does not fit", "a😀b", 4, "a"},
		{"emoji fits exactly", "a😀b", 5, "a😀"},
		{"cut after emoji", "a😀b", 6, "a😀b"},
		{"cut inside two-byte", "aé", 2, "a"},
		{"cut inside three-byte", "a€", 3, "a"},
		{"first char too wide", "😀", 3, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := TruncateUTF8Bytes(tt.in, tt.n); got != tt.want {
				t.Errorf("TruncateUTF8Bytes(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
			}
		})
	}
}

// TestTruncateUTF8Longest checks every limit on a mixed string: the result
// is a whole-character prefix within the limit, and the next character would
// not fit.
func TestTruncateUTF8Longest(t *testing.T) {
	t.Parallel()
	s := "aé€😀b😀€éa"
	for n := 0; n <= len(s)+1; n++ {
		got := TruncateUTF8Bytes(s, n)
		if !strings.HasPrefix(s, got) || !utf8.ValidString(got) || len(got) > n {
			t.Fatalf("TruncateUTF8Bytes(%q, %d) = %q", s, n, got)
		}
		if rest := s[len(got):]; rest != "" {
			_, size := utf8.DecodeRuneInString(rest)
			if len(got)+size <= n {
				t.Fatalf("TruncateUTF8Bytes(%q, %d) = %q: the next character fits", s, n, got)
			}
		}
	}
}

func TestTruncateUTF8InvalidUTF8(t *testing.T) {
	t.Parallel()
	// Never produced by the JSON parser; only the length bound matters.
	for _, s := range []string{"\x80\x80\x80\x80\x80", "a\xff\xfe", "\xf0\x9f\x98"} {
		for n := 0; n <= len(s); n++ {
			if got := TruncateUTF8Bytes(s, n); len(got) > n || !strings.HasPrefix(s, got) {
				t.Errorf("TruncateUTF8Bytes(%q, %d) = %q", s, n, got)
			}
		}
	}
}

func TestTruncateUTF8LoneSurrogate(t *testing.T) {
	t.Parallel()
	// Buffer.byteLength counts a lone surrogate as 3 bytes (its U+FFFD),
	// as many as it takes here, and truncate-utf8-bytes never splits it.
	tests := []struct {
		s    string
		n    int
		want string
	}{
		{strings.Repeat("x", 98) + hiD83D + "t", 100, strings.Repeat("x", 98)},
		{strings.Repeat("x", 97) + hiD83D + "t", 100, strings.Repeat("x", 97) + hiD83D},
		{hiD83D + loDC00, 5, hiD83D},
	}
	for _, tt := range tests {
		if got := TruncateUTF8Bytes(tt.s, tt.n); got != tt.want {
			t.Errorf("TruncateUTF8Bytes(%q, %d) = %q, want %q", tt.s, tt.n, got, tt.want)
		}
	}
}
