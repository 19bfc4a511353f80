package transform

import (
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unsafe"
)

const (
	usBatchEndpoint = "https://track.customer.io/api/v2/batch"
	euBatchEndpoint = "https://track-eu.customer.io/api/v2/batch"
)

var (
	testDestUS = NewDestination(DestinationConfig{ID: "d1", SiteID: "customerio1", APIKey: "customerio2"})
	testDestEU = NewDestination(DestinationConfig{ID: "d2", SiteID: "customerio3", APIKey: "customerio4", EU: true})
)

// sizedObject returns a group object JSON of exactly size bytes (size >= 16),
// tagged with id so that objects are distinguishable.
func sizedObject(id, size int) []byte {
	head := `{"id":` + strconv.Itoa(id) + `,"p":"`
	pad := max(size-len(head)-len(`"}`), 0)
	return []byte(head + strings.Repeat("x", pad) + `"}`)
}

// groupResult is a group event's result for user with an object of size
// bytes.
func groupResult(id int, user string, size int) Result {
	return Result{
		Object: sizedObject(id, size),
		UserID: user,
		Keys:   []string{"user:" + user, "object:1/g" + strconv.Itoa(id)},
	}
}

// trackResult is a track event's result for user.
func trackResult(user string) Result {
	return Result{
		Request: &Request{
			Method:       "POST",
			Endpoint:     "https://track.customer.io/api/v1/customers/" + user + "/events",
			EndpointPath: "v1/customers/events",
			Headers:      []Header{{Name: "Authorization", Value: basicAuth("customerio1", "customerio2")}},
			Body:         []byte(`{"name":"t","data":{}}`),
			UserID:       user,
		},
		UserID: user,
		Keys:   []string{"user:" + user},
	}
}

// runBatcher feeds results to a fresh Batcher as jobs 0..n-1 and returns the
// entries, flushed at the end.
func runBatcher(dest *Destination, limits Limits, results []Result) []Entry {
	var out []Entry
	emit := func(e Entry) { out = append(out, e) }
	b := NewBatcher(dest, limits)
	for i, r := range results {
		b.Add(i, r, emit)
	}
	b.Flush(emit)
	return out
}

// batchObjects decodes a batch body and returns its objects, failing the
// test when the body is not `{"batch":[...]}`.
func batchObjects(t *testing.T, body []byte) []json.RawMessage {
	t.Helper()
	var v struct {
		Batch []json.RawMessage `json:"batch"`
	}
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("batch body is not {\"batch\":[...]}: %v", err)
	}
	if v.Batch == nil {
		t.Fatalf("batch body has no batch array: %s", body)
	}
	return v.Batch
}

// batchJSONEqual reports whether a and b hold the same JSON value.
func batchJSONEqual(t *testing.T, a, b []byte) bool {
	t.Helper()
	var va, vb any
	if err := json.Unmarshal(a, &va); err != nil {
		t.Fatalf("invalid JSON %q: %v", a, err)
	}
	if err := json.Unmarshal(b, &vb); err != nil {
		t.Fatalf("invalid JSON %q: %v", b, err)
	}
	return reflect.DeepEqual(va, vb)
}

// checkBatchRequest checks everything of a batch request but its body.
func checkBatchRequest(t *testing.T, req *Request, dest *Destination, endpoint string) {
	t.Helper()
	if req == nil {
		t.Fatal("batch entry has no request")
	}
	if req.Method != "POST" || req.Endpoint != endpoint || req.EndpointPath != "v2/batch" {
		t.Errorf("request = %s %s (%s), want POST %s (v2/batch)", req.Method, req.Endpoint, req.EndpointPath, endpoint)
	}
	want := []Header{
		{Name: "Authorization", Value: basicAuth(dest.Config().SiteID, dest.Config().APIKey)},
		{Name: "Content-Type", Value: "application/json"},
	}
	if !slices.Equal(req.Headers, want) {
		t.Errorf("headers = %v, want %v", req.Headers, want)
	}
	if !strings.HasPrefix(req.Headers[0].Value, "Basic ") {
		t.Errorf("Authorization = %q, want a Basic credential", req.Headers[0].Value)
	}
}

