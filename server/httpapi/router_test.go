package httpapi

import (
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"
)

// TestStaticConfigGroup checks a destination whose hasDynamicConfig is
// false and whose jobs carry two configurations: one group, as upstream
// groups it, every job mapped with its own configuration and in its order,
// and no batch holding jobs of both (deviation D8). Successes echo the
// group's first destination, as upstream's do.
func TestStaticConfigGroup(t *testing.T) {
	t.Parallel()
	_, c := newTestServer(t, Config{})
	destA := `{"ID":"d1","hasDynamicConfig":false,"Config":{"siteID":"s","apiKey":"a","deviceTokenEventName":"X"}}`
	destB := `{"ID":"d1","hasDynamicConfig":false,"Config":{"siteID":"s","apiKey":"b"}}`
	messages := []struct{ msg, dest string }{
		{`{"type":"identify","userId":"u2"}`, destA},
		{`{"type":"identify","userId":"u1"}`, destB},
		{`{"type":"track","userId":"u1","event":"e"}`, destA},
		{`{"type":"group","userId":"u3","groupId":"g1"}`, destA},
		{`{"type":"group","userId":"u4","groupId":"g2"}`, destB},
		{`{"type":"group","userId":"u5","groupId":"g3"}`, destB},
	}
	jobs := make([]routerJob, len(messages))
	for i, m := range messages {
		jobs[i] = routerJob{Message: json.RawMessage(m.msg), Metadata: jobMetadata{JobID: int64(i + 1), WorkspaceID: "w1"}, Destination: json.RawMessage(m.dest)}
	}
	out := c.routerTransform(jobs, false)
	type entry struct {
		jobs []int64
		auth string
		dest string
	}
	var got []entry
	for _, o := range out {
		if o.StatusCode != 200 {
			t.Fatalf("job %v failed: %s", o.Metadata, o.Error)
		}
		var req postParameters
		if err := json.Unmarshal(o.Message, &req); err != nil {
			t.Fatal(err)
		}
		got = append(got, entry{jobs: jobIDs(o), auth: req.Headers["Authorization"], dest: string(o.Destination)})
	}
	const authA, authB = "Basic czph", "Basic czpi" // s:a, s:b
	want := []entry{
		{jobs: []int64{1}, auth: authA, dest: destA},
		{jobs: []int64{2}, auth: authB, dest: destA},
		{jobs: []int64{3}, auth: authA, dest: destA},
		{jobs: []int64{4}, auth: authA, dest: destA},
		{jobs: []int64{5, 6}, auth: authB, dest: destA},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("entries\n%+v\nwant\n%+v", got, want)
	}
}

// TestGroupsOfOneDestinationInOrder checks that jobs of one destination
// that upstream puts in different groups (here a hasDynamicConfig that is
// false on some jobs only) still come out in their order (deviation D3),
// each echoing its own group's first destination.
func TestGroupsOfOneDestinationInOrder(t *testing.T) {
	t.Parallel()
	_, c := newTestServer(t, Config{})
	static := `{"ID":"d1","hasDynamicConfig":false,"Config":{"siteID":"s","apiKey":"a"}}`
	dynamic := `{"ID":"d1","Config":{"siteID":"s","apiKey":"a"}}`
	other := `{"ID":"d2","Config":{"siteID":"s","apiKey":"a"}}`
	messages := []struct{ msg, dest string }{
		{`{"type":"identify","userId":"u1"}`, static},
		{`{"type":"track","userId":"u1","event":"a"}`, dynamic},
		{`{"type":"track","userId":"u1","event":"b"}`, other},
		{`{"type":"track","userId":"u1","event":"c"}`, static},
	}
	jobs := make([]routerJob, len(messages))
	for i, m := range messages {
		jobs[i] = routerJob{Message: json.RawMessage(m.msg), Metadata: jobMetadata{JobID: int64(i + 1)}, Destination: json.RawMessage(m.dest)}
	}
	var got [][2]string
	for _, o := range c.routerTransform(jobs, false) {
		got = append(got, [2]string{string(rune('0' + o.Metadata[0].JobID)), string(o.Destination)})
	}
	want := [][2]string{{"1", static}, {"2", dynamic}, {"4", static}, {"3", other}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("entries %q, want %q", got, want)
	}
}

// TestRouterEchoBounded checks that a router answer whose entries would
// repeat their group's first job (its destination in each success entry,
// its destinationId and workspaceId in each error's statTags) for more
// than the body limit is refused with 413 before it is written, in the
// plain format too: a few hundred kilobytes in the first job were echoed
// by every other job of the group. Within the limit the answer echoes
// them as upstream does.
func TestRouterEchoBounded(t *testing.T) {
	t.Parallel()
	const limit = 1 << 20
	big := strings.Repeat("x", 200_000)
	body := func(firstMeta, firstDest, rest string, n int) []byte {
		var b strings.Builder
		b.WriteString(`{"destType":"customerio","input":[`)
		fmt.Fprintf(&b, `{"message":{"type":"identify","userId":"u0"},"metadata":%s,"destination":%s}`, firstMeta, firstDest)
		for i := range n {
			fmt.Fprintf(&b, `,{"message":%s,"metadata":{"jobId":%d,"destinationId":"d1"},"destination":%s}`, fmt.Sprintf(rest, i+1), i+2, testDest)
		}
		b.WriteString(`]}`)
		return []byte(b.String())
	}
	bigIDs := `{"jobId":1,"destinationId":"d1","workspaceId":"` + big + `"}`
	bigDest := `{"ID":"d1","Config":{"siteID":"customerio1","apiKey":"customerio2"},"Note":"` + big + `"}`
	const errorJob, identifyJob = `{"type":"nope","userId":"u%d"}`, `{"type":"identify","userId":"u%d"}`
	_, c := newTestServer(t, Config{MaxBodyBytes: limit})
	tests := []struct {
		name string
		body []byte
		want int
	}{
		{"the first job's ids in 10 errors' statTags", body(bigIDs, testDest, errorJob, 10), http.StatusRequestEntityTooLarge},
		{"the first job's destination in 10 success entries", body(`{"jobId":1,"destinationId":"d1"}`, bigDest, identifyJob, 10), http.StatusRequestEntityTooLarge},
		{"the first job's ids in 4 errors' statTags", body(bigIDs, testDest, errorJob, 4), http.StatusOK},
		{"the first job's destination in 4 success entries", body(`{"jobId":1,"destinationId":"d1"}`, bigDest, identifyJob, 4), http.StatusOK},
	}
	for _, tt := range tests {
		status, data := c.post("/routerTransform", false, tt.body)
		if status != tt.want {
			t.Errorf("%s: status %d: %.200s, want %d", tt.name, status, data, tt.want)
			continue
		}
		switch {
		case status == http.StatusRequestEntityTooLarge && !strings.HasPrefix(string(data), "the answer's entries would echo "):
			t.Errorf("%s: %.300s", tt.name, data)
		case status == http.StatusOK && strings.Count(string(data), big) != 5:
			t.Errorf("%s: the first job's %d KB echoed %d times, want 5 (its entry and 4 others)", tt.name, len(big)/1000, strings.Count(string(data), big))
		}
	}
}
