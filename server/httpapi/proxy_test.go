package httpapi

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/cio-transformer/cio-transformer/server/delivery"
	"github.com/cio-transformer/cio-transformer/transform"
	"github.com/google/go-cmp/cmp"
)

// fakeDeliverer answers every delivery from answer, as the delivery
// client does, and records the request.
type fakeDeliverer struct {
	answer transform.Answer
	// short drops the last outcome, breaking the Deliverer contract.
	short bool
	mu    sync.Mutex
	got   []delivery.Request
}

// Deliver records the request and maps the answer.
func (f *fakeDeliverer) Deliver(_ context.Context, r delivery.Request) transform.Delivery {
	f.mu.Lock()
	f.got = append(f.got, r)
	f.mu.Unlock()
	d := transform.Deliver(f.answer, r.Jobs)
	if f.short {
		d.Jobs = d.Jobs[:len(d.Jobs)-1]
	}
	return d
}

// requests returns the requests received.
func (f *fakeDeliverer) requests() []delivery.Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.got)
}

// TestProxyThroughDeliverer renders a delivery's outcomes as upstream's
// proxy answer, and answers 500 rather than lose a job.
func TestProxyThroughDeliverer(t *testing.T) {
	t.Parallel()
	payload := `{"version":"v1","type":"REST","method":"POST","endpoint":"https://track.customer.io/api/v2/batch",` +
		`"endpointPath":"v2/batch","headers":{"Authorization":"Basic x","X-N":1,"X-Null":null},"params":{"a":"b","n":2,"o":{"x":1},"z":null},` +
		`"body":{"JSON":{"batch":[1,2.50]},"JSON_ARRAY":{},"XML":{},"FORM":{},"GZIP":{}},` +
		`"metadata":[{"jobId":1,"destinationId":"d","workspaceId":"w"},{"jobId":2}],"destinationConfig":{"siteID":"site"}}`
	tests := []struct {
		name       string
		deliverer  *fakeDeliverer
		wantStatus int
		want       string
	}{
		{"partial failure", &fakeDeliverer{answer: transform.Answer{Status: 207, Body: []byte(`{"errors":[{"batch_index":1,"reason":"r"}]}`)}}, 200,
			`{"output":{"status":207,"message":"` + transform.MessagePartialFailure + `","response":[` +
				`{"statusCode":200,"metadata":{"jobId":1,"destinationId":"d","workspaceId":"w"},"error":"success"},` +
				`{"statusCode":400,"metadata":{"jobId":2},"error":"reason: r"}]}}`},
		{"auth error", &fakeDeliverer{answer: transform.Answer{Status: 401, Body: []byte(`{"message":"no"}`)}}, 401,
			`{"output":{"status":401,"message":"` + transform.MessageDeliveryFailed + `","authErrorCategory":"REFRESH_TOKEN","statTags":{"errorCategory":"network",` +
				`"errorType":"aborted","destType":"CUSTOMERIO","module":"destination","implementation":"native",` +
				`"feature":"dataDelivery","destinationId":"d","workspaceId":"w"},"response":[` +
				`{"statusCode":401,"metadata":{"jobId":1,"destinationId":"d","workspaceId":"w"},"error":"{\"message\":\"no\"}"},` +
				`{"statusCode":401,"metadata":{"jobId":2},"error":"{\"message\":\"no\"}"}]}}`},
		{"unavailable is retryable, answered 200", &fakeDeliverer{answer: transform.Answer{Status: 503, Body: []byte(`down`)}}, 200,
			`{"output":{"status":503,"message":"` + transform.MessageDeliveryFailed + `","statTags":{"errorCategory":"network",` +
				`"errorType":"retryable","destType":"CUSTOMERIO","module":"destination","implementation":"native",` +
				`"feature":"dataDelivery","destinationId":"d","workspaceId":"w"},"response":[` +
				`{"statusCode":503,"metadata":{"jobId":1,"destinationId":"d","workspaceId":"w"},"error":"\"down\""},` +
				`{"statusCode":503,"metadata":{"jobId":2},"error":"\"down\""}]}}`},
		{"outcome missing", &fakeDeliverer{answer: transform.Answer{Status: 200}, short: true}, 500, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ts, _ := newTestServer(t, Config{Deliverer: tt.deliverer})
			resp, body := do(t, ts.Client(), http.MethodPost, ts.URL+"/v1/destinations/customerio/proxy", nil, []byte(payload))
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tt.wantStatus, body)
			}
			wantReq := delivery.Request{
				Method: "POST", URL: "https://track.customer.io/api/v2/batch", EndpointPath: "v2/batch",
				Headers: map[string]string{"Authorization": "Basic x", "X-N": "1"},
				Params:  map[string]string{"a": "b", "n": "2", "o": `{"x":1}`},
				Body:    `{"batch":[1,2.5]}`, Site: "site", Jobs: 2,
			}
			if d := cmp.Diff([]delivery.Request{wantReq}, tt.deliverer.requests()); d != "" {
				t.Errorf("delivered (-want +got):\n%s", d)
			}
			if tt.want == "" {
				return
			}
			var want, got any
			if err := json.Unmarshal([]byte(tt.want), &want); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(body, &got); err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("answer (-want +got):\n%s", d)
			}
		})
	}
}

