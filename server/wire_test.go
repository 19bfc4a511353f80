package server

import (
	"bytes"
	"testing"
	"unicode/utf8"
)

// TestValidUTF8 checks validUTF8 against utf8.Valid for every byte at
// every place of texts of every length up to three words.
func TestValidUTF8(t *testing.T) {
	t.Parallel()
	for n := 0; n <= 24; n++ {
		base := bytes.Repeat([]byte("a"), n)
		if !validUTF8(base) {
			t.Fatalf("validUTF8(%q) = false", base)
		}
		for i := range n {
			for c := 0x70; c < 0x100; c++ {
				b := bytes.Clone(base)
				b[i] = byte(c)
				if got, want := validUTF8(b), utf8.Valid(b); got != want {
					t.Fatalf("validUTF8(%x) = %v, want %v", b, got, want)
				}
				if i+2 < n {
					copy(b[i:], "é")
					if got, want := validUTF8(b), utf8.Valid(b); got != want {
						t.Fatalf("validUTF8(%x) = %v, want %v", b, got, want)
					}
				}
			}
		}
	}
}
