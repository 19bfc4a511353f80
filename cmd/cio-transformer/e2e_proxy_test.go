package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
)

// proxyPayload is rudder-server's proxy request (payload v1) for
// batchOfThree(key), covering three jobs whose ids start at first.
func proxyPayload(t *testing.T, key string, first int) []byte {
	t.Helper()
	r := batchOfThree(key)
	var body any
	if err := json.Unmarshal([]byte(r.GetBody()), &body); err != nil {
		t.Fatal(err)
	}
	md := make([]map[string]any, 3)
	for i := range md {
		md[i] = map[string]any{"jobId": first + i, "attemptNum": 1, "destinationId": "d", "workspaceId": "w",
			"secret": map[string]any{"accessToken": e2eAPIKey}, "dontBatch": false}
	}
	p, err := json.Marshal(map[string]any{
		"version": "v1", "type": "REST", "method": r.GetMethod(), "endpoint": r.GetUrl(), "endpointPath": r.GetEndpointPath(),
		"userId": "", "headers": r.GetHeaders(), "params": map[string]any{},
		"body":     map[string]any{"JSON": body, "JSON_ARRAY": map[string]any{}, "XML": map[string]any{}, "FORM": map[string]any{}, "GZIP": map[string]any{}},
		"files":    map[string]any{},
		"metadata": md, "destinationConfig": map[string]any{"siteID": "site", "apiKey": e2eAPIKey},
	})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// proxyAnswer is the part of a proxy answer the end-to-end test checks.
type proxyAnswer struct {
	Output struct {
		Status            int    `json:"status"`
		Message           string `json:"message"`
		AuthErrorCategory string `json:"authErrorCategory"`
		StatTags          struct {
			ErrorType string `json:"errorType"`
			Feature   string `json:"feature"`
		} `json:"statTags"`
		Response []struct {
			StatusCode int    `json:"statusCode"`
			Error      string `json:"error"`
			Metadata   struct {
				JobID int `json:"jobId"`
			} `json:"metadata"`
		} `json:"response"`
	} `json:"output"`
}

// TestProxyE2E posts rudder-server's proxy request to the real binary's
// HTTP face for every fault case of the fake Customer.io: every job is
// answered exactly once, in order, with the outcome the gRPC Deliver
// gives, and the logs show no credential or payload.
func TestProxyE2E(t *testing.T) {
	t.Parallel()
	fake, other := startFaultyCIO(t)
	srv := startServer(t, "--http-listen", "127.0.0.1:0", "--delivery-us-url", fake.URL, "--delivery-eu-url", fake.URL,
		"--delivery-timeout", "1s", "--log-level", "debug")
	base := "http://" + httpAddr(t, srv)

	for i, c := range deliveryCases {
		t.Run(c.key, func(t *testing.T) {
			first := 100*i + 1
			resp, data := httpDo(t, http.MethodPost, base+"/v1/destinations/customerio/proxy",
				"application/json", string(proxyPayload(t, c.key, first)))
			wantHTTP := http.StatusOK
			if c.status == 401 {
				wantHTTP = 401
			}
			var a proxyAnswer
			if err := json.Unmarshal(data, &a); err != nil || resp.StatusCode != wantHTTP {
				t.Fatalf("HTTP %d, want %d: %v %s", resp.StatusCode, wantHTTP, err, data)
			}
			o := a.Output
			if o.Status != int(c.status) || o.StatTags.ErrorType != c.errorType || (c.errorType != "" && o.StatTags.Feature != "dataDelivery") {
				t.Errorf("status %d, error type %q; want %d, %q: %s", o.Status, o.StatTags.ErrorType, c.status, c.errorType, data)
			}
			if want := c.retryAfter; want > 0 && resp.Header.Get("Retry-After") != fmt.Sprint(int(want.Seconds())) {
				t.Errorf("Retry-After %q, want %s", resp.Header.Get("Retry-After"), want)
			}
			if len(o.Response) != 3 {
				t.Fatalf("%d outcomes for 3 jobs: %s", len(o.Response), data)
			}
			for k, r := range o.Response {
				if r.Metadata.JobID != first+k {
					t.Errorf("outcome %d is for job %d, want %d", k, r.Metadata.JobID, first+k)
				}
				if r.StatusCode != int(c.jobStatus[k]) || r.Error == "" {
					t.Errorf("job %d: %d %q, want status %d", k, r.StatusCode, r.Error, c.jobStatus[k])
				}
			}
		})
	}

	checkDeliveries(t, fake, other, srv, `"route":"proxy"`)
}
