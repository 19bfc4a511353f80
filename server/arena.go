package server

import (
	"slices"
	"unsafe"

	ciotransformerv1 "github.com/cio-transformer/cio-transformer/gen/ciotransformer/v1"
	"github.com/cio-transformer/cio-transformer/internal/jsvalue"
	"github.com/cio-transformer/cio-transformer/internal/slab"
	"github.com/cio-transformer/cio-transformer/transform"
)

const (
	// maxBlocksPerChunk caps one shared allocation of result blocks, so
	// that a message of many jobs does not ask for one huge zeroed
	// allocation up front.
	maxBlocksPerChunk = 64
	// refsPerChunk is how many job references one chunk of a
	// resultStore holds; a batch covering more jobs takes its own.
	refsPerChunk = 256
	// maxKeptBlocks and maxKeptRefs bound what a resultStore keeps for
	// the next message, 256 result blocks and 512 job references, about
	// what a message of a few hundred jobs takes: a message of many jobs
	// does not pin its storage for good.
	maxKeptBlocks = 4
	maxKeptRefs   = 2
)

// resultBlock holds the messages of one single-job result in one
// allocation: the result, its job reference and the request.
type resultBlock struct {
	result ciotransformerv1.JobResult
	ref    ciotransformerv1.JobRef
	refs   [1]*ciotransformerv1.JobRef
	req    ciotransformerv1.TrackRequest
	out    ciotransformerv1.JobResult_Request
}

// cachedHeaders is a headers map built once and shared, read-only, by every
// request of a message that carries the same headers.
type cachedHeaders struct {
	src []transform.Header
	m   map[string]string
}

// resultArena builds the results of one request message. Results are
// allocated in blocks shared by up to maxBlocksPerChunk of them, or lent
// by a resultStore, and the headers maps are shared: all requests of a
// destination carry the same Authorization, and batches add the same
// Content-Type. Marshalling only reads the maps, and nothing else touches
// a result once built.
type resultArena struct {
	jobs    []*ciotransformerv1.Job
	left    int
	blocks  []resultBlock
	headers [2]cachedHeaders
	// store, when not nil, lends the blocks and job references, which
	// are then valid until its reset (see use).
	store *resultStore
}

// maxStoredResults is the most jobs of a message whose results are built
// in a resultStore: the blocks a store keeps. A larger message builds its
// results in blocks of its own, as without a store: most of its blocks
// would be new anyway, and reusing the rest made such messages dearer
// where their text is large. The collector then ran less often while
// that text was allocated, the heap swung wider between its cycles, and
// the memory given back to the system and touched again cost more in
// page faults than the collector's work saved: BenchmarkAnswerGrowing
// took about 15% more CPU, and the adversarial scaling row of 1 KB device
// events a quarter more.
const maxStoredResults = maxKeptBlocks * maxBlocksPerChunk

// use builds the results of a's message in s, when the message has at most
// maxStoredResults jobs.
func (a *resultArena) use(s *resultStore) {
	if len(a.jobs) <= maxStoredResults {
		a.store = s
	}
}

// resultStore is the storage the results of one request message are
// built in, lent to the next message once the last response is sent
// (see answer): the requests and bodies the message's jobs map to, and,
// for a message of up to maxStoredResults jobs, the protobuf results that
// carry them. Reused, it spares the garbage collector a message's worth
// of results each time. Its zero value is
// ready to use; it is for one goroutine at a time.
type resultStore struct {
	mapped transform.Arena
	blocks slab.Slab[resultBlock]
	refs   slab.Slab[*ciotransformerv1.JobRef]
	vals   slab.Slab[ciotransformerv1.JobRef]
}

// reset makes every result built in s invalid and lends its storage to
// the next message. Nothing those results held is kept alive by s: what
// was lent is zeroed, as proto.Reset would leave it.
func (s *resultStore) reset() {
	s.mapped.Reset()
	s.blocks.Reset(maxKeptBlocks)
	s.refs.Reset(maxKeptRefs)
	s.vals.Reset(maxKeptRefs)
}

// newResultArena returns an arena for the results of jobs.
func newResultArena(jobs []*ciotransformerv1.Job) *resultArena {
	return &resultArena{jobs: jobs, left: len(jobs)}
}

// block returns a zeroed block, taking a new chunk when the current one is
// used up. A chunk is no larger than the jobs still to be covered, since
// every result covers at least one job.
func (a *resultArena) block() *resultBlock {
	if a.store != nil {
		return &a.store.blocks.Take(1, maxBlocksPerChunk)[0]
	}
	if len(a.blocks) == 0 {
		n := min(max(a.left, 1), maxBlocksPerChunk)
		a.blocks = make([]resultBlock, n)
	}
	b := &a.blocks[0]
	a.blocks = a.blocks[1:]
	return b
}

