package conformance

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	ciotransformerv1 "github.com/cio-transformer/cio-transformer/gen/ciotransformer/v1"
	"github.com/cio-transformer/cio-transformer/internal/fakecio"
)

// deliveryLine holds the delivery-specific fields of a line.
type deliveryLine struct {
	ProxyRequest struct {
		Method   string                     `json:"method"`
		Endpoint string                     `json:"endpoint"`
		Path     string                     `json:"endpointPath"`
		Headers  map[string]string          `json:"headers"`
		Params   map[string]json.RawMessage `json:"params"`
		Body     struct {
			JSON json.RawMessage `json:"JSON"`
		} `json:"body"`
		Metadata []json.RawMessage `json:"metadata"`
	} `json:"proxy_request"`
	Mocked struct {
		Request struct {
			URL     string            `json:"url"`
			Method  string            `json:"method"`
			Headers map[string]string `json:"headers"`
		} `json:"request"`
		Response struct {
			Status int             `json:"status"`
			Data   json.RawMessage `json:"data"`
		} `json:"response"`
	} `json:"mocked_destination_http"`
}

// deliveryScript collects the mocked Customer.io answers of the delivery
// lines in files, keyed by their test-dest-response-key, for the fake
// Customer.io the delivered requests reach.
func deliveryScript(files []corpusFile) map[string]fakecio.Response {
	script := map[string]fakecio.Response{}
	for _, f := range files {
		for _, line := range caseLines(f.data) {
			var c caseLine
			if json.Unmarshal(line, &c) != nil || c.Feature != featureDataDelivery {
				continue
			}
			var d deliveryLine
			if json.Unmarshal(line, &d) != nil {
				continue
			}
			key := d.Mocked.Request.Headers[fakecio.KeyHeader]
			script[key] = fakecio.Response{Status: d.Mocked.Response.Status, Body: string(d.Mocked.Response.Data)}
		}
	}
	return script
}

// verifyDelivery replays a delivery line through Deliver against the fake
// Customer.io, and compares the answer, rendered in the shape of upstream's
// proxy response, with the expected one; it also checks the request the
// fake received against the mocked one.
func (v *verifier) verifyDelivery(ctx context.Context, line []byte) []difference {
	if v.fake == nil {
		return []difference{noteAt("line", "%s", needFake("--addr"))}
	}
	var d deliveryLine
	if err := json.Unmarshal(line, &d); err != nil {
		return []difference{noteAt("line", "not a delivery case: %v", err)}
	}
	var c caseLine
	_ = json.Unmarshal(line, &c)
	want, err := decodeJSON(c.Expected)
	if err != nil {
		return []difference{noteAt("expected", "not JSON: %v", err)}
	}
	pr := d.ProxyRequest
	var body bytes.Buffer
	if err := json.Compact(&body, pr.Body.JSON); err != nil && present(pr.Body.JSON) {
		return []difference{noteAt("proxy_request.body.JSON", "not JSON: %v", err)}
	}
	jobs := make([]*ciotransformerv1.JobRef, len(pr.Metadata))
	for i, md := range pr.Metadata {
		s, err := metadataStruct(md)
		if err != nil {
			return []difference{noteAt(fmt.Sprintf("proxy_request.metadata[%d]", i), "%v", err)}
		}
		jobs[i] = &ciotransformerv1.JobRef{JobId: uint64(i + 1), Metadata: s}
	}
	params := map[string]string{}
	for k, raw := range pr.Params {
		var s string
		if json.Unmarshal(raw, &s) == nil {
			params[k] = s
		} else {
			params[k] = string(raw)
		}
	}
	before := len(v.fake.Requests())

	ctx, cancel := context.WithTimeout(ctx, v.timeout)
	defer cancel()
	resp, err := v.client.Deliver(ctx, &ciotransformerv1.DeliverRequest{
		Request: &ciotransformerv1.TrackRequest{
			Method: pr.Method, Url: pr.Endpoint, EndpointPath: pr.Path, Headers: pr.Headers, Body: body.String(),
		},
		Jobs:   jobs,
		Params: params,
	})
	if err != nil {
		return []difference{noteAt("Deliver", "RPC failed: %v", err)}
	}
	var diffs []difference
	got, gotDiffs := deliveryView(resp.GetDelivery(), jobs)
	diffs = append(diffs, gotDiffs...)
	compareJSON("", deliveryWant(want), got, &diffs)
	diffs = append(diffs, checkSent(v.fake, d, before)...)
	return diffs
}

