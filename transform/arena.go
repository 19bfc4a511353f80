package transform

// An Arena stores the results of one run of jobs, such as the jobs of one
// request message, and lends the same storage to the next run once the
// caller is done with every result of the last (Reset). A result mapped
// without an arena is one allocation of its own (see storage.go), which
// the garbage collector must then find and free; mapped into an arena
// grown to the size of a run, it allocates nothing.
//
// The requests, bodies, objects and ordering keys of results mapped into
// an arena (Mode.MapIn) are the arena's: they are valid until its next
// Reset, which makes them the next run's. Their errors are their own. An
// arena is for one goroutine at a time; its zero value is ready to use.
type Arena struct {
	requests slab[requestHead]
	objects  slab[objectHead]
	// texts are the chunks of text, filled in order: texts[chunk] up to
	// used, and every chunk before it.
	texts [][]byte
	chunk int
	used  int
}

const (
	// headsPerChunk is how many heads one allocation of a slab holds.
	headsPerChunk = 64
	// textChunk is the size of one chunk of text.
	textChunk = 32 << 10
	// maxArenaText is the largest text an arena holds; a larger one is
	// allocated as without an arena, so that a chunk wastes at most this
	// much at its end.
	maxArenaText = 4 << 10
	// maxKeptTexts and maxKeptHeads bound what Reset keeps for the next
	// run, 256 KiB of text and 256 heads of each kind, about what a
	// request message of a few hundred typical events takes: a run of
	// huge results does not pin its storage for good.
	maxKeptTexts = 8
	maxKeptHeads = 4
)

// Reset makes every result mapped into a since the last Reset invalid,
// and lends their storage to the results mapped next. Nothing a result
// held is kept alive by the arena afterwards.
func (a *Arena) Reset() {
	a.requests.reset()
	a.objects.reset()
	a.chunk, a.used = 0, 0
	if len(a.texts) > maxKeptTexts {
		clear(a.texts[maxKeptTexts:])
		a.texts = a.texts[:maxKeptTexts]
	}
}

// text returns n bytes of text, n being at most maxArenaText. Their
// previous contents are the last run's: the caller writes every byte.
func (a *Arena) text(n int) []byte {
	for {
		if a.chunk < len(a.texts) {
			c := a.texts[a.chunk]
			if end := a.used + n; end <= len(c) {
				t := c[a.used:end:end]
				a.used = end
				return t
			}
			a.chunk, a.used = a.chunk+1, 0
			continue
		}
		a.texts = append(a.texts, make([]byte, textChunk))
	}
}

// slab lends zeroed heads of type H from chunks it keeps.
type slab[H any] struct {
	chunks [][]H
	// chunk is the chunk lending, used how many of its heads are lent.
	chunk, used int
}

// next returns a zeroed head.
func (s *slab[H]) next() *H {
	for {
		if s.chunk < len(s.chunks) {
			if c := s.chunks[s.chunk]; s.used < len(c) {
				s.used++
				return &c[s.used-1]
			}
			s.chunk, s.used = s.chunk+1, 0
			continue
		}
		s.chunks = append(s.chunks, make([]H, headsPerChunk))
	}
}

// reset zeroes the heads lent, which lets go of what they point to, and
// lends them again.
func (s *slab[H]) reset() {
	for i := range s.chunks {
		if i > s.chunk {
			break
		}
		if i == s.chunk {
			clear(s.chunks[i][:s.used])
			break
		}
		clear(s.chunks[i])
	}
	s.chunk, s.used = 0, 0
	if len(s.chunks) > maxKeptHeads {
		clear(s.chunks[maxKeptHeads:])
		s.chunks = s.chunks[:maxKeptHeads]
	}
}

// arenaHead returns a zeroed head H from a: H is requestHead or
// objectHead.
func arenaHead[H any](a *Arena) *H {
	switch any((*H)(nil)).(type) {
	case *requestHead:
		return any(a.requests.next()).(*H)
	case *objectHead:
		return any(a.objects.next()).(*H)
	}
	return new(H)
}
