package jsvalue

import (
	"strings"
	"testing"
)

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

// plainMemberBytewise is the obvious definition of plainMember.
func plainMemberBytewise(s string, i int) (key, value int) {
	key = plainStringBytewise(s, i)
	if key >= 0 && key+1 < len(s) && s[key] == ':' && s[key+1] == '"' {
		return key, plainStringBytewise(s, key+2)
	}
	return key, -1
}

// memberTexts returns the texts of object members plainMember may meet,
// from the index of a key's first byte: keys and string values of
// lengths around the 16-byte blocks of the assembly, plain or not, and
// every way the text between them can differ from ":", or end.
func memberTexts() []string {
	var texts []string
	for _, key := range []string{"", "k", "abcdefg", "abcdefghijklmno", "abcdefghijklmnop", "abcdefghijklmnopq", "a\\nb", "ab\x01", "\xff", strings.Repeat("k", 40)} {
		for _, sep := range []string{`":"`, `": "`, `" :"`, `":1`, `":`, `"`, `""`, `":""`, `:"`, ""} {
			for _, val := range []string{"", `"`, `v"`, `vvvvvvvvvvvvvvv"`, `vvvvvvvvvvvvvvvv"`, `vvvvvvvvvvvvvvvvv"`, `v\"v"`, "v\x1fv\"", "v", strings.Repeat("v", 40), strings.Repeat("v", 40) + `"`} {
				texts = append(texts, key+sep+val, key+sep+val+`,"x":1}`)
			}
		}
	}
	return texts
}

func TestPlainMember(t *testing.T) {
	t.Parallel()
	for _, text := range memberTexts() {
		for _, prefix := range []string{"", `{"`, "xxxxxxxxxx\""} {
			s := prefix + text
			wantKey, wantValue := plainMemberBytewise(s, len(prefix))
			if key, value := plainMember(s, len(prefix)); key != wantKey || value != wantValue {
				t.Fatalf("plainMember(%q, %d) = %d, %d, want %d, %d", s, len(prefix), key, value, wantKey, wantValue)
			}
			if key, value := plainMemberWords(s, len(prefix)); key != wantKey || value != wantValue {
				t.Fatalf("plainMemberWords(%q, %d) = %d, %d, want %d, %d", s, len(prefix), key, value, wantKey, wantValue)
			}
		}
	}
}
