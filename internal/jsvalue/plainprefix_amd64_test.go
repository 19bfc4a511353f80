//go:build !purego

package jsvalue

import "testing"

// TestPlainBytesAligned checks that the constants plainPrefix compares
// with lie on a 16-byte boundary, as SSE2 requires of an operand in
// memory: the linker aligns a symbol of 48 bytes to 32.
func TestPlainBytesAligned(t *testing.T) {
	if addr := plainBytesAddr(); addr%16 != 0 {
		t.Fatalf("plainBytes at %#x, not 16-byte aligned", addr)
	}
}