// batchSizes returns the number of jobs of each entry.
func batchSizes(entries []Entry) []int {
	var sizes []int
	for _, e := range entries {
		sizes = append(sizes, len(e.Jobs))
	}
	return sizes
}

func TestBatchOfOne(t *testing.T) {
	t.Parallel()
	obj := []byte(`{"identifiers":{"object_id":"g1","object_type_id":"1"},"type":"object","action":"identify","attributes":{"name":"é\"x"},"cio_relationships":[{"identifiers":{"id":"u1"}}]}`)
	tests := []struct {
		name     string
		dest     *Destination
		endpoint string
	}{
		{name: "us", dest: testDestUS, endpoint: usBatchEndpoint},
		{name: "eu", dest: testDestEU, endpoint: euBatchEndpoint},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			req := BatchOfOne(tt.dest, Result{Object: obj, UserID: "u1", Keys: []string{"user:u1"}})
			checkBatchRequest(t, req, tt.dest, tt.endpoint)
			if req.UserID != "u1" {
				t.Errorf("UserID = %q, want u1", req.UserID)
			}
			got := batchObjects(t, req.Body)
			if len(got) != 1 || !batchJSONEqual(t, got[0], obj) {
				t.Errorf("body = %s, want a batch of the object", req.Body)
			}
		})
	}
}

func TestDefaultLimits(t *testing.T) {
	t.Parallel()
	if got, want := DefaultLimits(), (Limits{MaxObjects: 1000, MaxBytes: 500000, MaxEventBytes: 1 << 20}); got != want {
		t.Errorf("DefaultLimits() = %+v, want %+v", got, want)
	}
}

func TestBatcherObjectCount(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		n      int
		limits Limits
		want   []int
	}{
		{name: "one", n: 1, limits: DefaultLimits(), want: []int{1}},
		{name: "exactly 1000", n: 1000, limits: DefaultLimits(), want: []int{1000}},
		{name: "1001", n: 1001, limits: DefaultLimits(), want: []int{1000, 1}},
		{name: "2500", n: 2500, limits: DefaultLimits(), want: []int{1000, 1000, 500}},
		{name: "zero limits are the defaults", n: 2001, limits: Limits{}, want: []int{1000, 1000, 1}},
		{name: "small object limit", n: 7, limits: Limits{MaxObjects: 3}, want: []int{3, 3, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			results := make([]Result, tt.n)
			for i := range results {
				results[i] = groupResult(i, "u"+strconv.Itoa(i%7), 60)
			}
			entries := runBatcher(testDestUS, tt.limits, results)
			if got := batchSizes(entries); !slices.Equal(got, tt.want) {
				t.Fatalf("batch sizes = %v, want %v", got, tt.want)
			}
			next := 0
			for _, e := range entries {
				checkBatchRequest(t, e.Request, testDestUS, usBatchEndpoint)
				objs := batchObjects(t, e.Request.Body)
				if len(objs) != len(e.Jobs) {
					t.Fatalf("%d objects for %d jobs", len(objs), len(e.Jobs))
				}
				for i, job := range e.Jobs {
					if job != next {
						t.Fatalf("job %d covered out of order (want %d)", job, next)
					}
					if !batchJSONEqual(t, objs[i], results[job].Object) {
						t.Fatalf("object of job %d = %s, want %s", job, objs[i], results[job].Object)
					}
					next++
				}
				if e.Request.UserID != "" {
					t.Errorf("batch UserID = %q, want empty", e.Request.UserID)
				}
			}
			if next != tt.n {
				t.Fatalf("%d jobs covered, want %d", next, tt.n)
			}
		})
	}
}

