//go:build linux || darwin

package jsvalue

import (
	"os"
	"syscall"
	"testing"
	"unsafe"
)

// TestPlainPrefixStaysInString places strings of every length up to 40
// against unmapped pages, ending where one begins and starting where one
// ends, and checks plainPrefix and plainString from every index of each,
// and at its end, against plainPrefixBytewise and plainStringBytewise: a
// read past the string that reached an unmapped page would fault. Each string is plain but for one byte
// needing attention, at each position in turn or nowhere, so that every
// way out of the scan is taken.
func TestPlainPrefixStaysInString(t *testing.T) {
	t.Parallel()
	page := os.Getpagesize()
	mem, err := syscall.Mmap(-1, 0, 3*page, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		t.Skip("mmap:", err)
	}
	defer syscall.Munmap(mem)
	// Only the middle page stays mapped.
	if err := syscall.Mprotect(mem[:page], syscall.PROT_NONE); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mprotect(mem[2*page:], syscall.PROT_NONE); err != nil {
		t.Fatal(err)
	}
	mid := mem[page : 2*page]
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