// jobResult converts a batcher entry to the contract's result.
func (a *resultArena) jobResult(e transform.Entry) *ciotransformerv1.JobResult {
	r, _ := a.sizedResult(e)
	return r
}

// sizedResult converts a batcher entry to the contract's result, and
// returns with it the encoded size of the metadata of the jobs it covers
// (metadataSize's), which the result echoes.
func (a *resultArena) sizedResult(e transform.Entry) (*ciotransformerv1.JobResult, int) {
	b := a.block()
	a.left -= len(e.Jobs)
	r := &b.result
	meta := 0
	if len(e.Jobs) == 1 {
		meta = setRef(&b.ref, a.jobs[e.Jobs[0]])
		b.refs[0] = &b.ref
		r.Jobs = b.refs[:]
	} else {
		refs, vals := a.jobRefs(len(e.Jobs))
		for i, idx := range e.Jobs {
			meta += setRef(&vals[i], a.jobs[idx])
			refs[i] = &vals[i]
		}
		r.Jobs = refs
	}
	if e.Err != nil {
		r.Outcome = &ciotransformerv1.JobResult_Error{Error: jobError(e.Err)}
		return r, meta
	}
	req := e.Request
	t := &b.req
	t.Method = req.Method
	// Protobuf strings are valid UTF-8: a lone surrogate taken from the
	// event reads U+FFFD, as a JSON decoder reads upstream's escape.
	// The mapping marks the request whose URL and user id it knows to be
	// ASCII, as nearly all are, sparing them a second reading.
	t.Url, t.UserId = req.Endpoint, req.UserID
	if !req.WellFormed {
		t.Url = jsvalue.ToWellFormed(req.Endpoint)
		t.UserId = jsvalue.ToWellFormed(req.UserID)
	}
	t.EndpointPath = req.EndpointPath
	t.Headers = a.headerMap(req.Headers)
	t.Body = bodyString(req.Body)
	b.out.Request = t
	r.Outcome = &b.out
	return r, meta
}

// jobRefs returns n zeroed job references and n pointers to fill, for a
// result covering n jobs.
func (a *resultArena) jobRefs(n int) ([]*ciotransformerv1.JobRef, []ciotransformerv1.JobRef) {
	if a.store == nil || n > refsPerChunk {
		return make([]*ciotransformerv1.JobRef, n), make([]ciotransformerv1.JobRef, n)
	}
	return a.store.refs.Take(n, refsPerChunk), a.store.vals.Take(n, refsPerChunk)
}

// setRef gives ref, a new reference, the id and metadata of job, as
// setRefMetadata does, and returns the metadata's size, metadataSize's:
// the metadata's wire bytes, where the codec kept them, are looked for
// once for both.
func setRef(ref *ciotransformerv1.JobRef, job *ciotransformerv1.Job) int {
	ref.JobId = job.GetJobId()
	if raw := metadataWire(job); raw != nil {
		ref.ProtoReflect().SetUnknown(raw)
		return len(raw)
	}
	setRefMetadata(ref, job)
	return metadataSize(job)
}

// bodyString returns b, a Request's Body, as a string that shares its
// bytes rather than a copy of them, which cost an allocation and a copy of
// every body. It relies on transform.Request's contract: a Body shares no
// bytes with the job it was mapped from, whose buffers gRPC may reuse once
// the request message is answered, and is not written again until the
// arena it was mapped into is reset, which answer does once the message's
// last response is sent (TestResultsStayUntilSent). The result only reads
// the string: marshalling copies it into the response as it is sent, and
// nothing reads the response afterwards.
func bodyString(b []byte) string {
	return unsafe.String(unsafe.SliceData(b), len(b))
}

// headerMap returns hs as a map, shared with earlier requests of the
// message that carry the same headers.
func (a *resultArena) headerMap(hs []transform.Header) map[string]string {
	for i := range a.headers {
		c := &a.headers[i]
		if c.m == nil {
			c.src = slices.Clone(hs)
			c.m = headersMap(hs)
			return c.m
		}
		if sameHeaders(c.src, hs) {
			return c.m
		}
	}
	// More header sets than cached: a message has one destination, so
	// this does not happen today; build a map of its own.
	return headersMap(hs)
}

// headersMap returns hs as a fresh map.
func headersMap(hs []transform.Header) map[string]string {
	m := make(map[string]string, len(hs))
	for _, h := range hs {
		m[h.Name] = h.Value
	}
	return m
}

// sameHeaders reports whether a and b hold the same headers in the same
// order.
func sameHeaders(a, b []transform.Header) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !sameString(a[i].Name, b[i].Name) || !sameString(a[i].Value, b[i].Value) {
			return false
		}
	}
	return true
}

// sameString reports whether a == b, without comparing their bytes when
// they share them, as the headers of one destination's requests do: the
// same constant name, the same Authorization value.
func sameString(a, b string) bool {
	return len(a) == len(b) && (unsafe.StringData(a) == unsafe.StringData(b) || a == b)
}