func TestBatcherByteLimit(t *testing.T) {
	t.Parallel()
	// 20 objects of 24,000 bytes make a 12 + 480,000 + 19 = 480,031-byte
	// body; one more comma and 19,968 bytes land exactly on 500,000.
	const base = 12 + 20*24000 + 19
	tests := []struct {
		name string
		last int
		want []int
	}{
		{name: "exactly 500000 fits", last: MaxBatchBytes - base - 1, want: []int{21}},
		{name: "500001 flushes first", last: MaxBatchBytes - base, want: []int{20, 1}},
		{name: "well under", last: 100, want: []int{21}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var results []Result
			for i := range 20 {
				results = append(results, groupResult(i, "u1", 24000))
			}
			results = append(results, groupResult(20, "u2", tt.last))
			entries := runBatcher(testDestUS, DefaultLimits(), results)
			if got := batchSizes(entries); !slices.Equal(got, tt.want) {
				t.Fatalf("batch sizes = %v, want %v", got, tt.want)
			}
			for _, e := range entries {
				if e.Err != nil {
					t.Fatalf("unexpected error %v", e.Err)
				}
				sum := 0
				for _, j := range e.Jobs {
					sum += len(results[j].Object)
				}
				if want := 12 + sum + len(e.Jobs) - 1; len(e.Request.Body) != want {
					t.Errorf("body is %d bytes, want %d", len(e.Request.Body), want)
				}
				if len(e.Request.Body) > MaxBatchBytes {
					t.Errorf("body is %d bytes, over the limit", len(e.Request.Body))
				}
			}
			if len(tt.want) == 1 && len(entries[0].Request.Body) != base+1+tt.last {
				t.Errorf("body is %d bytes, want %d", len(entries[0].Request.Body), base+1+tt.last)
			}
		})
	}
}

func TestBatcherObjectSizeLimit(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		size    int
		limits  Limits
		wantErr string
	}{
		{name: "32768 accepted", size: 32768, limits: DefaultLimits()},
		{name: "32769 rejected", size: 32769, limits: DefaultLimits(),
			wantErr: "Event size (32769 bytes) exceeds CustomerIO's 32KB per-object limit."},
		{name: "1 MB rejected", size: 1 << 20, limits: DefaultLimits(),
			wantErr: "Event size (1048576 bytes) exceeds CustomerIO's 32KB per-object limit."},
		{name: "fits a small byte limit alone", size: 88, limits: Limits{MaxBytes: 100}},
		{name: "too big for a small byte limit", size: 89, limits: Limits{MaxBytes: 100},
			wantErr: "Event size (89 bytes) exceeds the batch limit of 100 bytes."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var out []Entry
			emit := func(e Entry) { out = append(out, e) }
			b := NewBatcher(testDestUS, tt.limits)
			b.Add(0, groupResult(0, "u1", 40), emit)
			b.Add(1, groupResult(1, "u1", tt.size), emit)
			if tt.wantErr != "" {
				// The error goes out at once and leaves the open batch alone.
				if len(out) != 1 || out[0].Err == nil || !slices.Equal(out[0].Jobs, []int{1}) {
					t.Fatalf("entries after Add = %+v, want job 1's error", out)
				}
				want := Error{StatusCode: 400, Message: tt.wantErr, Category: CategoryDataValidation, Type: TypeInstrumentation}
				if *out[0].Err != want || out[0].Request != nil {
					t.Errorf("entry = %+v / %+v, want error %+v", out[0].Err, out[0].Request, want)
				}
				b.Flush(emit)
				if len(out) != 2 || !slices.Equal(out[1].Jobs, []int{0}) {
					t.Fatalf("entries = %+v, want the batch of job 0 last", out)
				}
				return
			}
			b.Flush(emit)
			covered := 0
			for _, e := range out {
				if e.Err != nil {
					t.Fatalf("unexpected error %v", e.Err)
				}
				if l := len(e.Request.Body); l > tt.limits.withDefaults().MaxBytes {
					t.Errorf("body of %d bytes over the limit", l)
				}
				covered += len(e.Jobs)
			}
			if covered != 2 {
				t.Errorf("%d jobs covered, want 2", covered)
			}
		})
	}
}

