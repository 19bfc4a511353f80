package httpapi

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/cio-transformer/cio-transformer/transform"
)

// FuzzRouterTransform posts arbitrary router bodies, plain and compacted,
// in both API modes. Properties: no panic; a 200 accounts for every job
// exactly once under rudder-server's output rules; anything else is a
// clear 4xx.
func FuzzRouterTransform(f *testing.F) {
	seed, _ := json.Marshal(map[string]any{"input": mixedJobs(testDest), "destType": "customerio"})
	f.Add(string(seed), false, false)
	f.Add(string(seed), false, true)
	f.Add(`{"input":[{"message":{"type":"group","groupId":1,"traits":{"a.b":1}},"metadata":{"jobId":1},"destination":{"Config":{"siteID":1,"apiKey":true}}}],"destType":"customerio"}`, false, false)
	f.Add(`{"input":[{"message":null,"metadata":{"jobId":1,"destinationId":"d"}}],"destinations":{"d":{"Config":null}},"connections":{},"destType":"customerio"}`, true, true)
	f.Add(`{"input":[],"destType":"customerio"}`, false, false)
	f.Add(`{"input":[{}],"destType":"customerio"}`, true, false)
	legacy, err := New(Config{MaxJobsPerRequest: 200, MaxBodyBytes: 1 << 20})
	if err != nil {
		f.Fatal(err)
	}
	v2, err := New(Config{MaxJobsPerRequest: 200, MaxBodyBytes: 1 << 20, V2Workspaces: "ALL"})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body string, compacted, useV2 bool) {
		h := legacy
		if useV2 {
			h = v2
		}
		req := httptest.NewRequest(http.MethodPost, "/routerTransform", strings.NewReader(body))
		if compacted {
			req.Header.Set("X-Content-Format", "json+compactedv1")
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		switch {
		case rec.Code == http.StatusOK:
		case rec.Code >= 400 && rec.Code < 500:
			return
		default:
			t.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
		// The jobs are the members of the body's "input" (keys are
		// case-sensitive, as JavaScript reads them; the last of a key
		// given twice wins).
		var top map[string]json.RawMessage
		var in struct{ Input []json.RawMessage }
		if err := json.Unmarshal([]byte(body), &top); err != nil {
			t.Fatalf("answered 200 to a body that does not decode: %v", err)
		}
		if raw, ok := top["input"]; ok {
			if err := json.Unmarshal(raw, &in.Input); err != nil && compacted {
				t.Fatalf("answered 200 to a compacted body whose input is not an array: %v", err)
			}
		}
		var out struct {
			Output []json.RawMessage `json:"output"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
			t.Fatalf("answer is not JSON: %v\n%s", err, rec.Body)
		}
		if len(in.Input) == 0 {
			// No jobs: upstream's one error entry.
			if len(out.Output) != 1 || !strings.Contains(string(out.Output[0]), `"error":"Invalid event array"`) {
				t.Fatalf("no jobs in, answered %s", rec.Body)
			}
			return
		}
		jobs := 0
		for _, o := range out.Output {
			var e struct {
				Metadata []json.RawMessage `json:"metadata"`
			}
			if err := json.Unmarshal(o, &e); err != nil || len(e.Metadata) == 0 {
				t.Fatalf("entry without metadata: %s", o)
			}
			jobs += len(e.Metadata)
		}
		if jobs != len(in.Input) {
			t.Fatalf("%d jobs in, %d out", len(in.Input), jobs)
		}
	})
}

// FuzzProxy posts arbitrary proxy payloads to a face whose Deliverer maps
// an arbitrary Customer.io answer. Properties: no panic; the answer is
// valid JSON with exactly one response element per metadata element, in
// order, or the whole request is a clear 4xx.
func FuzzProxy(f *testing.F) {
	f.Add(`{"method":"POST","endpoint":"https://track.customer.io/api/v2/batch","headers":{"A":"b","N":1},"params":{"p":[1]},`+
		`"body":{"JSON":{"batch":[{},{}]},"FORM":{}},"metadata":[{"jobId":1},{"jobId":2}],"destinationConfig":{"siteID":"s"}}`,
		207, `{"errors":[{"batch_index":1,"reason":"r"}]}`)
	f.Add(`{"headers":{"A":{"x":1}},"body":{"XML":{"payload":"<a/>"}},"metadata":[null,1,"x"]}`, 401, `{"message":"no"}`)
	f.Add(`{"body":null,"metadata":[]}`, 503, `down`)
	f.Add(`[]`, 200, ``)
	f.Fuzz(func(t *testing.T, body string, status int, answer string) {
		d := &fakeDeliverer{answer: transform.Answer{Status: status, Body: []byte(answer)}}
		h, err := New(Config{MaxJobsPerRequest: 200, MaxBodyBytes: 1 << 20, Deliverer: d})
		if err != nil {
			t.Fatal(err)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/v1/destinations/customerio/proxy", strings.NewReader(body)))
		if rec.Code >= 400 && rec.Code < 500 && !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") {
			return
		}
		var in struct {
			Metadata []json.RawMessage `json:"metadata"`
		}
		if err := json.Unmarshal([]byte(body), &in); err != nil {
			t.Fatalf("answered %d to a body that does not decode: %v", rec.Code, err)
		}
		var out struct {
			Output struct {
				Response []struct {
					Metadata json.RawMessage `json:"metadata"`
				} `json:"response"`
			} `json:"output"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
			t.Fatalf("answer %d is not JSON: %v\n%s", rec.Code, err, rec.Body)
		}
		if len(out.Output.Response) != len(in.Metadata) {
			t.Fatalf("%d jobs in, %d answered", len(in.Metadata), len(out.Output.Response))
		}
		for i, r := range out.Output.Response {
			var want, got any
			_ = json.Unmarshal(in.Metadata[i], &want)
			_ = json.Unmarshal(r.Metadata, &got)
			if !reflect.DeepEqual(want, got) {
				t.Fatalf("job %d: metadata %s, want %s", i, r.Metadata, in.Metadata[i])
			}
		}
	})
}
