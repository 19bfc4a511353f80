package transform

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// v2Object returns a BatchPayload-like result whose object is n bytes of
// JSON, for the ordering key key.
func v2Object(n int, key string) Result {
	const frame = `{"type":"person","attributes":{"x":""}}`
	return Result{Object: []byte(`{"type":"person","attributes":{"x":"` + strings.Repeat("a", n-len(frame)) + `"}}`), Keys: []string{key}}
}

// v2BatchSizes runs results through a Batcher with limits and returns the
// number of jobs of each entry, in output order.
func v2BatchSizes(limits Limits, results []Result) []int {
	b := NewBatcher(v2TestDestination, limits)
	var sizes []int
	emit := func(e Entry) { sizes = append(sizes, len(e.Jobs)) }
	for i, r := range results {
		b.Add(i, r, emit)
	}
	b.Flush(emit)
	return sizes
}

func TestV2LimitsHaveNoObjectCap(t *testing.T) {
	t.Parallel()
	results := make([]Result, 2005)
	for i := range results {
		results[i] = v2Object(60, fmt.Sprint("user:", i))
	}
	if got := v2BatchSizes(V2Limits(), results); !slices.Equal(got, []int{2005}) {
		t.Errorf("API mode v2 batches %v, want one of 2005 (upstream has no object cap)", got)
	}
	if got := v2BatchSizes(DefaultLimits(), results); !slices.Equal(got, []int{1000, 1000, 5}) {
		t.Errorf("API mode v1 batches %v, want 1000, 1000, 5", got)
	}
}

// upstreamChunks chunks objects as upstream's chunkPayloadsBySize does:
// before an object is added, the size of {"batch":[...current, next]} is
// computed, and over maxBytes the current chunk is flushed first.
func upstreamChunks(objects [][]byte, maxBytes int) []int {
	var sizes []int
	var current [][]byte
	for _, o := range objects {
		next := append(slices.Clone(current), o)
		body := `{"batch":[` + string(joinBytes(next)) + `]}`
		if len(body) > maxBytes && len(current) > 0 {
			sizes = append(sizes, len(current))
			next = [][]byte{o}
		}
		current = next
	}
	if len(current) > 0 {
		sizes = append(sizes, len(current))
	}
	return sizes
}

// joinBytes joins objects with commas.
func joinBytes(objects [][]byte) []byte {
	var out []byte
	for i, o := range objects {
		if i > 0 {
			out = append(out, ',')
		}
		out = append(out, o...)
	}
	return out
}

func TestV2LimitsChunkAsUpstream(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		sizes []int // object sizes, cycled
		n     int
	}{
		{name: "32 KB objects", sizes: []int{MaxObjectBytes}, n: 40},
		{name: "objects that fill 500,000 bytes exactly", sizes: []int{23808}, n: 50},
		{name: "mixed sizes", sizes: []int{31000, 100, 17000, 29999, 5000}, n: 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var results []Result
			var objects [][]byte
			for i := range tt.n {
				r := v2Object(tt.sizes[i%len(tt.sizes)], fmt.Sprint("user:", i))
				results = append(results, r)
				objects = append(objects, r.Object)
			}
			got := v2BatchSizes(V2Limits(), results)
			want := upstreamChunks(objects, MaxBatchBytes)
			if !slices.Equal(got, want) {
				t.Errorf("batches %v, upstream chunks %v", got, want)
			}
		})
	}
}

func TestUnbatched(t *testing.T) {
	t.Parallel()
	obj := v2Object(100, "user:u1")
	r := Unbatched(v2TestDestination, obj)
	if r.Request == nil || len(r.Object) != 0 || !slices.Equal(r.Keys, obj.Keys) {
		t.Fatalf("got %+v, want a request with the object's keys", r)
	}
	if want := `{"batch":[` + string(obj.Object) + `]}`; string(r.Request.Body) != want {
		t.Errorf("body %s, want %s", r.Request.Body, want)
	}
	if r.Request.UserID != "" || r.Request.Endpoint != hostUS+batchPath || len(r.Request.Headers) != 2 {
		t.Errorf("request %+v, want a /api/v2/batch request with Content-Type and no user id", r.Request)
	}
	bad := Result{Err: instrumentationError("x")}
	if got := Unbatched(v2TestDestination, bad); got.Err != bad.Err || got.Request != nil {
		t.Errorf("an error became %+v", got)
	}
}

func TestUnbatchedKeepsUserOrder(t *testing.T) {
	t.Parallel()
	// Jobs: u1 batched, u2 alone, u1 alone, u3 batched.
	results := []Result{
		v2Object(100, "user:u1"),
		Unbatched(v2TestDestination, v2Object(100, "user:u2")),
		Unbatched(v2TestDestination, v2Object(100, "user:u1")),
		v2Object(100, "user:u3"),
	}
	b := NewBatcher(v2TestDestination, V2Limits())
	var got [][]int
	emit := func(e Entry) { got = append(got, e.Jobs) }
	for i, r := range results {
		b.Add(i, r, emit)
	}
	b.Flush(emit)
	// u2's request does not wait for the open batch; u1's second job does.
	want := [][]int{{1}, {0}, {2}, {3}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("entries %v, want %v", got, want)
	}
}