// checkSent compares the request the fake received with the mocked one:
// method, path and the mocked headers.
func checkSent(fake *fakecio.Server, d deliveryLine, before int) []difference {
	reqs := fake.Requests()
	if len(reqs) != before+1 {
		return []difference{noteAt("destination request", "want one request sent to Customer.io, got %d", len(reqs)-before)}
	}
	got := reqs[before]
	var diffs []difference
	m := d.Mocked.Request
	if u, err := url.Parse(m.URL); err == nil && u.Path != got.Path {
		diffs = append(diffs, difference{path: "destination request.path", want: u.Path, got: got.Path})
	}
	if !strings.EqualFold(m.Method, got.Method) {
		diffs = append(diffs, difference{path: "destination request.method", want: m.Method, got: got.Method})
	}
	for k, want := range m.Headers {
		if g := got.Header.Get(k); g != want {
			diffs = append(diffs, difference{path: "destination request.headers." + k, want: want, got: g})
		}
	}
	return diffs
}

// deliveryWant is the comparable part of an expected proxy answer: the
// HTTP status and the output, with statTags reduced to the error category
// and type (the rest comes from RudderStack's wrapper).
func deliveryWant(want any) any {
	w, ok := want.(map[string]any)
	if !ok {
		return want
	}
	body, _ := w["body"].(map[string]any)
	out, _ := body["output"].(map[string]any)
	if tags, ok := out["statTags"].(map[string]any); ok {
		out["statTags"] = map[string]any{"errorCategory": tags["errorCategory"], "errorType": tags["errorType"]}
	}
	return w
}

// deliveryView renders a Delivery in the shape of upstream's proxy
// response: {http_status, body: {output}}.
func deliveryView(d *ciotransformerv1.Delivery, jobs []*ciotransformerv1.JobRef) (map[string]any, []difference) {
	var diffs []difference
	if len(d.GetJobs()) != len(jobs) {
		diffs = append(diffs, noteAt("delivery.jobs", "want %d job outcomes, got %d", len(jobs), len(d.GetJobs())))
	}
	resp := make([]any, 0, len(d.GetJobs()))
	for i, j := range d.GetJobs() {
		if i < len(jobs) && j.GetJob().GetJobId() != jobs[i].GetJobId() {
			diffs = append(diffs, noteAt(fmt.Sprintf("delivery.jobs[%d]", i), "answers job %d, want job %d", j.GetJob().GetJobId(), jobs[i].GetJobId()))
		}
		entry := map[string]any{"statusCode": number(j.GetStatusCode()), "error": j.GetError()}
		if md, ok, err := structJSON(j.GetJob().GetMetadata()); err != nil {
			diffs = append(diffs, noteAt(fmt.Sprintf("delivery.jobs[%d].metadata", i), "%v", err))
		} else if ok {
			entry["metadata"] = md
		}
		resp = append(resp, entry)
	}
	out := map[string]any{"status": number(d.GetStatus()), "message": d.GetMessage(), "response": resp}
	if d.GetErrorType() != "" {
		out["statTags"] = map[string]any{"errorCategory": d.GetErrorCategory(), "errorType": d.GetErrorType()}
	}
	if d.GetAuthErrorCategory() != "" {
		out["authErrorCategory"] = d.GetAuthErrorCategory()
	}
	// RudderStack's proxy endpoint answers 200 unless the outcome carries
	// an auth error category.
	httpStatus := int32(200)
	if d.GetAuthErrorCategory() != "" {
		httpStatus = d.GetStatus()
	}
	return map[string]any{"http_status": number(httpStatus), "body": map[string]any{"output": out}}, diffs
}

// needFake is the note of a delivery line replayed against a running
// server without a fake Customer.io.
func needFake(flag string) string {
	return "a delivery case needs a fake Customer.io: with " + flag + ", give --fake-cio HOST:PORT and start the server with --delivery-us-url http://HOST:PORT"
}

// number is an integer as decodeJSON gives it.
func number(n int32) json.Number { return json.Number(strconv.Itoa(int(n))) }
