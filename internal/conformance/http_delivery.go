package conformance

import (
	"context"
	"encoding/json"
	"net/http"
)

// proxyPath is where rudder-server posts a customerio delivery (proxy
// payload v1).
const proxyPath = "/v1/destinations/customerio/proxy"

// verifyDeliveryHTTP posts a delivery line's proxy_request, as
// rudder-server posts it, to the proxy endpoint, which delivers it to the
// fake Customer.io, and compares the whole answer (HTTP status and
// document) with upstream's; it also checks the request the fake received
// against the mocked one. rudder-server has one format for proxy
// requests: the line is replayed once, whatever --formats says.
func (v *httpVerifier) verifyDeliveryHTTP(ctx context.Context, base string, line []byte) []difference {
	if v.fake == nil {
		return []difference{noteAt("line", "%s", needFake("--http-url"))}
	}
	var d deliveryLine
	var raw struct {
		ProxyRequest json.RawMessage `json:"proxy_request"`
		Expected     struct {
			HTTPStatus int             `json:"http_status"`
			Body       json.RawMessage `json:"body"`
		} `json:"expected"`
	}
	if err := json.Unmarshal(line, &d); err != nil {
		return []difference{noteAt("line", "not a delivery case: %v", err)}
	}
	if err := json.Unmarshal(line, &raw); err != nil || !present(raw.ProxyRequest) {
		return []difference{noteAt("proxy_request", "missing or not JSON")}
	}
	want, err := decodeJSON(raw.Expected.Body)
	if err != nil {
		return []difference{noteAt("expected.body", "not JSON: %v", err)}
	}
	wantStatus := raw.Expected.HTTPStatus
	if wantStatus == 0 {
		wantStatus = http.StatusOK
	}
	before := len(v.fake.Requests())
	status, got, err := v.post(ctx, base+proxyPath, false, raw.ProxyRequest)
	if err != nil {
		return []difference{noteAt("POST "+proxyPath, "%v", err)}
	}
	var diffs []difference
	if status != wantStatus {
		diffs = append(diffs, difference{path: "http_status", want: wantStatus, got: status})
	}
	compareJSON("", want, got, &diffs)
	return append(diffs, checkSent(v.fake, d, before)...)
}
