package conformance

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	ciotransformerv1 "github.com/cio-transformer/cio-transformer/gen/ciotransformer/v1"
)

func TestOrderingKeys(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		message string
		object  string
		want    []string
	}{
		{name: "user and anonymous id", message: `{"type":"track","userId":"u1","anonymousId":"a1"}`, want: []string{"user:u1", "anon:a1"}},
		{name: "user id from traits.id", message: `{"type":"identify","traits":{"id":"t1"}}`, want: []string{"user:t1"}},
		{name: "user id from context.traits.userId", message: `{"type":"identify","context":{"traits":{"userId":"c1"}}}`, want: []string{"user:c1"}},
		{name: "empty userId is skipped", message: `{"type":"identify","userId":"","traits":{"userId":"t1"}}`, want: []string{"user:t1"}},
		{name: "numeric userId is its decimal string", message: `{"type":"track","userId":5}`, want: []string{"user:5"}},
		{name: "userId 0 is the string 0", message: `{"type":"track","userId":0}`, want: []string{"user:0"}},
		{name: "traits.userId before traits.id", message: `{"type":"identify","traits":{"id":"i","userId":"x"}}`, want: []string{"user:x"}},
		{name: "traits.id 0 wins and is falsy", message: `{"type":"identify","traits":{"id":0},"context":{"traits":{"id":"c"}}}`, want: nil},
		{name: "traits.userId 0 hides later ids", message: `{"type":"identify","traits":{"userId":0},"context":{"traits":{"id":"c"}}}`, want: nil},
		{name: "email from traits", message: `{"type":"identify","traits":{"email":"a@b.co"}}`, want: []string{"email:a@b.co"}},
		{name: "email from properties", message: `{"type":"track","anonymousId":"a","properties":{"email":"p@b.co"}}`, want: []string{"anon:a", "email:p@b.co"}},
		{name: "email from externalId", message: `{"type":"identify","context":{"externalId":[{"id":"x@y.co","type":"t"}]}}`, want: []string{"email:x@y.co"}},
		{
			name:    "RETL overrides userId and sets the trait",
			message: `{"type":"identify","userId":"old","traits":{},"context":{"mappedToDestination":true,"externalId":[{"id":"x@y.co","identifierType":"email"}]}}`,
			want:    []string{"user:x@y.co", "email:x@y.co"},
		},
		{
			name:    "RETL with a dotted identifier type nests",
			message: `{"type":"identify","traits":{},"context":{"mappedToDestination":"true","externalId":[{"id":"r1","identifierType":"meta.id"}]}}`,
			want:    []string{"user:r1", "email:r1"},
		},
		{name: "alias adds previousId", message: `{"type":"alias","userId":"u2","previousId":"u1"}`, want: []string{"user:u2", "user:u1"}},
		{name: "alias type is case-insensitive", message: `{"type":"ALIAS","userId":"u2","previousId":"u1"}`, want: []string{"user:u2", "user:u1"}},
		{
			name:    "group adds its object",
			message: `{"type":"group","userId":"u1","groupId":"g1"}`,
			object:  `{"identifiers":{"object_id":"g1","object_type_id":"2"}}`,
			want:    []string{"user:u1", "object:2/g1"},
		},
		{name: "not an object", message: `[]`, want: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var object map[string]any
			if tt.object != "" {
				object = mustDecode(t, tt.object).(map[string]any)
			}
			got := orderingKeys(mustDecode(t, tt.message), object)
			if !slices.Equal(got, tt.want) {
				t.Errorf("orderingKeys = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestOrderViolations(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		jobs []orderedJob
		want []int // positions reported
	}{
		{
			name: "in order",
			jobs: []orderedJob{{0, 0, []string{"user:a"}}, {1, 1, []string{"user:a"}}},
		},
		{
			name: "same batch",
			jobs: []orderedJob{{0, 2, []string{"object:1/g"}}, {1, 2, []string{"object:1/g"}}},
		},
		{
			name: "unrelated jobs may swap",
			jobs: []orderedJob{{0, 1, []string{"user:a"}}, {1, 0, []string{"user:b"}}},
		},
		{
			name: "shared key swapped",
			jobs: []orderedJob{{0, 1, []string{"user:a", "object:1/g"}}, {1, 0, []string{"user:b", "object:1/g"}}},
			want: []int{1},
		},
		{
			name: "earlier maximum counts",
			jobs: []orderedJob{{0, 3, []string{"anon:x"}}, {1, 1, []string{"anon:y"}}, {2, 2, []string{"anon:x"}}},
			want: []int{2},
		},
		{
			name: "one report per job",
			jobs: []orderedJob{{0, 1, []string{"user:a", "anon:x"}}, {1, 0, []string{"user:a", "anon:x"}}},
			want: []int{1},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got []int
			for _, d := range orderViolations(tt.jobs) {
				var p int
				if _, err := fmt.Sscanf(d.path, "input[%d]", &p); err != nil {
					t.Fatalf("path %q: %v", d.path, err)
				}
				got = append(got, p)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("violations at %v, want %v", got, tt.want)
			}
		})
	}
}

func TestLimitViolations(t *testing.T) {
	t.Parallel()
	small := `{"type":"object"}`
	big := `{"type":"object","attributes":{"x":"` + strings.Repeat("a", limitObjectBytes) + `"}}`
	medium := `{"type":"object","attributes":{"x":"` + strings.Repeat("a", 30000) + `"}}`
	tests := []struct {
		name    string
		objects []string
		noCap   bool // API mode v2: no object count limit
		want    int  // violations
	}{
		{name: "one small object", objects: []string{small}},
		{name: "1000 objects", objects: repeat(small, limitBatchObjects)},
		{name: "empty", objects: nil, want: 1},
		{name: "empty without a cap", objects: nil, noCap: true, want: 1},
		{name: "1001 objects", objects: repeat(small, limitBatchObjects+1), want: 1},
		{name: "1001 objects without a cap", objects: repeat(small, limitBatchObjects+1), noCap: true},
		{name: "body over 500000 bytes without a cap", objects: repeat(medium, 17), noCap: true, want: 1},
		{name: "object over 32768 bytes", objects: []string{big}, want: 1},
		{name: "body over 500000 bytes", objects: repeat(medium, 17), want: 1},
		{name: "body just under 500000 bytes", objects: repeat(medium, 16)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			body := `{"batch":[` + strings.Join(tt.objects, ",") + `]}`
			b, err := parseBatchBody(body)
			if err != nil {
				t.Fatal(err)
			}
			maxObjects := limitBatchObjects
			if tt.noCap {
				maxObjects = math.MaxInt
			}
			if got := limitViolations("r", body, b, maxObjects); len(got) != tt.want {
				t.Errorf("%d violations, want %d: %v", len(got), tt.want, got)
			}
		})
	}
}

