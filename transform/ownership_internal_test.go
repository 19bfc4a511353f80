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

// mapOwned maps the raw event as the server maps a raw job, from a copy
// of its bytes that it then overwrites, and checks that the Result did not
// change with them: it refers to no text of its event. It returns the
// Result's dump (dumpResult).
func mapOwned(t *testing.T, m Mode, event []byte, dontBatch bool, dest *Destination) string {
	t.Helper()
	buf := bytes.Clone(event)
	r := m.Map(Job{Raw: buf, RawImmutable: true, DontBatch: dontBatch}, dest)
	before := dumpResult(r)
	for i := range buf {
		buf[i] = '#'
	}
	if after := dumpResult(r); after != before {
		t.Fatalf("the result changed with its event's text:\nbefore %s\nafter  %s\nevent %s", before, after, event)
	}
	return before
}

// checkOwnsText maps event (whose Result by Transform is r) with mapOwned,
// and checks that the Result is r's.
func checkOwnsText(t *testing.T, event []byte, dest *Destination, r Result) {
	t.Helper()
	if got, want := mapOwned(t, Mode{}, event, false, dest), dumpResult(r); got != want {
		t.Fatalf("Map of the raw event differs from Transform:\n%s\n%s", got, want)
	}
}
