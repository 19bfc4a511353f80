package server

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	ciotransformerv1 "github.com/cio-transformer/cio-transformer/gen/ciotransformer/v1"
	"github.com/cio-transformer/cio-transformer/transform"
	"google.golang.org/protobuf/proto"
)

func TestResultArena(t *testing.T) {
	t.Parallel()
	auth := transform.Header{Name: "Authorization", Value: "Basic czpr"}
	ctype := transform.Header{Name: "Content-Type", Value: "application/json"}
	single := &transform.Request{Method: "PUT", Endpoint: "https://x/1", EndpointPath: "v1/customers", Headers: []transform.Header{auth}, Body: []byte(`{}`), UserID: "u"}
	batch := &transform.Request{Method: "POST", Endpoint: "https://x/b", EndpointPath: "v2/batch", Headers: []transform.Header{auth, ctype}, Body: []byte(`{"batch":[]}`)}
	otherAuth := &transform.Request{Method: "PUT", Headers: []transform.Header{{Name: "Authorization", Value: "Basic b3RoZXI="}}}
	badInput := &transform.Error{StatusCode: 400, Message: "m", Category: "c", Type: "t"}
	jobs := []*ciotransformerv1.Job{{JobId: 10}, {JobId: 11}, {JobId: 12}, {JobId: 13}, {JobId: 14}}
	tests := []struct {
		name     string
		entry    transform.Entry
		jobIDs   []uint64
		headers  map[string]string
		errorMsg string
	}{
		{name: "single", entry: transform.Entry{Jobs: []int{0}, Request: single}, jobIDs: []uint64{10},
			headers: map[string]string{"Authorization": "Basic czpr"}},
		{name: "batch", entry: transform.Entry{Jobs: []int{1, 2}, Request: batch}, jobIDs: []uint64{11, 12},
			headers: map[string]string{"Authorization": "Basic czpr", "Content-Type": "application/json"}},
		{name: "single again", entry: transform.Entry{Jobs: []int{3}, Request: single}, jobIDs: []uint64{13},
			headers: map[string]string{"Authorization": "Basic czpr"}},
		{name: "a third header set", entry: transform.Entry{Jobs: []int{3}, Request: otherAuth}, jobIDs: []uint64{13},
			headers: map[string]string{"Authorization": "Basic b3RoZXI="}},
		{name: "error", entry: transform.Entry{Jobs: []int{4}, Err: badInput}, jobIDs: []uint64{14}, errorMsg: "m"},
	}
	// The rows share one arena, as the results of one message do.
	a := newResultArena(jobs)
	for _, tt := range tests {
		r := a.jobResult(tt.entry)
		var ids []uint64
		for _, j := range r.GetJobs() {
			ids = append(ids, j.GetJobId())
		}
		if !reflect.DeepEqual(ids, tt.jobIDs) {
			t.Errorf("%s: jobs %v, want %v", tt.name, ids, tt.jobIDs)
		}
		if tt.errorMsg != "" {
			if got := r.GetError().GetMessage(); got != tt.errorMsg {
				t.Errorf("%s: error %q, want %q", tt.name, got, tt.errorMsg)
			}
			continue
		}
		req := r.GetRequest()
		if !reflect.DeepEqual(req.GetHeaders(), tt.headers) {
			t.Errorf("%s: headers %v, want %v", tt.name, req.GetHeaders(), tt.headers)
		}
		if req.GetMethod() != tt.entry.Request.Method || req.GetBody() != string(tt.entry.Request.Body) ||
			req.GetUrl() != tt.entry.Request.Endpoint || req.GetUserId() != tt.entry.Request.UserID {
			t.Errorf("%s: request %v does not match %+v", tt.name, req, tt.entry.Request)
		}
	}
}

