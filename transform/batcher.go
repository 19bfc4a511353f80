package transform

import "strconv"

// The frame of a /api/v2/batch body around its objects.
const (
	batchOpen  = `{"batch":[`
	batchClose = "]}"
)

// emptyBatchBytes is the size of a body with no objects, `{"batch":[]}`.
const emptyBatchBytes = len(batchOpen) + len(batchClose)

// linearKeys is how many ordering keys an open batch holds before the
// Batcher indexes them in a map: a short list is faster to scan than to
// hash.
const linearKeys = 16

// jobSlabSize is how many job indexes one shared allocation holds; entries
// take their Jobs from it so that a one-job entry costs no allocation of its
// own.
const jobSlabSize = 512

// batchRequest holds a Request and its headers in one allocation.
type batchRequest struct {
	req     Request
	headers [2]Header
}

// fill makes br a POST {endpoint} v2/batch request with the Authorization
// and Content-Type headers and the given body, and returns it. endpoint
// is a destination's batch URL, which is ASCII, and the user id is empty:
// the request is well formed.
func (br *batchRequest) fill(endpoint, auth string, body []byte) *Request {
	br.headers = [2]Header{
		{Name: authorizationHeader, Value: auth},
		{Name: contentTypeHeader, Value: contentTypeJSON},
	}
	br.req = Request{
		Method:       methodPost,
		Endpoint:     endpoint,
		EndpointPath: batchEndpointPath,
		Headers:      br.headers[:],
		Body:         body,
		WellFormed:   true,
	}
	return &br.req
}

// batchOfOne returns the request of a single group object: a batch holding
// only r.Object, attributed to r.UserID. Upstream posts the bare object with
// no Content-Type, which /api/v2/batch does not accept (deviation D1).
func batchOfOne(dest *Destination, r Result) *Request {
	dest = orEmpty(dest)
	body := make([]byte, 0, emptyBatchBytes+len(r.Object))
	body = append(body, batchOpen...)
	body = append(body, r.Object...)
	body = append(body, batchClose...)
	req := new(batchRequest).fill(dest.batchURL, dest.auth, body)
	req.UserID = r.UserID
	req.WellFormed = isASCII(r.UserID)
	return req
}

// Limits bound the batches a Batcher builds and the output of one event. A
// limit of zero or less means its default (see DefaultLimits).
type Limits struct {
	// MaxObjects is the most objects one batch holds.
	MaxObjects int
	// MaxBytes is the largest serialized batch body, `{"batch":[...]}`, in
	// bytes.
	MaxBytes int
	// MaxEventBytes is the most bytes one event may produce: its request
	// body, or its /api/v2/batch object (see Mode.Map).
	MaxEventBytes int
}

// DefaultLimits returns Customer.io's limits, MaxBatchObjects objects and
// MaxBatchBytes bytes per batch, and DefaultMaxEventBytes per event.
func DefaultLimits() Limits {
	return Limits{MaxObjects: MaxBatchObjects, MaxBytes: MaxBatchBytes, MaxEventBytes: DefaultMaxEventBytes}
}

// withDefaults replaces unset limits by their defaults.
func (l Limits) withDefaults() Limits {
	if l.MaxObjects <= 0 {
		l.MaxObjects = MaxBatchObjects
	}
	if l.MaxBytes <= 0 {
		l.MaxBytes = MaxBatchBytes
	}
	if l.MaxEventBytes <= 0 {
		l.MaxEventBytes = DefaultMaxEventBytes
	}
	return l
}

// Entry is one output of a Batcher: a request covering one or more jobs, or
// one job's error. An Entry owns its slices: later calls to the Batcher
// never change them.
type Entry struct {
	// Jobs are the caller's job indexes the entry covers, in input order;
	// never empty.
	Jobs []int
	// Request is the request to send; nil when Err is set.
	Request *Request
	// Err is the job's error; nil when Request is set.
	Err *Error
}

