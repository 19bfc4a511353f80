package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// fakeDeliverer answers every delivery with res, or err.
type fakeDeliverer struct {
	res DeliveryResult
	err error
	got DeliveryRequest
}

// Deliver records the request and answers.
func (f *fakeDeliverer) Deliver(_ context.Context, req DeliveryRequest) (DeliveryResult, error) {
	f.got = req
	return f.res, f.err
}

// TestProxyThroughDeliverer renders a Deliverer's outcomes as upstream's
// proxy answer, and answers 500 rather than lose a job.
func TestProxyThroughDeliverer(t *testing.T) {
	t.Parallel()
	payload := `{"version":"v1","type":"REST","method":"POST","endpoint":"https://track.customer.io/api/v2/batch",` +
		`"endpointPath":"v2/batch","headers":{"Authorization":"Basic x"},"params":{},"body":{"JSON":{"batch":[1,2]}},` +
		`"metadata":[{"jobId":1,"destinationId":"d","workspaceId":"w"},{"jobId":2}],"destinationConfig":{}}`
	tests := []struct {
		name       string
		deliverer  *fakeDeliverer
		wantStatus int
		want       string
	}{
		{"partial failure", &fakeDeliverer{res: DeliveryResult{Status: 207, Message: "partial",
			Outcomes: []DeliveryOutcome{{200, "success"}, {400, "reason: r"}}}}, 200,
			`{"output":{"status":207,"message":"partial","response":[` +
				`{"statusCode":200,"metadata":{"jobId":1,"destinationId":"d","workspaceId":"w"},"error":"success"},` +
				`{"statusCode":400,"metadata":{"jobId":2},"error":"reason: r"}]}}`},
		{"proxy error", &fakeDeliverer{res: DeliveryResult{HTTPStatus: 401, Status: 401, Message: "m", ErrorType: "aborted",
			AuthErrorCategory: "REFRESH_TOKEN", Outcomes: []DeliveryOutcome{{401, "e"}, {401, "e"}}}}, 401,
			`{"output":{"status":401,"message":"m","authErrorCategory":"REFRESH_TOKEN","statTags":{"errorCategory":"network",` +
				`"errorType":"aborted","destType":"CUSTOMERIO","module":"destination","implementation":"native",` +
				`"feature":"dataDelivery","destinationId":"d","workspaceId":"w"},"response":[` +
				`{"statusCode":401,"metadata":{"jobId":1,"destinationId":"d","workspaceId":"w"},"error":"e"},` +
				`{"statusCode":401,"metadata":{"jobId":2},"error":"e"}]}}`},
		{"outcome missing", &fakeDeliverer{res: DeliveryResult{Status: 200, Outcomes: []DeliveryOutcome{{200, "success"}}}}, 500, ""},
		{"delivery failed", &fakeDeliverer{err: errors.New("boom")}, 500, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ts, _ := newTestServer(t, Config{Deliverer: tt.deliverer})
			resp, body := do(t, ts.Client(), http.MethodPost, ts.URL+"/v1/destinations/customerio/proxy", nil, []byte(payload))
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tt.wantStatus, body)
			}
			if tt.deliverer.got.Jobs != 2 || string(tt.deliverer.got.Body) != `{"batch":[1,2]}` {
				t.Errorf("deliverer got %+v", tt.deliverer.got)
			}
			if tt.want == "" {
				return
			}
			var want, got any
			_ = json.Unmarshal([]byte(tt.want), &want)
			if err := json.Unmarshal(body, &got); err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("answer (-want +got):\n%s", d)
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