func TestBatcherHost(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		dest     *Destination
		endpoint string
	}{
		{name: "us", dest: testDestUS, endpoint: usBatchEndpoint},
		{name: "eu uses the eu host", dest: testDestEU, endpoint: euBatchEndpoint},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			entries := runBatcher(tt.dest, DefaultLimits(), []Result{groupResult(0, "u1", 50), groupResult(1, "u2", 50)})
			if len(entries) != 1 {
				t.Fatalf("%d entries, want 1", len(entries))
			}
			checkBatchRequest(t, entries[0].Request, tt.dest, tt.endpoint)
		})
	}
}

// batchJob is the shape of one job in an ordering test.
type batchJob struct {
	group bool
	err   bool
	user  string
}

func TestBatcherOrdering(t *testing.T) {
	t.Parallel()
	g := func(u string) batchJob { return batchJob{group: true, user: u} }
	tr := func(u string) batchJob { return batchJob{user: u} }
	bad := batchJob{err: true}
	// Enough members that the open batch indexes its keys in a map.
	var many, manyThenStale []batchJob
	var manyJobs, staleJobs []int
	for i := range 30 {
		many = append(many, g("u"+strconv.Itoa(i)))
		manyJobs = append(manyJobs, i)
	}
	many = append(many, tr("u40"), tr("u17"))
	for i := range 30 {
		manyThenStale = append(manyThenStale, g("v"+strconv.Itoa(i)))
		staleJobs = append(staleJobs, i)
	}
	manyThenStale = append(manyThenStale, tr("v3"))
	manyThenStale = append(manyThenStale, many[:30]...)
	manyThenStale = append(manyThenStale, tr("v3"), tr("v29"), tr("u17"))
	staleMembers := make([]int, 30)
	for i := range staleMembers {
		staleMembers[i] = 31 + i
	}
	tests := []struct {
		name  string
		jobs  []batchJob
		limit Limits
		want  [][]int
	}{
		{
			name: "batch flushed before the same user's track",
			jobs: []batchJob{g("u1"), tr("u2"), tr("u1")},
			want: [][]int{{1}, {0}, {2}},
		},
		{
			name: "unrelated events pass the open batch",
			jobs: []batchJob{g("u1"), tr("u2"), g("u3"), tr("u4")},
			want: [][]int{{1}, {3}, {0, 2}},
		},
		{
			name: "errors go out at once and never flush",
			jobs: []batchJob{g("u1"), bad, g("u1"), bad},
			want: [][]int{{1}, {3}, {0, 2}},
		},
		{
			name: "a conflict with any member flushes the whole batch",
			jobs: []batchJob{g("u1"), g("u2"), tr("u2"), g("u2"), tr("u3"), tr("u2")},
			want: [][]int{{0, 1}, {2}, {4}, {3}, {5}},
		},
		{
			name: "group events of one user share a batch",
			jobs: []batchJob{g("u1"), g("u1"), g("u1")},
			want: [][]int{{0, 1, 2}},
		},
		{
			name:  "limit flush keeps order",
			jobs:  []batchJob{g("u1"), g("u1"), g("u1"), tr("u1")},
			limit: Limits{MaxObjects: 2},
			want:  [][]int{{0, 1}, {2}, {3}},
		},
		{
			name: "many members",
			jobs: many,
			want: [][]int{{30}, manyJobs, {31}},
		},
		{
			name: "keys of a flushed batch are forgotten",
			jobs: manyThenStale,
			want: [][]int{staleJobs, {30}, {61}, {62}, staleMembers, {63}},
		},
		{
			name: "non-group only",
			jobs: []batchJob{tr("u1"), tr("u1"), bad},
			want: [][]int{{0}, {1}, {2}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			results := make([]Result, len(tt.jobs))
			for i, k := range tt.jobs {
				switch {
				case k.err:
					results[i] = Result{Err: instrumentationError("userId or email is not present")}
				case k.group:
					results[i] = groupResult(i, k.user, 40)
				default:
					results[i] = trackResult(k.user)
				}
			}
			entries := runBatcher(testDestUS, tt.limit, results)
			var got [][]int
			for _, e := range entries {
				got = append(got, e.Jobs)
				j := e.Jobs[0]
				switch {
				case tt.jobs[j].err:
					if e.Err != results[j].Err || e.Request != nil {
						t.Errorf("job %d: entry %+v, want its error", j, e)
					}
				case !tt.jobs[j].group:
					if e.Request != results[j].Request || e.Err != nil {
						t.Errorf("job %d: entry %+v, want its own request", j, e)
					}
				default:
					checkBatchRequest(t, e.Request, testDestUS, usBatchEndpoint)
				}
			}
			if !slices.EqualFunc(got, tt.want, slices.Equal) {
				t.Errorf("entries cover %v, want %v", got, tt.want)
			}
		})
	}
}

