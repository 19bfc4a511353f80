//go:build linux || darwin

package jsvalue

import (
	"os"
	"syscall"
	"testing"
	"unsafe"
)

// TestPlainMemberStaysInString places the texts of memberTexts against
// unmapped pages, as TestPlainPrefixStaysInString places its strings, and
// checks plainMember from the start of each against plainMemberBytewise.
func TestPlainMemberStaysInString(t *testing.T) {
	t.Parallel()
	mid, unmap := guardedPage(t)
	defer unmap()
	for _, text := range memberTexts() {
		for _, at := range []int{len(mid) - len(text), 0} {
			b := mid[at : at+len(text)]
			copy(b, text)
			s := unsafe.String(unsafe.SliceData(b), len(b))
			wantKey, wantValue := plainMemberBytewise(s, 0)
			if key, value := plainMember(s, 0); key != wantKey || value != wantValue {
				t.Fatalf("plainMember(%q at page offset %d, 0) = %d, %d, want %d, %d", s, at, key, value, wantKey, wantValue)
			}
		}
	}
}

// guardedPage returns a page of memory between two unmapped pages, and a
// function that unmaps all three.
func guardedPage(t *testing.T) ([]byte, func()) {
	page := os.Getpagesize()
	mem, err := syscall.Mmap(-1, 0, 3*page, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		t.Skip("mmap:", err)
	}
	if err := syscall.Mprotect(mem[:page], syscall.PROT_NONE); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mprotect(mem[2*page:], syscall.PROT_NONE); err != nil {
		t.Fatal(err)
	}
	return mem[page : 2*page], func() { syscall.Munmap(mem) }
}

// TestPlainPrefixStaysInString places strings of every length up to 40
// against unmapped pages, ending where one begins and starting where one
// ends, and checks plainPrefix and plainString from every index of each,
// and at its end, against plainPrefixBytewise and plainStringBytewise: a
// read past the string that reached an unmapped page would fault. Each
// string is plain but for one byte needing attention, at each position in
// turn or nowhere, so that every way out of the scan is taken.
func TestPlainPrefixStaysInString(t *testing.T) {
	t.Parallel()
	mid, unmap := guardedPage(t)
	defer unmap()
	for n := 0; n <= 40; n++ {
		for _, at := range []int{len(mid) - n, 0} {
			b := mid[at : at+n]
			for special := -1; special < n; special++ {
				for k := range b {
					b[k] = 'x'
				}
				if special >= 0 {
					b[special] = "\"\\\x00\x1f\x80\xff"[special%6]
				}
				s := unsafe.String(unsafe.SliceData(b), len(b))
				for i := 0; i <= n; i++ {
					if got, want := plainPrefix(s, i), plainPrefixBytewise(s, i); got != want {
						t.Fatalf("plainPrefix(%q at page offset %d, %d) = %d, want %d", s, at, i, got, want)
					}
					if got, want := plainString(s, i), plainStringBytewise(s, i); got != want {
						t.Fatalf("plainString(%q at page offset %d, %d) = %d, want %d", s, at, i, got, want)
					}
				}
			}
		}
	}
}