func TestResultArenaSharesHeaders(t *testing.T) {
	t.Parallel()
	jobs := []*ciotransformerv1.Job{{JobId: 1}, {JobId: 2}}
	a := newResultArena(jobs)
	// Same headers in different slices, as two mapped events carry them.
	first := a.jobResult(transform.Entry{Jobs: []int{0}, Request: &transform.Request{Headers: []transform.Header{{Name: "Authorization", Value: "Basic x"}}}})
	second := a.jobResult(transform.Entry{Jobs: []int{1}, Request: &transform.Request{Headers: []transform.Header{{Name: "Authorization", Value: "Basic x"}}}})
	if reflect.ValueOf(first.GetRequest().GetHeaders()).UnsafePointer() != reflect.ValueOf(second.GetRequest().GetHeaders()).UnsafePointer() {
		t.Error("equal headers of one message are not shared")
	}
}

// TestSizedResultMetadata checks that a result's references carry what
// setRefMetadata gives them and that sizedResult counts the metadata as
// metadataSize does, for jobs whose metadata the codec kept as wire bytes
// and for jobs decoded by protobuf, alone and in a batch.
func TestSizedResultMetadata(t *testing.T) {
	t.Parallel()
	decoded := answerRequest(t, testDestination, 4).GetJobs()
	plain := make([]*ciotransformerv1.Job, len(decoded))
	for i, j := range answerRequest(t, testDestination, 4).GetJobs() {
		plain[i] = &ciotransformerv1.Job{JobId: j.GetJobId(), Metadata: j.GetMetadata()}
	}
	plain[0].Metadata = nil
	req := &transform.Request{Body: []byte(`{}`)}
	for name, jobs := range map[string][]*ciotransformerv1.Job{"wire": decoded, "decoded": plain} {
		a := newResultArena(jobs)
		for _, e := range []transform.Entry{
			{Jobs: []int{0}, Request: req},
			{Jobs: []int{1}, Err: transform.InternalError()},
			{Jobs: []int{2, 3}, Request: req},
		} {
			r, meta := a.sizedResult(e)
			want := 0
			for i, idx := range e.Jobs {
				want += metadataSize(jobs[idx])
				var ref ciotransformerv1.JobRef
				ref.JobId = jobs[idx].GetJobId()
				setRefMetadata(&ref, jobs[idx])
				if !proto.Equal(r.GetJobs()[i], &ref) {
					t.Errorf("%s %v: reference %d is %v, want %v", name, e.Jobs, i, r.GetJobs()[i], &ref)
				}
			}
			if meta != want {
				t.Errorf("%s %v: metadata size %d, want %d", name, e.Jobs, meta, want)
			}
		}
	}
}

// TestResultWellFormed checks that a request's URL and user id holding a
// lone surrogate, as an id that is not a string puts in the URL and a
// user id taken from the event keeps, read U+FFFD in the result, and that
// well-formed ones come through as they are.
func TestResultWellFormed(t *testing.T) {
	t.Parallel()
	a := newResultArena([]*ciotransformerv1.Job{{JobId: 1}, {JobId: 2}})
	for _, tt := range []struct{ url, user, wantURL, wantUser string }{
		{"https://x/api/v1/customers/a\xed\xa0\xbdb", "u\xed\xb0\x80", "https://x/api/v1/customers/a\uFFFDb", "u\uFFFD"},
		{"https://x/api/v1/customers/é", "ü-1", "https://x/api/v1/customers/é", "ü-1"},
	} {
		r := a.jobResult(transform.Entry{Jobs: []int{0}, Request: &transform.Request{Endpoint: tt.url, UserID: tt.user, Body: []byte(`{}`)}})
		if got := r.GetRequest(); got.GetUrl() != tt.wantURL || got.GetUserId() != tt.wantUser {
			t.Errorf("url %q, user id %q: result has %q and %q, want %q and %q", tt.url, tt.user, got.GetUrl(), got.GetUserId(), tt.wantURL, tt.wantUser)
		}
	}
}