func TestBatcherEmptyResult(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		r    Result
	}{
		{name: "nothing set", r: Result{}},
		{name: "empty object", r: Result{Object: []byte{}, Keys: []string{"user:u1"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			entries := runBatcher(testDestUS, DefaultLimits(), []Result{tt.r})
			if len(entries) != 1 || entries[0].Err == nil || entries[0].Request != nil {
				t.Fatalf("entries = %+v, want one error", entries)
			}
			if entries[0].Err.StatusCode != 500 {
				t.Errorf("status = %d, want 500", entries[0].Err.StatusCode)
			}
		})
	}
}

func TestBatcherFlush(t *testing.T) {
	t.Parallel()
	var out []Entry
	emit := func(e Entry) { out = append(out, e) }
	b := NewBatcher(testDestUS, DefaultLimits())
	b.Flush(emit)
	if len(out) != 0 {
		t.Fatalf("Flush of an empty batcher batchOutput %+v", out)
	}
	b.Add(0, groupResult(0, "u1", 50), emit)
	if len(out) != 0 {
		t.Fatalf("Add of a group object batchOutput %+v", out)
	}
	b.Flush(emit)
	b.Flush(emit)
	if got := batchSizes(out); !slices.Equal(got, []int{1}) {
		t.Fatalf("batch sizes = %v, want [1]", got)
	}
}

func TestBatcherReset(t *testing.T) {
	t.Parallel()
	var out []Entry
	emit := func(e Entry) { out = append(out, e) }
	b := NewBatcher(testDestUS, Limits{MaxObjects: 2})

	// An open batch is discarded by Reset, keys included.
	b.Add(0, groupResult(0, "u1", 50), emit)
	b.Reset(testDestEU, DefaultLimits())
	b.Add(0, trackResult("u1"), emit)
	if len(out) != 1 || out[0].Request == nil || out[0].Request.EndpointPath != "v1/customers/events" {
		t.Fatalf("entries = %+v, want only the track request", out)
	}

	// The new destination and limits apply.
	out = out[:0]
	for i := range 3 {
		b.Add(i, groupResult(i, "u1", 50), emit)
	}
	b.Flush(emit)
	if got := batchSizes(out); !slices.Equal(got, []int{3}) {
		t.Fatalf("batch sizes after Reset = %v, want [3]", got)
	}
	checkBatchRequest(t, out[0].Request, testDestEU, euBatchEndpoint)

	// Back to the first destination.
	out = out[:0]
	b.Reset(testDestUS, DefaultLimits())
	b.Add(0, groupResult(0, "u1", 50), emit)
	b.Flush(emit)
	checkBatchRequest(t, out[0].Request, testDestUS, usBatchEndpoint)
}

func TestBatcherEntriesAreOwned(t *testing.T) {
	t.Parallel()
	var out []Entry
	emit := func(e Entry) { out = append(out, e) }
	b := NewBatcher(testDestUS, Limits{MaxObjects: 2})
	var results []Result
	for i := range 2000 {
		r := groupResult(i, "u"+strconv.Itoa(i%5), 40+i%50)
		if i%3 == 0 {
			r = trackResult("v" + strconv.Itoa(i))
		}
		results = append(results, r)
		b.Add(i, r, emit)
		if i%500 == 499 {
			b.Flush(emit)
			b.Reset(testDestUS, Limits{MaxObjects: 2})
		}
	}
	b.Flush(emit)
	// Every entry still holds its own jobs and objects after later batches
	// reused the batcher's buffers.
	seen := make([]bool, len(results))
	for _, e := range out {
		for _, j := range e.Jobs {
			if seen[j] {
				t.Fatalf("job %d covered twice", j)
			}
			seen[j] = true
		}
		if e.Request.EndpointPath != "v2/batch" {
			continue
		}
		objs := batchObjects(t, e.Request.Body)
		for i, j := range e.Jobs {
			if !batchJSONEqual(t, objs[i], results[j].Object) {
				t.Fatalf("entry for jobs %v: object %d = %s, want %s", e.Jobs, i, objs[i], results[j].Object)
			}
		}
	}
	for _, e := range out {
		_ = append(e.Jobs, -1) // must not write into another entry's jobs
	}
	if i := slices.Index(seen, false); i >= 0 {
		t.Fatalf("job %d not covered", i)
	}
	for _, e := range out {
		if slices.Contains(e.Jobs, -1) {
			t.Fatalf("appending to one entry's jobs changed another: %v", e.Jobs)
		}
	}
}

