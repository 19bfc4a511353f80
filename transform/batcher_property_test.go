package transform

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// batchDraw returns a number in [0, n).
type batchDraw func(n int) int

// exoticHead opens an object whose strings hold escapes and multi-byte
// UTF-8, so that a batch that re-encoded its objects would be caught.
const exoticHead = `{"s":"é\"\\\n\u2028☃","id":`

// genObject returns a group object JSON of exactly size bytes (at least
// minObjectBytes), tagged with id.
func genObject(id, size int, exotic bool) []byte {
	head := `{"id":` + strconv.Itoa(id) + `,"p":"`
	if exotic {
		head = exoticHead + strconv.Itoa(id) + `,"p":"`
	}
	pad := max(size-len(head)-2, 0)
	return []byte(head + strings.Repeat("y", pad) + `"}`)
}

// genResults returns n random results: group objects (some too large for
// any batch), other requests and errors, for a small pool of users, emails
// and objects so that ordering keys collide often.
func genResults(d batchDraw, n, maxSize int) []Result {
	users := 1 + d(6)
	if d(3) == 0 {
		users = 1 + d(60)
	}
	results := make([]Result, n)
	user := func() string { return "user:u" + strconv.Itoa(d(users)) }
	for i := range results {
		var keys []string
		if d(4) > 0 {
			keys = append(keys, user())
		}
		if d(3) == 0 {
			keys = append(keys, "anon:a"+strconv.Itoa(d(users)))
		}
		if d(4) == 0 {
			keys = append(keys, "email:e"+strconv.Itoa(d(users))+"@x.io")
		}
		switch k := d(20); {
		case k < 10:
			size := 16 + d(maxSize)
			if d(100) == 0 {
				size = MaxObjectBytes + d(2)
			}
			keys = append(keys, "object:"+strconv.Itoa(d(2))+"/g"+strconv.Itoa(d(4)))
			results[i] = Result{Object: genObject(i, size, d(2) == 0), UserID: "u" + strconv.Itoa(i), Keys: keys}
		case k < 17:
			if k == 16 { // an alias carries two users' keys
				keys = append(keys, user())
			}
			results[i] = Result{
				Request: &Request{Method: "POST", EndpointPath: "v1/customers/events", Body: []byte(`{"n":` + strconv.Itoa(i) + `}`)},
				UserID:  "u" + strconv.Itoa(i),
				Keys:    keys,
			}
		case k < 19:
			results[i] = Result{Err: instrumentationError("Event is a required field and should be a string")}
		default:
			results[i] = Result{Err: configurationError("apiKey not found in Configs")}
		}
	}
	return results
}

// genLimits returns random limits: mostly small ones, to reach the
// boundaries often, sometimes Customer.io's.
func genLimits(d batchDraw) Limits {
	if d(8) == 0 {
		return DefaultLimits()
	}
	return Limits{MaxObjects: 1 + d(40), MaxBytes: 30 + d(2000)}
}

// batchOutput is an entry with the job whose Add emitted it (-1 for Flush).
type batchOutput struct {
	Entry
	trigger int
}