// TestProxyUndeliverable answers every job with a 400 and sends nothing
// when the request cannot be sent as it came.
func TestProxyUndeliverable(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, payload, wantError string
	}{
		{"object header", `{"method":"POST","endpoint":"https://track.customer.io/api/v2/batch","headers":{"A":{"b":1}},` +
			`"body":{"JSON":{"batch":[]}},"metadata":[{"jobId":1},{"jobId":2}]}`, "[UNDELIVERABLE] :: a header value is an object or array"},
		{"form body", `{"method":"POST","endpoint":"https://track.customer.io/api/v2/batch","headers":{},` +
			`"body":{"JSON":{},"FORM":{"a":"b"}},"metadata":[{"jobId":1},{"jobId":2}]}`, "[UNDELIVERABLE] :: only a JSON body can be sent to Customer.io, got FORM"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := &fakeDeliverer{answer: transform.Answer{Status: 200}}
			ts, _ := newTestServer(t, Config{Deliverer: f})
			resp, body := do(t, ts.Client(), http.MethodPost, ts.URL+"/v1/destinations/customerio/proxy", nil, []byte(tt.payload))
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d: %s", resp.StatusCode, body)
			}
			if n := len(f.requests()); n != 0 {
				t.Errorf("%d requests sent", n)
			}
			var got struct {
				Output struct {
					Status   int
					Response []struct {
						StatusCode int
						Error      string
						Metadata   struct{ JobID int }
					}
				}
			}
			if err := json.Unmarshal(body, &got); err != nil {
				t.Fatal(err)
			}
			if got.Output.Status != 400 || len(got.Output.Response) != 2 {
				t.Fatalf("answer %s", body)
			}
			for i, r := range got.Output.Response {
				if r.StatusCode != 400 || r.Error != tt.wantError || r.Metadata.JobID != i+1 {
					t.Errorf("job %d: %+v", i, r)
				}
			}
		})
	}
}

// TestProxyEmptyBody sends no body when every body format is empty, as
// upstream does for a device delete.
func TestProxyEmptyBody(t *testing.T) {
	t.Parallel()
	f := &fakeDeliverer{answer: transform.Answer{Status: 200}}
	ts, _ := newTestServer(t, Config{Deliverer: f})
	payload := `{"method":"DELETE","endpoint":"https://track.customer.io/api/v1/customers/u/devices/d","headers":{},` +
		`"body":{"JSON":{},"JSON_ARRAY":{},"XML":{},"FORM":{}},"metadata":[{"jobId":1}]}`
	resp, body := do(t, ts.Client(), http.MethodPost, ts.URL+"/v1/destinations/customerio/proxy", nil, []byte(payload))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	if got := f.requests(); len(got) != 1 || got[0].Body != "" || got[0].Jobs != 1 {
		t.Errorf("delivered %+v", got)
	}
}