func TestBatcherNilDestination(t *testing.T) {
	t.Parallel()
	entries := runBatcher(nil, DefaultLimits(), []Result{groupResult(0, "u1", 50)})
	if len(entries) != 1 || entries[0].Request == nil {
		t.Fatalf("entries = %+v, want one batch", entries)
	}
	if got := BatchOfOne(nil, groupResult(0, "u1", 50)); got == nil {
		t.Fatal("BatchOfOne(nil) = nil")
	}
}

// BenchmarkBatcher measures one request message of 1,000 mixed events:
// 40% group objects of about 300 bytes, 50% other requests, 10% errors,
// over 50 users.
func BenchmarkBatcher(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	results := make([]Result, 1000)
	for i := range results {
		user := "u" + strconv.Itoa(rng.IntN(50))
		switch k := rng.IntN(10); {
		case k < 4:
			results[i] = groupResult(i, user, 250+rng.IntN(100))
		case k < 9:
			results[i] = trackResult(user)
		default:
			results[i] = Result{Err: instrumentationError("Event is a required field and should be a string")}
		}
	}
	entries := 0
	emit := func(e Entry) { entries += len(e.Jobs) }
	bt := NewBatcher(testDestUS, DefaultLimits())
	b.ReportAllocs()
	for b.Loop() {
		bt.Reset(testDestUS, DefaultLimits())
		for i, r := range results {
			bt.Add(i, r, emit)
		}
		bt.Flush(emit)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(results)), "ns/event")
}

// TestBatcherKeyIndex fills open batches with more and more distinct
// ordering keys, past the linear list and past the size the map is made
// for, on one Batcher: every key of the open batch is found, whatever the
// filter, and none of a flushed batch's keys is left behind, whether its
// map was cleared whole or key by key.
func TestBatcherKeyIndex(t *testing.T) {
	t.Parallel()
	b := NewBatcher(testDestUS, V2Limits())
	emit := func(Entry) {}
	fresh := func(round, i int) string { return "anon:" + strconv.Itoa(round) + "-" + strconv.Itoa(i) }
	for round, n := range []int{1, linearKeys, linearKeys + 1, keysHint / 2, keysHint, keysHint + 1, 5 * keysHint, keysHint / 2, 3} {
		var keys []string
		for i := range n {
			k := "user:" + strings.Repeat("x", i%7) + strconv.Itoa(round) + "/" + strconv.Itoa(i)
			keys = append(keys, k)
			b.Add(i, Result{Object: []byte(`{}`), Keys: []string{k}}, emit)
		}
		for _, k := range keys {
			if !b.mayHaveKey(k) || !b.hasKey(k) || !b.conflicts([]string{fresh(round, 0), k}) {
				t.Fatalf("round %d (%d keys): key %q of the open batch not found", round, n, k)
			}
		}
		for i := range 200 {
			if k := fresh(round, i); b.hasKey(k) || b.conflicts([]string{k}) {
				t.Fatalf("round %d (%d keys): key %q found, never added", round, n, k)
			}
		}
		b.Flush(emit)
		for _, k := range keys {
			if b.hasKey(k) || b.conflicts([]string{k}) {
				t.Fatalf("round %d (%d keys): key %q of a flushed batch found", round, n, k)
			}
		}
		if b.filter != [filterWords]uint64{} || len(b.keys) != 0 {
			t.Fatalf("round %d (%d keys): flushed batch leaves filter %x and %d indexed keys", round, n, b.filter, len(b.keys))
		}
	}
}