// checkBatcher runs results through a Batcher and checks the properties
// every output must have: each job covered exactly once, limits held, no
// empty batch, batches holding exactly their objects, no request sent
// before an earlier request sharing a key with it, and no entry held back
// or flushed without cause.
func checkBatcher(t *testing.T, dest *Destination, limits Limits, results []Result) {
	t.Helper()
	var out []batchOutput
	trigger := -1
	emit := func(e Entry) { out = append(out, batchOutput{e, trigger}) }
	b := NewBatcher(dest, limits)
	for i, r := range results {
		trigger = i
		b.Add(i, r, emit)
	}
	trigger = -1
	b.Flush(emit)

	lim := limits.withDefaults()
	endpoint := usBatchEndpoint
	if dest.Config().EU {
		endpoint = euBatchEndpoint
	}
	fitsAlone := func(r Result) bool {
		return r.Err == nil && r.Request == nil && len(r.Object) > 0 &&
			len(r.Object) <= MaxObjectBytes && 12+len(r.Object) <= lim.MaxBytes
	}
	pos := make([]int, len(results))
	for i := range pos {
		pos[i] = -1
	}
	for p, e := range out {
		if len(e.Jobs) == 0 {
			t.Fatalf("entry %d covers no job", p)
		}
		if (e.Request == nil) == (e.Err == nil) {
			t.Fatalf("entry %d: request %v, error %v: want exactly one", p, e.Request, e.Err)
		}
		for k, j := range e.Jobs {
			if j < 0 || j >= len(results) {
				t.Fatalf("entry %d covers unknown job %d", p, j)
			}
			if pos[j] >= 0 {
				t.Fatalf("job %d covered by entries %d and %d", j, pos[j], p)
			}
			pos[j] = p
			if k > 0 && j <= e.Jobs[k-1] {
				t.Fatalf("entry %d: jobs %v not in input order", p, e.Jobs)
			}
		}
		j := e.Jobs[0]
		r := results[j]
		switch {
		case e.Err != nil:
			if len(e.Jobs) != 1 || e.trigger != j {
				t.Fatalf("error entry %d covers %v, emitted at %d: want one job, at once", p, e.Jobs, e.trigger)
			}
			if r.Err != nil {
				if e.Err != r.Err {
					t.Fatalf("job %d: error %v, want %v", j, e.Err, r.Err)
				}
				break
			}
			if fitsAlone(r) {
				t.Fatalf("job %d: error %v for an object that fits a batch", j, e.Err)
			}
			if len(r.Object) > MaxObjectBytes {
				want := "Event size (" + strconv.Itoa(len(r.Object)) + " bytes) exceeds CustomerIO's 32KB per-object limit."
				if e.Err.Message != want || e.Err.StatusCode != 400 || e.Err.Type != TypeInstrumentation {
					t.Fatalf("job %d: error %+v, want 400 %q", j, e.Err, want)
				}
			}
		case r.Request != nil:
			if len(e.Jobs) != 1 || e.Request != r.Request || e.trigger != j {
				t.Fatalf("entry %d covers %v with %p, emitted at %d: want job %d's own request, at once",
					p, e.Jobs, e.Request, e.trigger, j)
			}
		default:
			checkBatch(t, e, results, lim, dest, endpoint)
			checkFlushCause(t, p, out, results, lim)
		}
	}
	for j, p := range pos {
		if p < 0 {
			t.Fatalf("job %d not covered", j)
		}
	}
	checkKeyOrder(t, results, pos, func(j int) bool { return results[j].Err == nil && out[pos[j]].Err == nil })
}

// checkBatch checks one batch entry: its request, limits and objects.
func checkBatch(t *testing.T, e batchOutput, results []Result, lim Limits, dest *Destination, endpoint string) {
	t.Helper()
	checkBatchRequest(t, e.Request, dest, endpoint)
	if e.Request.UserID != "" {
		t.Fatalf("batch UserID = %q, want empty", e.Request.UserID)
	}
	if len(e.Jobs) > lim.MaxObjects {
		t.Fatalf("batch of %d objects, limit %d", len(e.Jobs), lim.MaxObjects)
	}
	body := e.Request.Body
	if len(body) > lim.MaxBytes {
		t.Fatalf("batch body of %d bytes, limit %d", len(body), lim.MaxBytes)
	}
	size := 12 + len(e.Jobs) - 1
	for _, j := range e.Jobs {
		if results[j].Request != nil || results[j].Err != nil {
			t.Fatalf("batch covers job %d, which has no object", j)
		}
		size += len(results[j].Object)
	}
	if len(body) != size {
		t.Fatalf("batch body of %d bytes, want %d", len(body), size)
	}
	objs := batchObjects(t, body)
	if len(objs) != len(e.Jobs) {
		t.Fatalf("batch holds %d objects for jobs %v", len(objs), e.Jobs)
	}
	for i, j := range e.Jobs {
		if !batchJSONEqual(t, objs[i], results[j].Object) {
			t.Fatalf("batch object %d = %s, want job %d's %s", i, objs[i], j, results[j].Object)
		}
	}
}

