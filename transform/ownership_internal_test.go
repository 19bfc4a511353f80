package transform

import (
	"bytes"
	"fmt"
	"testing"
)

// dumpResult returns every string and byte a Result holds, copied.
func dumpResult(r Result) string {
	s := fmt.Sprintf("object=%q user=%q keys=%q type=%v", r.Object, r.UserID, r.Keys, r.Type)
	if q := r.Request; q != nil {
		s += fmt.Sprintf(" request=%q %q %q %q %q %q %v", q.Method, q.Endpoint, q.EndpointPath, q.Headers, q.Body, q.UserID, q.WellFormed)
	}
	if e := r.Err; e != nil {
		s += fmt.Sprintf(" err=%d %q %q %q", e.StatusCode, e.Message, e.Category, e.Type)
	}
	return s
}

// checkOwnsText maps event (whose Result by Transform is r) as the server
// maps a raw job, from bytes it then overwrites, and checks that the Result
// is r's and did not change with the bytes (see TestResultOwnsItsText).
func checkOwnsText(t *testing.T, event []byte, dest *Destination, r Result) {
	t.Helper()
	buf := bytes.Clone(event)
	mapped := Mode{}.Map(Job{Raw: buf, RawImmutable: true}, dest)
	want, got := dumpResult(r), dumpResult(mapped)
	if got != want {
		t.Fatalf("Map of the raw event differs from Transform:\n%s\n%s", got, want)
	}
	for i := range buf {
		buf[i] = '#'
	}
	if after := dumpResult(mapped); after != got {
		t.Fatalf("the result changed with its event's text:\nbefore %s\nafter  %s", got, after)
	}
}