// TestProxyFeatures advertises the proxy only when it is wired, and sends
// proxy requests to the fallback transformer when it is not.
func TestProxyFeatures(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		d    Deliverer
		want bool
	}{{"wired", &fakeDeliverer{}, true}, {"not wired", nil, false}} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ts, _ := newTestServer(t, Config{Deliverer: tt.d})
			_, body := do(t, ts.Client(), http.MethodGet, ts.URL+"/features", nil, nil)
			var doc struct {
				SupportTransformerProxyV1 bool
				TransformerProxy          map[string]bool
			}
			if err := json.Unmarshal(body, &doc); err != nil {
				t.Fatal(err)
			}
			if doc.SupportTransformerProxyV1 != tt.want || doc.TransformerProxy["CUSTOMERIO"] != tt.want {
				t.Errorf("features %s", body)
			}
		})
	}
}

// TestConfigValidation rejects settings that cannot work.
func TestConfigValidation(t *testing.T) {
	t.Parallel()
	bad := []Config{
		{MaxBodyBytes: -1},
		{MaxJobsPerRequest: -1},
		{FallbackTimeout: -1},
		{Fallback: mustURL(t, "ftp://x")},
		{Fallback: mustURL(t, "http://")},
	}
	for i, c := range bad {
		if _, err := New(c); err == nil {
			t.Errorf("config %d accepted", i)
		}
	}
}

// mustURL parses s.
func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// TestProxyWithFallback: in front of a fallback transformer, a face that
// delivers answers customerio proxy requests itself and adds
// transformerProxy.CUSTOMERIO to the upstream's /features; one that does
// not deliver forwards them, as it does v0 proxy requests.
func TestProxyWithFallback(t *testing.T) {
	t.Parallel()
	payload := []byte(`{"method":"POST","endpoint":"https://track.customer.io/api/v2/batch","headers":{},` +
		`"body":{"JSON":{"batch":[{}]}},"metadata":[{"jobId":1}]}`)
	for _, tt := range []struct {
		name      string
		d         *fakeDeliverer
		forwarded int
	}{{"delivers", &fakeDeliverer{answer: transform.Answer{Status: 200}}, 1}, {"does not deliver", nil, 2}} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			up := &fakeUpstream{}
			us := httptest.NewServer(up)
			t.Cleanup(us.Close)
			u, _ := url.Parse(us.URL)
			cfg := Config{Fallback: u}
			if tt.d != nil {
				cfg.Deliverer = tt.d
			}
			h, err := New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			ts := httptest.NewServer(h)
			t.Cleanup(ts.Close)
			_, body := do(t, ts.Client(), http.MethodPost, ts.URL+"/v1/destinations/customerio/proxy", nil, payload)
			do(t, ts.Client(), http.MethodPost, ts.URL+"/v0/destinations/customerio/proxy", nil, payload)
			if tt.d != nil && (len(tt.d.requests()) != 1 || !strings.Contains(string(body), `"error":"success"`)) {
				t.Errorf("not delivered here: %s", body)
			}
			_, body = do(t, ts.Client(), http.MethodGet, ts.URL+"/features", nil, nil)
			var doc struct{ TransformerProxy map[string]bool }
			if err := json.Unmarshal(body, &doc); err != nil {
				t.Fatal(err)
			}
			if doc.TransformerProxy["CUSTOMERIO"] != (tt.d != nil) {
				t.Errorf("features %s", body)
			}
			if n := up.count() - 1; n != tt.forwarded {
				t.Errorf("%d proxy requests forwarded, want %d", n, tt.forwarded)
			}
		})
	}
}