// checkFlushCause checks that the batch out[p] was emitted for a reason:
// the end of the message, a later object that does not fit it, or a later
// request sharing a key with one of its members.
func checkFlushCause(t *testing.T, p int, out []batchOutput, results []Result, lim Limits) {
	t.Helper()
	e := out[p]
	if e.trigger < 0 {
		if p != len(out)-1 {
			t.Fatalf("batch %v flushed at the end is not the last entry", e.Jobs)
		}
		return
	}
	last := e.Jobs[len(e.Jobs)-1]
	if e.trigger <= last {
		t.Fatalf("batch %v emitted while adding job %d", e.Jobs, e.trigger)
	}
	r := results[e.trigger]
	switch {
	case r.Request != nil:
		if p+1 >= len(out) || out[p+1].Request != r.Request {
			t.Fatalf("batch %v flushed by job %d is not followed by that job's request", e.Jobs, e.trigger)
		}
		for _, j := range e.Jobs {
			for _, k := range results[j].Keys {
				if slices.Contains(r.Keys, k) {
					return
				}
			}
		}
		t.Fatalf("batch %v flushed by job %d, which shares no key with it", e.Jobs, e.trigger)
	case r.Err == nil && len(r.Object) > 0 && len(r.Object) <= MaxObjectBytes && 12+len(r.Object) <= lim.MaxBytes:
		if len(e.Jobs) == lim.MaxObjects || len(e.Request.Body)+1+len(r.Object) > lim.MaxBytes {
			return
		}
		t.Fatalf("batch %v (%d bytes) flushed by job %d (%d bytes), which fits it",
			e.Jobs, len(e.Request.Body), e.trigger, len(r.Object))
	default:
		t.Fatalf("batch %v flushed by job %d, which has no request", e.Jobs, e.trigger)
	}
}

// checkKeyOrder checks deviation D3: for jobs i < j sharing a key, both
// producing requests, i's entry is emitted no later than j's.
func checkKeyOrder(t *testing.T, results []Result, pos []int, sent func(int) bool) {
	t.Helper()
	lastPos := make(map[string]int)
	lastJob := make(map[string]int)
	for j, r := range results {
		if !sent(j) {
			continue
		}
		for _, k := range r.Keys {
			if p, ok := lastPos[k]; ok && p > pos[j] {
				t.Fatalf("job %d (entry %d) emitted before job %d (entry %d), sharing key %q",
					j, pos[j], lastJob[k], p, k)
			}
			lastPos[k], lastJob[k] = pos[j], j
		}
	}
}

func TestBatcherProperties(t *testing.T) {
	t.Parallel()
	for seed := range uint64(500) {
		rng := rand.New(rand.NewPCG(seed, 0xba7c4e5))
		d := batchDraw(rng.IntN)
		dest := testDestUS
		if d(2) == 0 {
			dest = testDestEU
		}
		limits := genLimits(d)
		// The small limits reach the byte boundary often; with Customer.io's
		// limits, conflicts flush first (its boundaries have unit tests).
		maxSize := 200
		if limits == DefaultLimits() {
			maxSize = 2000
		}
		results := genResults(d, d(150), maxSize)
		t.Run(strconv.FormatUint(seed, 10), func(t *testing.T) {
			t.Parallel()
			checkBatcher(t, dest, limits, results)
		})
	}
}

// byteDraw draws numbers from data, then zeros once data runs out.
func byteDraw(data []byte) batchDraw {
	return func(n int) int {
		if n <= 1 {
			return 0
		}
		v := 0
		for range 1 + (n-1)/256 {
			v <<= 8
			if len(data) > 0 {
				v |= int(data[0])
				data = data[1:]
			}
		}
		return v % n
	}
}

func FuzzBatcher(f *testing.F) {
	f.Add([]byte{}, uint8(0), uint16(0), false)
	f.Add([]byte("\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f"), uint8(2), uint16(100), false)
	f.Add([]byte("group group track error alias group group group"), uint8(3), uint16(300), true)
	f.Add([]byte(strings.Repeat("\x07\x03\x01\x09\x00\x02\x05", 40)), uint8(1), uint16(60), false)
	f.Add([]byte(strings.Repeat("\xff\x10\x80\x01", 60)), uint8(0), uint16(0), true)
	for seed := range uint64(8) {
		rng := rand.New(rand.NewPCG(seed, 1))
		data := make([]byte, 64+rng.IntN(512))
		for i := range data {
			data[i] = byte(rng.Uint32())
		}
		f.Add(data, uint8(rng.IntN(10)), uint16(rng.IntN(800)), rng.IntN(2) == 0)
	}
	f.Fuzz(func(t *testing.T, data []byte, maxObjects uint8, maxBytes uint16, eu bool) {
		dest := testDestUS
		if eu {
			dest = testDestEU
		}
		limits := Limits{MaxObjects: int(maxObjects), MaxBytes: int(maxBytes)}
		maxSize := 200
		if limits.withDefaults().MaxBytes > 10000 {
			maxSize = 4000
		}
		d := byteDraw(data)
		n := min(len(data)/4, 300)
		checkBatcher(t, dest, limits, genResults(d, n, maxSize))
	})
}
