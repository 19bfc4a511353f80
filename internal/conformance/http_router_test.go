package conformance

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestHTTPOrderPerDestination checks that the HTTP replay checks D3 within
// each destination group, as the gRPC replay does: a user's later event
// in one group may come before an earlier one in another.
func TestHTTPOrderPerDestination(t *testing.T) {
	t.Parallel()
	dest := func(id string) json.RawMessage {
		return json.RawMessage(`{"ID":"` + id + `","Config":{"siteID":"s","apiKey":"k"}}`)
	}
	track := func(job int) json.RawMessage {
		return json.RawMessage(`{"type":"track","userId":"u","event":"e` + string(rune('0'+job)) + `"}`)
	}
	meta := func(job int) json.RawMessage { return json.RawMessage(`{"jobId":` + string(rune('0'+job)) + `}`) }
	entry := func(job int) map[string]any {
		raw := `{"batchedRequest":{"method":"POST","endpoint":"https://track.customer.io/api/v1/customers/u/events","body":{"JSON":{}}},
			"metadata":[{"jobId":` + string(rune('0'+job)) + `}],"batched":false,"statusCode":200}`
		v, err := decodeJSON([]byte(raw))
		if err != nil {
			t.Fatal(err)
		}
		return v.(map[string]any)
	}
	for _, tc := range []struct {
		name      string
		dests     [2]string
		violation bool
	}{
		{name: "two destinations", dests: [2]string{"d1", "d2"}},
		{name: "one destination", dests: [2]string{"d1", "d1"}, violation: true},
	} {
		inputs := []routerInput{
			{Message: track(1), Metadata: meta(1), Destination: dest(tc.dests[0])},
			{Message: track(2), Metadata: meta(2), Destination: dest(tc.dests[1])},
		}
		// Job 2's request comes before job 1's.
		jc := &jobCompare{inputs: inputs}
		jc.got = []map[string]any{entry(2), entry(1)}
		byMeta := map[string]int{metadataKey(inputs[0].Metadata): 0, metadataKey(inputs[1].Metadata): 1}
		jc.checkOrder(jc.places("output", jc.got, byMeta))
		var found bool
		for _, d := range jc.diffs {
			found = found || strings.Contains(d.note, "(D3)")
		}
		if found != tc.violation {
			t.Errorf("%s: D3 violation reported %v, want %v (%v)", tc.name, found, tc.violation, jc.diffs)
		}
	}
}
