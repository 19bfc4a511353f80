package jsvalue

import "testing"

// plainPrefixBytewise is the obvious definition of plainPrefix.
func plainPrefixBytewise(s string, i int) int {
	for i < len(s) && strPlain[s[i]] {
		i++
	}
	return i
}

// plainStringBytewise is the obvious definition of plainString.
func plainStringBytewise(s string, i int) int {
	if j := plainPrefixBytewise(s, i); j < len(s) && s[j] == '"' {
		return j + 1
	}
	return -1
}

func TestPlainPrefix(t *testing.T) {
	t.Parallel()
	// Every pair of byte values at every pair of positions in a word, in
	// the 16-byte block of the assembly and across the end of either: the
	// wide checks must find exactly the first byte needing attention,
	// whatever borrows the bytes around it cause.
	const plain = "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	buf := []byte(plain)
	for a := range 256 {
		for b := range 256 {
			for _, pos := range [][2]int{{0, 1}, {1, 0}, {3, 7}, {7, 8}, {6, 2}, {9, 10}, {15, 16}, {14, 33}} {
				copy(buf, plain)
				buf[pos[0]] = byte(a)
				buf[pos[1]] = byte(b)
				s := string(buf)
				for _, start := range []int{0, 1, 5, 9} {
					want := plainPrefixBytewise(s, start)
					if got := plainPrefix(s, start); got != want {
						t.Fatalf("plainPrefix(%q, %d) = %d, want %d", s, start, got, want)
					}
					if got := plainPrefixWords(s, start); got != want {
						t.Fatalf("plainPrefixWords(%q, %d) = %d, want %d", s, start, got, want)
					}
					wantEnd := plainStringBytewise(s, start)
					if got := plainString(s, start); got != wantEnd {
						t.Fatalf("plainString(%q, %d) = %d, want %d", s, start, got, wantEnd)
					}
					if got := plainStringWords(s, start); got != wantEnd {
						t.Fatalf("plainStringWords(%q, %d) = %d, want %d", s, start, got, wantEnd)
					}
				}
			}
		}
	}
}
