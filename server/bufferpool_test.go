package server

import (
	"testing"
)

func TestBufferPoolTiers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		size    int
		wantCap int
	}{
		{"empty", 0, 256},
		{"small", 1, 256},
		{"smallest tier", 256, 256},
		{"next tier", 257, 512},
		{"frame", 16 << 10, 16 << 10},
		{"largest tier", 1 << 20, 1 << 20},
		{"over the tiers", 1<<20 + 1, 1<<20 + 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := &bufferPool{}
			for range 3 {
				b := p.Get(tt.size)
				if len(*b) != tt.size || cap(*b) != tt.wantCap {
					t.Fatalf("Get(%d): len %d cap %d, want len %d cap %d", tt.size, len(*b), cap(*b), tt.size, tt.wantCap)
				}
				p.Put(b)
			}
		})
	}
}

func TestBufferPoolIgnoresForeignBuffers(t *testing.T) {
	t.Parallel()
	p := &bufferPool{}
	for _, c := range []int{0, 100, 300, 2 << 20} {
		b := make([]byte, 0, c)
		p.Put(&b)
	}
	if b := p.Get(300); cap(*b) != 512 {
		t.Errorf("Get(300) after foreign buffers: cap %d, want 512", cap(*b))
	}
}
