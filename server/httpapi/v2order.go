package httpapi

import (
	"container/heap"
	"math"

	"github.com/cio-transformer/cio-transformer/internal/jsvalue"
	"github.com/cio-transformer/cio-transformer/transform"
)

// v2Output collects the entries of one API mode v2 destination group and
// lists them in the order of upstream's batching framework:
//
//   - the requests, by the smallest job id each covers, except that a
//     request never goes before an earlier one that shares an ordering key
//     with it (deviation D3: upstream's sort can reorder a user's events);
//   - then the errors of the jobs that failed the input schema, then the
//     mapping errors of batchable jobs, then those of jobs whose metadata
//     sets dontBatch (upstream maps them one by one after the others);
//     each in input order.
//
// Jobs are numbered within the group, as the Batcher numbers them.
type v2Output struct {
	// Per job: its ordering keys, its metadata's jobId and its dontBatch.
	keys      [][]string
	ids       []float64
	dontBatch []bool

	requests                     []v2Request
	schema, batchable, unbatched []transform.Entry
}

// v2Request is a request entry with the smallest jobId it covers and the
// ordering keys of its jobs.
type v2Request struct {
	transform.Entry
	minID float64
	keys  []string
}

// newV2Output returns an empty v2Output for a group of n jobs.
func newV2Output(n int) *v2Output {
	return &v2Output{keys: make([][]string, n), ids: make([]float64, n), dontBatch: make([]bool, n)}
}

// job records job p's ordering keys, jobId and dontBatch flag.
func (o *v2Output) job(p int, keys []string, id float64, dontBatch bool) {
	o.keys[p], o.ids[p], o.dontBatch[p] = keys, id, dontBatch
}

// add files an entry of the Batcher, in the order the Batcher emits them.
// It keeps e, and reads its jobs' numbers now: the caller may renumber
// e.Jobs afterwards.
func (o *v2Output) add(e transform.Entry) {
	switch {
	case e.Err == nil:
		r := v2Request{Entry: e, minID: math.Inf(1)}
		for _, p := range e.Jobs {
			r.minID = min(r.minID, o.ids[p])
			r.keys = append(r.keys, o.keys[p]...)
		}
		o.requests = append(o.requests, r)
	case e.Err.Schema:
		o.schema = append(o.schema, e)
	case o.dontBatch[e.Jobs[0]]:
		o.unbatched = append(o.unbatched, e)
	default:
		o.batchable = append(o.batchable, e)
	}
}

// jobID returns a job's metadata jobId, or +Inf when it is not a number
// (such entries keep the Batcher's order, after the others).
func jobID(meta jsvalue.Value) float64 {
	if v := meta.Get("jobId"); v.IsNumber() {
		return v.Float()
	}
	return math.Inf(1)
}

// appendTo appends the group's entries to entries in upstream's order,
// after the Batcher's last entry.
func (o *v2Output) appendTo(entries []routerEntry, group int) []routerEntry {
	for _, i := range o.requestOrder() {
		entries = append(entries, routerEntry{Entry: o.requests[i].Entry, group: group})
	}
	for _, list := range [...][]transform.Entry{o.schema, o.batchable, o.unbatched} {
		for _, e := range list {
			entries = append(entries, routerEntry{Entry: e, group: group})
		}
	}
	return entries
}

// requestOrder returns the order to list the requests in: each time, of
// the requests whose earlier requests sharing a key with them are listed,
// the one with the smallest jobId, the earliest on a tie. The Batcher's
// order keeps every user's events in order, so this one does too; with no
// shared keys it is upstream's sort. It takes time linear in the keys, and
// a logarithmic factor in the requests.
func (o *v2Output) requestOrder() []int {
	n := len(o.requests)
	// after[i] lists the requests that wait for request i; waits[j] counts
	// the requests that request j waits for.
	after := make([][]int, n)
	waits := make([]int, n)
	last := make(map[string]int)
	for j := range o.requests {
		for _, k := range o.requests[j].keys {
			if i, ok := last[k]; ok && i != j {
				after[i] = append(after[i], j)
				waits[j]++
			}
			last[k] = j
		}
	}
	ready := &requestHeap{reqs: o.requests}
	for j := range n {
		if waits[j] == 0 {
			ready.idx = append(ready.idx, j)
		}
	}
	heap.Init(ready)
	order := make([]int, 0, n)
	for ready.Len() > 0 {
		i := heap.Pop(ready).(int)
		order = append(order, i)
		for _, j := range after[i] {
			if waits[j]--; waits[j] == 0 {
				heap.Push(ready, j)
			}
		}
	}
	return order
}

// requestHeap is a heap of request indexes, smallest jobId first, then
// the Batcher's order.
type requestHeap struct {
	reqs []v2Request
	idx  []int
}

func (h *requestHeap) Len() int { return len(h.idx) }

func (h *requestHeap) Less(a, b int) bool {
	i, j := h.idx[a], h.idx[b]
	if x, y := h.reqs[i].minID, h.reqs[j].minID; x != y {
		return x < y
	}
	return i < j
}

func (h *requestHeap) Swap(a, b int) { h.idx[a], h.idx[b] = h.idx[b], h.idx[a] }

func (h *requestHeap) Push(x any) { h.idx = append(h.idx, x.(int)) }

func (h *requestHeap) Pop() any {
	i := h.idx[len(h.idx)-1]
	h.idx = h.idx[:len(h.idx)-1]
	return i
}
