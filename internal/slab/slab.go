// Package slab lends values from chunks of memory that are kept and lent
// again, so that storage which is used for a while and then given up all
// at once, such as the results of one request message, is allocated once
// and reused rather than left for the garbage collector each time.
package slab

// A Slab lends runs of T from the chunks it keeps, filled in order:
// chunks[chunk] up to used, and every chunk before it. Its zero value is
// ready to use; it is for one goroutine at a time.
type Slab[T any] struct {
	chunks      [][]T
	chunk, used int
}

// Take returns n values of T, n being at most chunkLen, the length of the
// chunk s allocates when the chunks it keeps have no room left. They are
// zero unless a Rewind lent them again.
func (s *Slab[T]) Take(n, chunkLen int) []T {
	for {
		if s.chunk < len(s.chunks) {
			c := s.chunks[s.chunk]
			if end := s.used + n; end <= len(c) {
				t := c[s.used:end:end]
				s.used = end
				return t
			}
			s.chunk, s.used = s.chunk+1, 0
			continue
		}
		s.chunks = append(s.chunks, make([]T, chunkLen))
	}
}

// Rewind lends the chunks again from the first, keeping at most keep of
// them; the rest are left to the garbage collector. The values lent again
// hold what they held: Rewind is for a T without pointers, whose every
// value lent is written before it is read.
func (s *Slab[T]) Rewind(keep int) {
	s.chunk, s.used = 0, 0
	if len(s.chunks) > keep {
		clear(s.chunks[keep:])
		s.chunks = s.chunks[:keep]
	}
}

// Reset is Rewind after zeroing the values lent from the chunks it keeps,
// which lets go of what they point to; the chunks it drops are not
// written, since nothing of s refers to them any more.
func (s *Slab[T]) Reset(keep int) {
	for i := range min(s.chunk+1, len(s.chunks), keep) {
		if i == s.chunk {
			clear(s.chunks[i][:s.used])
		} else {
			clear(s.chunks[i])
		}
	}
	s.Rewind(keep)
}

// Chunks returns the chunks s keeps, lent or not, for reading only.
func (s *Slab[T]) Chunks() [][]T { return s.chunks }