// TestMappedResultWellFormed maps events whose user id, anonymous id or
// path id holds a lone surrogate where the mapping keeps it (an id that is
// an array, whose text goes into the URL as it is; an anonymous id) and
// checks that the result's URL and user id are valid UTF-8 with U+FFFD in
// its place, as protobuf needs them.
func TestMappedResultWellFormed(t *testing.T) {
	t.Parallel()
	dest := destination(testDestination)
	for _, tt := range []struct{ event, wantURL, wantUser string }{
		{`{"type":"identify","userId":["a\ud800"],"traits":{"email":"x@y.z"}}`, "https://track.customer.io/api/v1/customers/a\uFFFD", "a\uFFFD"},
		{`{"type":"track","event":"e","anonymousId":"\udc00x"}`, "https://track.customer.io/api/v1/events", "\uFFFDx"},
		{`{"type":"identify","userId":"é-1","traits":{"email":"x@y.z"}}`, "https://track.customer.io/api/v1/customers/%C3%A9-1", "é-1"},
		{`{"type":"identify","userId":"u-1","traits":{"email":"x@y.z"}}`, "https://track.customer.io/api/v1/customers/u-1", "u-1"},
		{`{"type":"track","event":"e","userId":["u\udc00"],"anonymousId":"a"}`, "https://track.customer.io/api/v1/customers/u\uFFFD/events", "u\uFFFD"},
		{`{"type":"track","event":"e","anonymousId":"a-1"}`, "https://track.customer.io/api/v1/events", "a-1"},
	} {
		r := mode(testDestination, 0).Map(transform.Job{Raw: []byte(tt.event)}, dest)
		if r.Err != nil {
			t.Fatalf("%s: %s", tt.event, r.Err.Message)
		}
		if lone := strings.ContainsRune(tt.wantUser, utf8.RuneError); lone == utf8.ValidString(r.Request.UserID) {
			t.Fatalf("%s: the mapped user id %q holds no lone surrogate: the case tests nothing", tt.event, r.Request.UserID)
		}
		got := newResultArena([]*ciotransformerv1.Job{{JobId: 1}}).jobResult(transform.Alone(dest, r)).GetRequest()
		if got.GetUrl() != tt.wantURL || got.GetUserId() != tt.wantUser || !utf8.ValidString(got.GetUrl()) || !utf8.ValidString(got.GetUserId()) {
			t.Errorf("%s: url %q, user id %q, want %q and %q", tt.event, got.GetUrl(), got.GetUserId(), tt.wantURL, tt.wantUser)
		}
	}
}

// TestResultStoreReuse checks that results built in a store that earlier
// messages used are the results built without one: three messages of
// single results, errors and batches, over jobs whose metadata the codec
// kept as wire bytes and jobs decoded by protobuf, take turns in one
// store, each followed by a reset, as a stream's messages do.
func TestResultStoreReuse(t *testing.T) {
	t.Parallel()
	wire := answerRequest(t, testDestination, 6).GetJobs()
	plain := make([]*ciotransformerv1.Job, len(wire))
	for i, j := range wire {
		plain[i] = &ciotransformerv1.Job{JobId: j.GetJobId() + 100, Metadata: j.GetMetadata()}
	}
	plain[1].Metadata = nil
	auth := []transform.Header{{Name: "Authorization", Value: "Basic czpr"}}
	req := &transform.Request{Method: "PUT", Endpoint: "https://x/1", EndpointPath: "v1/customers", Headers: auth, Body: []byte(`{"a":1}`), UserID: "u", WellFormed: true}
	messages := []struct {
		jobs    []*ciotransformerv1.Job
		entries []transform.Entry
	}{
		{wire, []transform.Entry{{Jobs: []int{0}, Request: req}, {Jobs: []int{1, 2, 3}, Request: req}, {Jobs: []int{4}, Err: transform.InternalError()}, {Jobs: []int{5}, Request: req}}},
		{plain, []transform.Entry{{Jobs: []int{0}, Err: transform.InternalError()}, {Jobs: []int{1}, Request: req}, {Jobs: []int{2, 3, 4, 5}, Request: req}}},
		{wire, []transform.Entry{{Jobs: []int{5}, Request: req}, {Jobs: []int{0, 1}, Err: transform.InternalError()}}},
	}
	var store resultStore
	for round := range 3 {
		for m, msg := range messages {
			alone := newResultArena(msg.jobs)
			stored := newResultArena(msg.jobs)
			stored.store = &store
			for _, e := range msg.entries {
				want, wantMeta := alone.sizedResult(e)
				got, meta := stored.sizedResult(e)
				if !proto.Equal(got, want) || meta != wantMeta {
					t.Fatalf("round %d, message %d, jobs %v: built in the store %v (metadata %d), alone %v (%d)", round, m, e.Jobs, got, meta, want, wantMeta)
				}
				g, err := marshalDeterministic(got)
				if err != nil {
					t.Fatal(err)
				}
				w, _ := marshalDeterministic(want)
				if !bytes.Equal(g, w) {
					t.Fatalf("round %d, message %d, jobs %v: encoded results differ", round, m, e.Jobs)
				}
			}
			store.reset()
		}
	}
}

