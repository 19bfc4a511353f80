package slab

import (
	"slices"
	"testing"
)

// TestTakeFillsChunksInOrder checks that runs come from one chunk until it
// has no room for the next, which then starts a new chunk, and that a run
// cannot grow into its neighbour.
func TestTakeFillsChunksInOrder(t *testing.T) {
	var s Slab[int]
	a := s.Take(3, 4)
	b := s.Take(2, 4) // no room left in the first chunk
	c := s.Take(1, 4)
	if len(s.Chunks()) != 2 {
		t.Fatalf("%d chunks, want 2", len(s.Chunks()))
	}
	if &a[0] != &s.Chunks()[0][0] || &b[0] != &s.Chunks()[1][0] || &c[0] != &s.Chunks()[1][2] {
		t.Fatal("runs are not lent in order from the chunks")
	}
	if cap(a) != 3 || cap(b) != 2 {
		t.Fatalf("capacities %d and %d, want each run's own length", cap(a), cap(b))
	}
	for i := range a {
		a[i] = 1
	}
	_ = append(a, 9) // must not write into the chunk
	if s.Chunks()[0][3] != 0 {
		t.Fatal("appending to a run wrote past it")
	}
}

// TestResetLendsAgain checks that Reset lends the same memory again,
// zeroes what was lent from the chunks it keeps, keeps at most the chunks
// it is told to, and leaves the ones it drops as they were.
func TestResetLendsAgain(t *testing.T) {
	var s Slab[*int]
	v := 7
	for range 10 {
		s.Take(2, 2)[0] = &v
	}
	first := &s.Chunks()[0][0]
	dropped := s.Chunks()[4]
	s.Reset(3)
	if len(s.Chunks()) != 3 {
		t.Fatalf("Reset kept %d chunks, want 3", len(s.Chunks()))
	}
	for _, c := range s.Chunks() {
		if slices.ContainsFunc(c, func(p *int) bool { return p != nil }) {
			t.Fatal("Reset left a pointer in a chunk it keeps")
		}
	}
	if dropped[0] != &v {
		t.Fatal("Reset wrote to a chunk it dropped")
	}
	if got := &s.Take(1, 2)[0]; got != first {
		t.Fatal("Reset does not lend the first chunk again")
	}
}

// TestResetOnlyLent checks that Reset zeroes only what was lent, which a
// later Take lends again, that Rewind zeroes nothing, and that a slab
// never used resets.
func TestResetOnlyLent(t *testing.T) {
	var empty Slab[byte]
	empty.Reset(0)
	empty.Rewind(0)
	var s Slab[byte]
	copy(s.Take(4, 8), "abcd")
	s.Rewind(1)
	if got := string(s.Take(4, 8)); got != "abcd" {
		t.Fatalf("Rewind lent %q again, want the bytes as they were", got)
	}
	s.Rewind(1)
	copy(s.Take(2, 8), "xy")
	s.Reset(1)
	if got := string(s.Chunks()[0][:4]); got != "\x00\x00cd" {
		t.Fatalf("chunk reads %q after Reset, want the lent two bytes zeroed", got)
	}
}