// Batcher turns the results of one request message, all for one
// destination, into entries: it merges the objects of group events into
// /api/v2/batch requests and passes every other result through.
//
// Upstream sends all other requests first, then the batches, then the
// errors, which can reorder a user's events. A Batcher keeps a batch open
// while unrelated requests go out, and sends it just before the first later
// request that shares an ordering key with one of its members (deviation
// D3). Batches respect the object and byte limits exactly, and are never
// empty (deviation D4).
//
// A Batcher is not safe for concurrent use; Reset lets one be reused, for
// example from a sync.Pool.
type Batcher struct {
	limits Limits
	// dest is the destination of the batches.
	dest *Destination

	// body is the open batch's body without its closing `]}`; empty when no
	// batch is open.
	body []byte
	// jobs are the open batch's members.
	jobs []int
	// added lists the distinct ordering keys of the open batch's members.
	// Once there are more than linearKeys of them, keys indexes them too.
	added []string
	keys  map[string]struct{}
	// filter has the bit keyBit names set for every key in added, so that
	// a key whose bit is clear, as most keys of later requests are, is
	// known to be new without comparing it to each of added.
	filter [filterWords]uint64
	// bigKeys is set once keys has held more than keysHint keys: it has
	// grown, and is then emptied key by key rather than cleared whole.
	bigKeys bool

	// slab is the unused rest of the allocation that entries' Jobs are cut
	// from. Cut parts are never written again.
	slab []int
	// arena stores the batches flushed, when set (see UseArena).
	arena *Arena
}

// NewBatcher returns a Batcher for dest with the given limits.
func NewBatcher(dest *Destination, limits Limits) *Batcher {
	b := &Batcher{}
	b.Reset(dest, limits)
	return b
}

// Reset makes b reusable for another request message or destination,
// keeping its buffers, and lets go of the arena it used. An open batch is
// discarded: call Flush first.
func (b *Batcher) Reset(dest *Destination, limits Limits) {
	b.dest = orEmpty(dest)
	b.limits = limits.withDefaults()
	b.arena = nil
	b.discard()
}

// UseArena has the batches b flushes until its next Reset stored in a, as
// the results mapped into a are: each is then valid until a's next Reset.
// Without an arena, each batch is an allocation of its own.
func (b *Batcher) UseArena(a *Arena) { b.arena = a }

// Add accounts for job's result. It calls emit for every entry that becomes
// ready, in output order: possibly none, possibly a flushed batch followed
// by this job's own entry.
func (b *Batcher) Add(job int, r Result, emit func(Entry)) {
	switch {
	case r.Err != nil:
		emit(Entry{Jobs: b.own1(job), Err: r.Err})
	case r.Request != nil:
		if b.conflicts(r.Keys) {
			b.Flush(emit)
		}
		emit(Entry{Jobs: b.own1(job), Request: r.Request})
	case len(r.Object) == 0:
		emit(Entry{Jobs: b.own1(job), Err: noOutputError()})
	case len(r.Object) > MaxObjectBytes:
		// The mapper already rejects these; a batch must never carry one.
		emit(Entry{Jobs: b.own1(job), Err: objectTooLargeError(len(r.Object))})
	case emptyBatchBytes+len(r.Object) > b.limits.MaxBytes:
		// Only reachable with limits below Customer.io's, where even a
		// batch of one would break them.
		emit(Entry{Jobs: b.own1(job), Err: batchTooSmallError(len(r.Object), b.limits.MaxBytes)})
	default:
		if len(b.jobs) >= b.limits.MaxObjects ||
			(len(b.jobs) > 0 && len(b.body)+1+len(r.Object)+len(batchClose) > b.limits.MaxBytes) {
			b.Flush(emit)
		}
		b.join(job, r)
	}
}

// Flush emits the open batch, if any. Call it at the end of each request
// message.
func (b *Batcher) Flush(emit func(Entry)) {
	if len(b.jobs) == 0 {
		return
	}
	br, body := b.arena.batchRequest(len(b.body) + len(batchClose))
	copy(body[copy(body, b.body):], batchClose)
	e := Entry{Jobs: b.own(b.jobs), Request: br.fill(b.dest.batchURL, b.dest.auth, body)}
	b.discard()
	emit(e)
}

// join appends r's object to the open batch, opening one if needed.
func (b *Batcher) join(job int, r Result) {
	if len(b.jobs) == 0 {
		b.body = append(b.body[:0], batchOpen...)
	} else {
		b.body = append(b.body, ',')
	}
	b.body = append(b.body, r.Object...)
	b.jobs = append(b.jobs, job)
	for _, k := range r.Keys {
		if !b.mayHaveKey(k) || !b.hasKey(k) {
			b.addKey(k)
		}
	}
}

// filterWords is the size of a Batcher's key filter in words.
const filterWords = 2