// TestBatcherArena checks that batches flushed into an arena are the
// batches flushed without one, that their storage is the arena's, in
// chunks the size of the body that needed them, and is lent again once the
// arena is reset, that a body over maxArenaBody and any batch after the
// Batcher's Reset are allocations of their own, and that the arena's
// reset keeps what it should and no pointer.
func TestBatcherArena(t *testing.T) {
	t.Parallel()
	big := MaxObjectBytes - 200
	// Small batches, a body over the arena's largest, one of 20 KB, small
	// batches again.
	messages := [][]Result{
		{groupResult(0, "u1", 300), groupResult(1, "u2", 400), trackResult("u1"), groupResult(2, "u1", 500)},
		{groupResult(0, "u1", big), groupResult(1, "u2", big), groupResult(2, "u3", big)},
		{groupResult(0, "u6", 20000)},
		{groupResult(0, "u4", 300), groupResult(1, "u5", 800)},
	}
	inArena := func(a *Arena, body []byte) bool {
		p := uintptr(unsafe.Pointer(&body[0]))
		for _, c := range a.bodies.Chunks() {
			if start := uintptr(unsafe.Pointer(&c[0])); p >= start && p < start+uintptr(len(c)) {
				return true
			}
		}
		return false
	}
	var a Arena
	b := NewBatcher(testDestUS, DefaultLimits())
	var first *byte
	for round := range 3 {
		for mi, results := range messages {
			want := runBatcher(testDestUS, DefaultLimits(), results)
			var out []Entry
			emit := func(e Entry) { out = append(out, e) }
			b.Reset(testDestUS, DefaultLimits())
			b.UseArena(&a)
			for i, r := range results {
				b.Add(i, r, emit)
			}
			b.Flush(emit)
			if !reflect.DeepEqual(out, want) {
				t.Fatalf("round %d, message %d: entries in an arena differ from those without", round, mi)
			}
			last := out[len(out)-1].Request
			if got, small := inArena(&a, last.Body), len(last.Body) <= maxArenaBody; got != small {
				t.Fatalf("round %d, message %d: a body of %d bytes is in the arena: %v, want %v", round, mi, len(last.Body), got, small)
			}
			if mi == 0 {
				if round > 0 && &out[0].Request.Body[0] != first {
					t.Fatalf("round %d: the first batch's body is not the memory the arena lent before", round)
				}
				first = &out[0].Request.Body[0]
			}
			// After the Batcher's Reset, a batch is no longer the arena's.
			b.Reset(testDestUS, DefaultLimits())
			var after []Entry
			b.Add(0, groupResult(0, "u9", 100), func(e Entry) { after = append(after, e) })
			b.Flush(func(e Entry) { after = append(after, e) })
			if inArena(&a, after[0].Request.Body) {
				t.Fatalf("round %d, message %d: a batch flushed after Reset is in the arena", round, mi)
			}
			for _, c := range a.bodies.Chunks() {
				if len(c) != bodyGrain && len(c) != 3*bodyGrain {
					t.Fatalf("round %d, message %d: a chunk of %d bytes, want one of %d for the small bodies and one of %d for the 20 KB one", round, mi, len(c), bodyGrain, 3*bodyGrain)
				}
			}
			a.Reset()
			if len(a.bodies.Chunks()) > maxKeptBodies || len(a.batches.Chunks()) > 1 {
				t.Fatalf("reset keeps %d chunks of bodies and %d of batches, want at most %d and 1", len(a.bodies.Chunks()), len(a.batches.Chunks()), maxKeptBodies)
			}
			for _, c := range a.batches.Chunks() {
				for i := range c {
					if !reflect.ValueOf(c[i]).IsZero() {
						t.Fatalf("a batch request still holds %+v after the reset", c[i].req)
					}
				}
			}
		}
	}
}
