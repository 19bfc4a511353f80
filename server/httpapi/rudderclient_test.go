package httpapi

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"testing"
)

// rudderClient talks to a transformer as rudder-server's Go transformer
// clients do, and enforces the checks rudder-server makes on the answers
// (processor/internal/transformer and router/transformer): a 200 must carry
// apiVersion 2; a router answer is {output: [...]} where every item has a
// non-empty metadata array and the job ids out are exactly the job ids in,
// each in one item; a processor answer has one element per event.
//
// rudder-server's own client packages are not imported: they pull in its
// backend-config, stats and warehouse dependencies (hundreds of modules)
// for a few structs, so the test holds the same rules over its own copy of
// the wire shapes.
type rudderClient struct {
	t    *testing.T
	http *http.Client
	url  string
}

// routerJob is rudder-server's RouterJobT on the wire.
type routerJob struct {
	Message     json.RawMessage `json:"message"`
	Metadata    jobMetadata     `json:"metadata"`
	Destination json.RawMessage `json:"destination"`
	Connection  json.RawMessage `json:"connection,omitempty"`
}

// jobMetadata is the part of rudder-server's JobMetadataT the tests set.
type jobMetadata struct {
	JobID         int64  `json:"jobId"`
	UserID        string `json:"userId,omitempty"`
	SourceID      string `json:"sourceId,omitempty"`
	DestinationID string `json:"destinationId,omitempty"`
	WorkspaceID   string `json:"workspaceId,omitempty"`
	DontBatch     bool   `json:"dontBatch,omitempty"`
}

// destinationJob is rudder-server's DestinationJobT on the wire.
type destinationJob struct {
	Message     json.RawMessage   `json:"batchedRequest"`
	Metadata    []jobMetadata     `json:"metadata"`
	Destination json.RawMessage   `json:"destination"`
	Batched     bool              `json:"batched"`
	StatusCode  int               `json:"statusCode"`
	Error       string            `json:"error"`
	StatTags    map[string]string `json:"statTags"`
}

// postParameters is rudder-server's PostParametersT: what a 200 item's
// batchedRequest must read as to be delivered.
type postParameters struct {
	Type         string                     `json:"type"`
	URL          string                     `json:"endpoint"`
	EndpointPath string                     `json:"endpointPath"`
	Method       string                     `json:"method"`
	UserID       string                     `json:"userId"`
	Headers      map[string]string          `json:"headers"`
	QueryParams  map[string]any             `json:"params"`
	Body         map[string]json.RawMessage `json:"body"`
	Files        map[string]any             `json:"files"`
}

// post sends body and returns the status and answer, checking apiVersion
// on a 200.
func (c *rudderClient) post(path string, compacted bool, body []byte) (int, []byte) {
	c.t.Helper()
	h := http.Header{}
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("X-Feature-Gzip-Support", "?1")
	h.Set("X-Feature-Filter-Code", "?1")
	if compacted {
		h.Set("X-Content-Format", "json+compactedv1")
	}
	resp, data := do(c.t, c.http, http.MethodPost, c.url+path, h, body)
	if resp.StatusCode == http.StatusOK && resp.Header.Get("apiVersion") != "2" {
		c.t.Fatalf("apiVersion header %q, rudder-server requires 2", resp.Header.Get("apiVersion"))
	}
	return resp.StatusCode, data
}

// routerTransform posts jobs as rudder-server's router does and validates
// the answer as it does; it returns the output items.
func (c *rudderClient) routerTransform(jobs []routerJob, compacted bool) []destinationJob {
	c.t.Helper()
	body := c.routerBody(jobs, compacted)
	status, data := c.post("/routerTransform", compacted, body)
	if status != http.StatusOK {
		c.t.Fatalf("router transform answered %d: %s", status, data)
	}
	var resp struct {
		Output []destinationJob `json:"output"`
	}
	if err := json.Unmarshal(data, &resp); err != nil {
		c.t.Fatalf("router answer does not decode as rudder-server's: %v", err)
	}
	if err := validateRouterOutput(jobs, resp.Output); err != nil {
		c.t.Fatalf("rudder-server would reject the answer (every job retried): %v", err)
	}
	return resp.Output
}

// routerBody is the router request in the plain or compacted format.
func (c *rudderClient) routerBody(jobs []routerJob, compacted bool) []byte {
	c.t.Helper()
	var v any = map[string]any{"input": jobs, "destType": "customerio"}
	if compacted {
		type item struct {
			Message  json.RawMessage `json:"message"`
			Metadata jobMetadata     `json:"metadata"`
		}
		items := make([]item, len(jobs))
		dests := map[string]json.RawMessage{}
		conns := map[string]json.RawMessage{}
		for i, j := range jobs {
			items[i] = item{j.Message, j.Metadata}
			dests[j.Metadata.DestinationID] = j.Destination
			conn := j.Connection
			if conn == nil {
				conn = json.RawMessage(`{}`)
			}
			conns[j.Metadata.SourceID+":"+j.Metadata.DestinationID] = conn
		}
		v = map[string]any{"input": items, "destType": "customerio", "destinations": dests, "connections": conns}
	}
	body, err := json.Marshal(v)
	if err != nil {
		c.t.Fatal(err)
	}
	return body
}

// validateRouterOutput holds rudder-server's rules on a router answer.
func validateRouterOutput(in []routerJob, out []destinationJob) error {
	want := make([]int64, len(in))
	for i, j := range in {
		want[i] = j.Metadata.JobID
	}
	var got []int64
	for i, o := range out {
		if len(o.Metadata) == 0 {
			return fmt.Errorf("output[%d] has no metadata", i)
		}
		for _, m := range o.Metadata {
			got = append(got, m.JobID)
		}
		if o.StatusCode == http.StatusOK {
			var pp postParameters
			if err := json.Unmarshal(o.Message, &pp); err != nil {
				return fmt.Errorf("output[%d].batchedRequest: %v", i, err)
			}
			if pp.Type != "REST" || pp.Method == "" || pp.URL == "" || pp.Body == nil {
				return fmt.Errorf("output[%d].batchedRequest is not a deliverable REST request", i)
			}
		} else if o.Error == "" {
			return fmt.Errorf("output[%d] failed with %d and no error", i, o.StatusCode)
		}
	}
	slices.Sort(want)
	slices.Sort(got)
	if !slices.Equal(want, got) {
		return fmt.Errorf("job ids out %v, in %v", got, want)
	}
	return nil
}

// processorTransform posts events as rudder-server's processor does and
// returns the answer's elements, one per event.
func (c *rudderClient) processorTransform(events []routerJob) []map[string]json.RawMessage {
	c.t.Helper()
	body, err := json.Marshal(events)
	if err != nil {
		c.t.Fatal(err)
	}
	status, data := c.post("/v0/destinations/customerio", false, body)
	if status != http.StatusOK {
		c.t.Fatalf("processor transform answered %d: %s", status, data)
	}
	var out []map[string]json.RawMessage
	if err := json.Unmarshal(data, &out); err != nil {
		c.t.Fatalf("processor answer does not decode: %v", err)
	}
	if len(out) != len(events) {
		c.t.Fatalf("%d answers for %d events", len(out), len(events))
	}
	return out
}

// jobIDs returns the job ids of an output item's metadata, in order.
func jobIDs(o destinationJob) []int64 {
	ids := make([]int64, 0, len(o.Metadata))
	for _, m := range o.Metadata {
		ids = append(ids, m.JobID)
	}
	return ids
}
