package transform

import (
	"github.com/cio-transformer/cio-transformer/internal/jsvalue"
	"github.com/cio-transformer/cio-transformer/internal/slab"
)

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
	requests slab.Slab[requestHead]
	objects  slab.Slab[objectHead]
	texts    slab.Slab[byte]
	// batches and bodies hold the batch requests a Batcher flushes into
	// the arena (see Batcher.UseArena).
	batches slab.Slab[batchRequest]
	bodies  slab.Slab[byte]
	// scratch holds the objects one mapping builds and writes out before
	// it returns (see event.newObject); MapIn resets it after each job.
	scratch jsvalue.Scratch
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
	// batchesPerChunk is how many batch requests one allocation holds: a
	// request message of a few hundred jobs flushes a batch or two.
	batchesPerChunk = 4
	// A chunk of batch bodies is allocated for the body that finds no
	// room, its size rounded up to bodyGrain, so that a small batch does
	// not take a large chunk; bodies of later runs that fit are lent from
	// it. maxArenaBody is the largest body an arena holds, about that of
	// 150 objects of API mode v2; a larger one is allocated as without an
	// arena. Reset keeps maxKeptBodies chunks of bodies and one of batch
	// requests.
	bodyGrain     = 8 << 10
	maxArenaBody  = 64 << 10
	maxKeptBodies = 2
)

// Reset makes every result mapped into a since the last Reset invalid,
// and lends their storage to the results mapped next. Nothing a result
// held is kept alive by the arena afterwards: the heads lent are zeroed,
// and the text holds no pointer.
func (a *Arena) Reset() {
	a.requests.Reset(maxKeptHeads)
	a.objects.Reset(maxKeptHeads)
	a.texts.Rewind(maxKeptTexts)
	a.batches.Reset(1)
	a.bodies.Rewind(maxKeptBodies)
}

// text returns n bytes of text, n being at most maxArenaText. Their
// previous contents are the last run's: the caller writes every byte.
func (a *Arena) text(n int) []byte { return a.texts.Take(n, textChunk) }

// batchRequest returns a zeroed batch request and n bytes for its body,
// from a when a is not nil and n is at most maxArenaBody. The body's
// previous contents are the last run's: the caller writes every byte.
func (a *Arena) batchRequest(n int) (*batchRequest, []byte) {
	if a == nil || n > maxArenaBody {
		return new(batchRequest), make([]byte, n)
	}
	return &a.batches.Take(1, batchesPerChunk)[0], a.bodies.Take(n, (n+bodyGrain-1)/bodyGrain*bodyGrain)
}

// scratchObjects returns a's scratch, nil when a is: a nil scratch
// builds each object and number apart.
func (a *Arena) scratchObjects() *jsvalue.Scratch {
	if a == nil {
		return nil
	}
	return &a.scratch
}

// arenaHead returns a zeroed head H from a: H is requestHead or
// objectHead.
func arenaHead[H any](a *Arena) *H {
	switch any((*H)(nil)).(type) {
	case *requestHead:
		return any(&a.requests.Take(1, headsPerChunk)[0]).(*H)
	case *objectHead:
		return any(&a.objects.Take(1, headsPerChunk)[0]).(*H)
	}
	return new(H)
}
