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

// TestRewindLendsAgain checks that Rewind lends the same memory again,
// that ClearLent zeroes what was lent, and that Rewind keeps at most the
// chunks it is told to.
func TestRewindLendsAgain(t *testing.T) {
	var s Slab[*int]
	v := 7
	for range 10 {
		s.Take(2, 2)[0] = &v
	}
	first := &s.Chunks()[0][0]
	s.ClearLent()
	for _, c := range s.Chunks() {
		if slices.ContainsFunc(c, func(p *int) bool { return p != nil }) {
			t.Fatal("ClearLent left a pointer")
		}
	}
	s.Rewind(3)
	if len(s.Chunks()) != 3 {
		t.Fatalf("Rewind kept %d chunks, want 3", len(s.Chunks()))
	}
	if got := &s.Take(1, 2)[0]; got != first {
		t.Fatal("Rewind does not lend the first chunk again")
	}
}

// TestClearLentOnlyLent checks that ClearLent leaves the values beyond
// the last one lent as they are, which a later Take lends again, and that
// a slab never used clears nothing.
func TestClearLentOnlyLent(t *testing.T) {
	var empty Slab[byte]
	empty.ClearLent()
	empty.Rewind(0)
	var s Slab[byte]
	copy(s.Take(4, 8), "abcd")
	s.Rewind(1)
	copy(s.Take(2, 8), "xy")
	s.ClearLent()
	if got := string(s.Chunks()[0][:4]); got != "\x00\x00cd" {
		t.Fatalf("chunk reads %q after ClearLent, want the lent two bytes zeroed", got)
	}
}