func TestParseBatchBody(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, body string
		wantErr    bool
		objects    int
	}{
		{name: "batch", body: `{"batch":[{"a":1},{"b":2}]}`, objects: 2},
		{name: "bare object", body: `{"type":"object"}`, wantErr: true},
		{name: "extra key", body: `{"batch":[],"x":1}`, wantErr: true},
		{name: "batch not an array", body: `{"batch":{}}`, wantErr: true},
		{name: "not JSON", body: `{`, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b, err := parseBatchBody(tt.body)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if err == nil && len(b.objects) != tt.objects {
				t.Errorf("%d objects, want %d", len(b.objects), tt.objects)
			}
		})
	}
}

// TestRouterCheckFindsMisplacedJobs feeds hand-made results to the router
// comparison: results the service must never give are reported.
func TestRouterCheckFindsMisplacedJobs(t *testing.T) {
	t.Parallel()
	// Two jobs of the same user: a group event, then a track event.
	line := &caseLine{
		Input: []byte(`[
			{"message":{"type":"group","userId":"u1","groupId":"g1"},"metadata":{"jobId":1},"destination":{"ID":"d","Config":{"siteID":"s","apiKey":"k"}}},
			{"message":{"type":"track","userId":"u1","event":"E"},"metadata":{"jobId":2},"destination":{"ID":"d","Config":{"siteID":"s","apiKey":"k"}}}
		]`),
		Expected: []byte(`[]`),
	}
	batch := func(jobs ...uint64) *ciotransformerv1.JobResult {
		r := &ciotransformerv1.JobResult{Outcome: &ciotransformerv1.JobResult_Request{Request: &ciotransformerv1.TrackRequest{
			Method: "POST", Url: "https://track.customer.io/api/v2/batch", EndpointPath: "v2/batch",
			Body: `{"batch":[{"identifiers":{"object_id":"g1","object_type_id":"1"}}]}`,
		}}}
		for _, j := range jobs {
			r.Jobs = append(r.Jobs, &ciotransformerv1.JobRef{JobId: j})
		}
		return r
	}
	track := &ciotransformerv1.JobResult{
		Jobs: []*ciotransformerv1.JobRef{{JobId: 1}},
		Outcome: &ciotransformerv1.JobResult_Request{Request: &ciotransformerv1.TrackRequest{
			Method: "POST", Url: "https://track.customer.io/api/v1/customers/u1/events", Body: `{}`,
		}},
	}
	failure := &ciotransformerv1.JobResult{
		Jobs:    []*ciotransformerv1.JobRef{{JobId: 0}},
		Outcome: &ciotransformerv1.JobResult_Error{Error: &ciotransformerv1.JobError{StatusCode: 400, Message: "m"}},
	}
	tests := []struct {
		name    string
		results []*ciotransformerv1.JobResult
		want    []string // substrings of the notes, in order
	}{
		{name: "in order", results: []*ciotransformerv1.JobResult{batch(0), track}},
		{name: "track before the earlier group (D3)", results: []*ciotransformerv1.JobResult{track, batch(0)}, want: []string{"(D3)"}},
		{name: "an error may come anywhere", results: []*ciotransformerv1.JobResult{track, failure}},
		{name: "job missing", results: []*ciotransformerv1.JobResult{track}, want: []string{"missing from the output"}},
		{name: "job twice", results: []*ciotransformerv1.JobResult{batch(0), track, failure}, want: []string{"more than one result"}},
		{name: "unknown job", results: []*ciotransformerv1.JobResult{batch(0), track, batch(7)}, want: []string{"not a job of this request"}},
		{name: "batch body short of objects", results: []*ciotransformerv1.JobResult{batch(0, 1)}, want: []string{"1 objects for 2 jobs"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rc := &routerCheck{batches: map[*ciotransformerv1.JobResult]*batchBody{}, envelopes: map[envelopePair]bool{}}
			if err := rc.load(line); err != nil {
				t.Fatal(err)
			}
			rc.results = [][]*ciotransformerv1.JobResult{tt.results}
			rc.place()
			rc.checkOrder()
			rc.checkLimits()
			var notes []string
			for _, d := range rc.diffs {
				notes = append(notes, d.path+": "+d.note)
			}
			if len(notes) != len(tt.want) {
				t.Fatalf("notes %q, want %d matching %q", notes, len(tt.want), tt.want)
			}
			for i, w := range tt.want {
				if !strings.Contains(notes[i], w) {
					t.Errorf("note %q does not contain %q", notes[i], w)
				}
			}
		})
	}
}

// repeat returns n copies of s.
func repeat(s string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = s
	}
	return out
}