// keysHint is the size a Batcher's keys map is made for.
const keysHint = 4 * linearKeys

// keyBit returns the word and bit of k in a Batcher's key filter: a hash
// of its length and of two of its bytes, the last one and the middle one,
// where keys of one prefix differ (see appendKeys).
func keyBit(k string) (int, uint64) {
	h := uint32(len(k)) * 0x9E3779B1
	if n := len(k); n > 0 {
		h ^= uint32(k[n-1])*0x85EBCA77 ^ uint32(k[n/2])*0xC2B2AE3D
	}
	h >>= 32 - 7 // 128 bits: filterWords words of 64
	return int(h >> 6), 1 << (h & 63)
}

// mayHaveKey reports whether k may be the key of a member of the open
// batch: false is sure, true is to be checked with hasKey.
func (b *Batcher) mayHaveKey(k string) bool {
	w, bit := keyBit(k)
	return b.filter[w]&bit != 0
}

// conflicts reports whether one of keys belongs to a member of the open
// batch.
func (b *Batcher) conflicts(keys []string) bool {
	if len(b.added) == 0 {
		return false
	}
	for _, k := range keys {
		if b.mayHaveKey(k) && b.hasKey(k) {
			return true
		}
	}
	return false
}

// hasKey reports whether k is the key of a member of the open batch.
func (b *Batcher) hasKey(k string) bool {
	if len(b.added) > linearKeys {
		_, ok := b.keys[k]
		return ok
	}
	for _, a := range b.added {
		if a == k {
			return true
		}
	}
	return false
}

// addKey records k, a key not yet recorded, for the open batch.
func (b *Batcher) addKey(k string) {
	b.added = append(b.added, k)
	w, bit := keyBit(k)
	b.filter[w] |= bit
	switch n := len(b.added); {
	case n == linearKeys+1:
		if b.keys == nil {
			b.keys = make(map[string]struct{}, keysHint)
		}
		for _, a := range b.added {
			b.keys[a] = struct{}{}
		}
	case n > linearKeys+1:
		b.keys[k] = struct{}{}
		if n > keysHint {
			b.bigKeys = true
		}
	}
}

// discard closes the open batch without emitting it.
func (b *Batcher) discard() {
	b.body = b.body[:0]
	b.jobs = b.jobs[:0]
	if len(b.added) > linearKeys {
		// A map no larger than it was made is cleared whole, cheaper than
		// deleting its keys one by one; one that has grown is not, since
		// clearing costs as much as its room.
		if b.bigKeys {
			for _, k := range b.added {
				delete(b.keys, k)
			}
		} else {
			clear(b.keys)
		}
	}
	clear(b.added)
	b.added = b.added[:0]
	b.filter = [filterWords]uint64{}
}

// own1 returns a one-element Jobs slice holding job.
func (b *Batcher) own1(job int) []int {
	if len(b.slab) == 0 {
		b.slab = make([]int, jobSlabSize)
	}
	out := b.slab[:1:1]
	out[0] = job
	b.slab = b.slab[1:]
	return out
}

// own returns a copy of jobs that later calls never write to.
func (b *Batcher) own(jobs []int) []int {
	n := len(jobs)
	if n > jobSlabSize/4 {
		return append([]int(nil), jobs...)
	}
	if n > len(b.slab) {
		b.slab = make([]int, jobSlabSize)
	}
	out := b.slab[:n:n]
	copy(out, jobs)
	b.slab = b.slab[n:]
	return out
}

// objectTooLargeError is the error of a group object over Customer.io's
// per-object limit, which upstream would send anyway (deviation D4).
func objectTooLargeError(n int) *Error {
	return instrumentationError("Event size (" + strconv.Itoa(n) + " bytes) exceeds CustomerIO's 32KB per-object limit.")
}

// batchTooSmallError is the error of a group object that does not fit in a
// batch of its own under the configured limits.
func batchTooSmallError(n, maxBytes int) *Error {
	return instrumentationError("Event size (" + strconv.Itoa(n) + " bytes) exceeds the batch limit of " + strconv.Itoa(maxBytes) + " bytes.")
}

// noOutputError is the error of a result that holds neither a request, an
// object nor an error, which the mapping never produces.
func noOutputError() *Error {
	return &Error{StatusCode: 500, Message: "event mapped to no request", Category: CategoryTransformation}
}
