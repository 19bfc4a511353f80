package httpapi

import (
	"encoding/json"
	"reflect"
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
		e := entry{auth: req.Headers["Authorization"], dest: string(o.Destination)}
		for _, m := range o.Metadata {
			e.jobs = append(e.jobs, m.JobID)
		}
		got = append(got, e)
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