// marshalDeterministic encodes m with its map entries sorted.
func marshalDeterministic(m proto.Message) ([]byte, error) {
	return proto.MarshalOptions{Deterministic: true}.Marshal(m)
}

// TestResultStoreResetLetsGo checks that a store keeps nothing of its
// results once reset, and no more storage than its bounds, after a
// message of a few results and after one of many, with batches of many
// jobs among them.
func TestResultStoreResetLetsGo(t *testing.T) {
	t.Parallel()
	jobs := answerRequest(t, testDestination, 3).GetJobs()
	req := &transform.Request{Body: []byte(`{}`), Headers: []transform.Header{{Name: "Authorization", Value: "Basic x"}}}
	batch := make([]int, 100)
	var store resultStore
	for _, n := range []int{3, 2000} {
		many := make([]*ciotransformerv1.Job, n)
		for i := range many {
			many[i] = jobs[i%len(jobs)]
		}
		a := newResultArena(many)
		a.store = &store
		for i := range n {
			a.sizedResult(transform.Entry{Jobs: []int{i}, Request: req})
			if i%50 == 0 {
				a.sizedResult(transform.Entry{Jobs: batch, Request: req})
			}
		}
		if n > 3 && (len(store.blocks.Chunks()) <= maxKeptBlocks || len(store.refs.Chunks()) <= maxKeptRefs) {
			t.Fatalf("%d results took %d chunks of blocks and %d of references; the test needs more than the store keeps", n, len(store.blocks.Chunks()), len(store.refs.Chunks()))
		}
		store.reset()
		if len(store.blocks.Chunks()) > maxKeptBlocks || len(store.refs.Chunks()) > maxKeptRefs || len(store.vals.Chunks()) > maxKeptRefs {
			t.Fatalf("after %d results, reset keeps %d chunks of blocks and %d and %d of references", n, len(store.blocks.Chunks()), len(store.refs.Chunks()), len(store.vals.Chunks()))
		}
		for _, c := range store.blocks.Chunks() {
			for i := range c {
				if !reflect.ValueOf(&c[i]).Elem().IsZero() {
					t.Fatalf("after %d results, a result block still holds %v", n, &c[i].result)
				}
			}
		}
		for _, c := range store.refs.Chunks() {
			for _, r := range c {
				if r != nil {
					t.Fatalf("after %d results, a reference is kept", n)
				}
			}
		}
		for _, c := range store.vals.Chunks() {
			for i := range c {
				if !reflect.ValueOf(&c[i]).Elem().IsZero() {
					t.Fatalf("after %d results, a job reference still holds %v", n, &c[i])
				}
			}
		}
	}
}

// TestResultStoreUse checks that a message of at most maxStoredResults
// jobs builds its results in the store it is given, and a larger one in
// blocks of its own.
func TestResultStoreUse(t *testing.T) {
	t.Parallel()
	req := &transform.Request{Body: []byte(`{}`)}
	for _, n := range []int{1, maxStoredResults, maxStoredResults + 1} {
		var store resultStore
		a := newResultArena(make([]*ciotransformerv1.Job, n))
		a.use(&store)
		a.sizedResult(transform.Entry{Jobs: []int{0}, Request: req})
		if stored := len(store.blocks.Chunks()) > 0; stored != (n <= maxStoredResults) {
			t.Errorf("a message of %d jobs: built in the store %v", n, stored)
		}
	}
}
