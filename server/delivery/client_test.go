package delivery

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/cio-transformer/cio-transformer/internal/fakecio"
	"github.com/cio-transformer/cio-transformer/transform"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

// Secrets and personal data the logs must never show.
const (
	testAuth   = "Basic c2l0ZS0xOnNlY3JldC1hcGkta2V5" // site-1:secret-api-key
	testAPIKey = "secret-api-key"
	testBody   = `{"batch":[{"type":"person","action":"identify","identifiers":{"id":"user-secret@example.com"},"attributes":{"trait":"private-trait"}}]}`
)

func batchRequest(key string, jobs int) Request {
	return Request{
		Method:       http.MethodPost,
		URL:          "https://track.customer.io/api/v2/batch",
		Headers:      map[string]string{"Authorization": testAuth, "Content-Type": "application/json", fakecio.KeyHeader: key},
		Body:         testBody,
		EndpointPath: "v2/batch",
		Jobs:         jobs,
	}
}

func TestClientDeliver(t *testing.T) {
	t.Parallel()
	other := fakecio.Start(nil, fakecio.Response{})
	t.Cleanup(other.Close)
	fake := fakecio.Start(map[string]fakecio.Response{
		"ok":       {Status: 200, Body: `{}`},
		"partial":  {Status: 207, Body: `{"errors":[{"batch_index":1,"reason":"invalid","field":"id","message":"bad"},{"batch_index":7,"reason":"out of range"}]}`},
		"throttle": {Status: 429, Body: `{"meta":{"error":"slow down"}}`, Header: map[string]string{"Retry-After": "12"}},
		"500":      {Status: 500, Body: `{"meta":{"error":"oops"}}`},
		"503":      {Status: 503, Body: `Service Unavailable`},
		"hang":     {Hang: true},
		"reset":    {Reset: true},
		"huge200":  {Status: 200, BodyBytes: 10 << 20},
		"huge207":  {Status: 207, BodyBytes: 10 << 20},
		"huge500":  {Status: 500, BodyBytes: 10 << 20},
		"redirect": {Status: 302, Header: map[string]string{"Location": other.URL + "/api/v2/batch"}},
	}, fakecio.Response{Status: 404})
	t.Cleanup(fake.Close)
	var logs bytes.Buffer
	reg := prometheus.NewRegistry()
	c, err := New(Config{USURL: fake.URL, EUURL: fake.URL, Timeout: 500 * time.Millisecond, Rate: -1,
		Logger: slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})), Metrics: reg})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)

	tests := []struct {
		key        string
		status     int
		errorType  string
		jobStatus  []int
		retryAfter time.Duration
		errHas     string
	}{
		{key: "ok", status: 200, jobStatus: []int{200, 200, 200}},
		{key: "partial", status: 207, jobStatus: []int{200, 400, 200}, errHas: "reason: invalid, field: id, message: bad"},
		{key: "throttle", status: 429, errorType: "throttled", jobStatus: []int{429, 429, 429}, retryAfter: 12 * time.Second, errHas: "slow down"},
		{key: "500", status: 500, errorType: "retryable", jobStatus: []int{500, 500, 500}},
		{key: "503", status: 503, errorType: "retryable", jobStatus: []int{503, 503, 503}, errHas: `"Service Unavailable"`},
		{key: "hang", status: 500, errorType: "retryable", jobStatus: []int{500, 500, 500}, errHas: "did not answer within 500ms"},
		{key: "reset", status: 500, errorType: "retryable", jobStatus: []int{500, 500, 500}, errHas: "connection to Customer.io failed"},
		{key: "huge200", status: 200, jobStatus: []int{200, 200, 200}},
		{key: "huge207", status: 500, errorType: "retryable", jobStatus: []int{500, 500, 500}, errHas: "could not be read whole"},
		{key: "huge500", status: 500, errorType: "retryable", jobStatus: []int{500, 500, 500}, errHas: "could not be read whole"},
		{key: "redirect", status: 302, errorType: "aborted", jobStatus: []int{302, 302, 302}, errHas: "not followed"},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
			defer cancel()
			d := c.Deliver(ctx, batchRequest(tt.key, 3))
			if d.Status != tt.status || d.ErrorType != tt.errorType || d.RetryAfter != tt.retryAfter {
				t.Errorf("status %d, error type %q, retry after %s; want %d, %q, %s", d.Status, d.ErrorType, d.RetryAfter, tt.status, tt.errorType, tt.retryAfter)
			}
			if len(d.Jobs) != len(tt.jobStatus) {
				t.Fatalf("%d outcomes for %d jobs", len(d.Jobs), len(tt.jobStatus))
			}
			found := tt.errHas == ""
			for i, j := range d.Jobs {
				if j.StatusCode != tt.jobStatus[i] {
					t.Errorf("job %d: status %d, want %d (%s)", i, j.StatusCode, tt.jobStatus[i], j.Error)
				}
				found = found || strings.Contains(j.Error, tt.errHas)
			}
			if !found {
				t.Errorf("no job error contains %q: %+v", tt.errHas, d.Jobs)
			}
		})
	}
	// Cleanups run after the parallel subtests.
	t.Cleanup(func() {
		for _, secret := range []string{testAPIKey, testAuth, "c2l0ZS0xOnNlY3JldC1hcGkta2V5", "user-secret", "private-trait", "/api/v2"} {
			if strings.Contains(logs.String(), secret) {
				t.Errorf("logs contain %q:\n%s", secret, logs.String())
			}
		}
		if !strings.Contains(logs.String(), "delivery failed") {
			t.Errorf("failed deliveries were not logged:\n%s", logs.String())
		}
		if len(other.Requests()) != 0 {
			t.Errorf("the redirect was followed")
		}
		if n := testutil.CollectAndCount(reg, metricDeliveries); n == 0 {
			t.Errorf("no delivery metrics recorded")
		}
	})
}

func TestClientSendsWhatItIsGiven(t *testing.T) {
	t.Parallel()
	fake := fakecio.Start(nil, fakecio.Response{Status: 200, Body: `{}`})
	defer fake.Close()
	eu := fakecio.Start(nil, fakecio.Response{Status: 200, Body: `{}`})
	defer eu.Close()
	c, err := New(Config{USURL: fake.URL + "/prefix/", EUURL: eu.URL})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	d := c.Deliver(ctx, Request{
		Method: http.MethodPut, URL: "https://track.customer.io/api/v1/customers/a%2Fb%40c%20d",
		Headers: map[string]string{"Authorization": testAuth, "Connection": "close", "Host": "evil.example"},
		Body:    `{"x":1}`, Params: map[string]string{"destination": "customerio"}, Jobs: 1,
	})
	if d.Status != 200 {
		t.Fatalf("status %d: %+v", d.Status, d.Jobs)
	}
	reqs := fake.Requests()
	if len(reqs) != 1 {
		t.Fatalf("%d requests sent", len(reqs))
	}
	r := reqs[0]
	if r.Method != http.MethodPut || r.EscapedPath != "/prefix/api/v1/customers/a%2Fb%40c%20d" || r.RawQuery != "destination=customerio" || r.Body != `{"x":1}` {
		t.Errorf("sent %s %s?%s %s", r.Method, r.EscapedPath, r.RawQuery, r.Body)
	}
	if r.Header.Get("Authorization") != testAuth || r.Header.Get("Content-Type") != "application/json" {
		t.Errorf("headers %v", r.Header)
	}
	d = c.Deliver(ctx, Request{Method: http.MethodPost, URL: "https://track-eu.customer.io/api/v2/batch", Body: `{}`, Jobs: 2})
	if d.Status != 200 || len(eu.Requests()) != 1 {
		t.Errorf("EU request: status %d, EU fake got %d", d.Status, len(eu.Requests()))
	}
}

func TestClientRefusesOtherHosts(t *testing.T) {
	t.Parallel()
	fake := fakecio.Start(nil, fakecio.Response{Status: 200})
	defer fake.Close()
	c, err := New(Config{USURL: fake.URL, EUURL: fake.URL})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name, method, url string
		headers           map[string]string
	}{
		{"header value with a newline", "POST", "https://track.customer.io/api/v2/batch", map[string]string{"X": "a\nb"}},
		{"header name with a space", "POST", "https://track.customer.io/api/v2/batch", map[string]string{"X Y": "a"}},
		{"other host", "POST", "https://example.com/api/v2/batch", nil},
		{"plain http", "POST", "http://track.customer.io/api/v2/batch", nil},
		{"user info", "POST", "https://u:p@track.customer.io/api/v2/batch", nil},
		{"bad method", "GET", "https://track.customer.io/api/v2/batch", nil},
		{"not a URL", "POST", "::", nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d := c.Deliver(t.Context(), Request{Method: tt.method, URL: tt.url, Headers: tt.headers, Jobs: 2})
			if d.Status != 400 || d.ErrorType != transform.ErrorTypeAborted || len(d.Jobs) != 2 || d.Jobs[1].StatusCode != 400 {
				t.Errorf("got %+v", d)
			}
		})
	}
	if n := len(fake.Requests()); n != 0 {
		t.Errorf("%d requests sent", n)
	}
}

func TestClientRateLimit(t *testing.T) {
	t.Parallel()
	fake := fakecio.Start(nil, fakecio.Response{Status: 200, Body: `{}`})
	defer fake.Close()
	// One request per hour per site: the second request of a site would
	// wait far longer than the timeout, so it is throttled, not sent.
	c, err := New(Config{USURL: fake.URL, EUURL: fake.URL, Rate: 1.0 / 3600, Burst: 1, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	first := c.Deliver(ctx, batchRequest("", 1))
	second := c.Deliver(ctx, batchRequest("", 1))
	otherSite := batchRequest("", 1)
	otherSite.Site = "site-2"
	third := c.Deliver(ctx, otherSite)
	if first.Status != 200 || third.Status != 200 {
		t.Errorf("first and other site: %d, %d; want 200", first.Status, third.Status)
	}
	if second.Status != 429 || second.ErrorType != "throttled" || second.RetryAfter < time.Minute || len(second.Jobs) != 1 {
		t.Errorf("second: %+v", second)
	}
	if n := len(fake.Requests()); n != 2 {
		t.Errorf("%d requests sent, want 2", n)
	}
}

func TestRetryAfter(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, tt := range []struct {
		h    string
		want time.Duration
	}{
		{"", 0}, {"5", 5 * time.Second}, {"-1", 0}, {"soon", 0},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second},
		{now.Add(-time.Hour).Format(http.TimeFormat), 0},
		{"999999999", 24 * time.Hour},
	} {
		if got := retryAfter(tt.h, now); got != tt.want {
			t.Errorf("retryAfter(%q) = %s, want %s", tt.h, got, tt.want)
		}
	}
}

func TestNewRejectsBadBaseURLs(t *testing.T) {
	t.Parallel()
	for _, u := range []string{"ftp://x", "http://", "http://h?q=1", "::"} {
		if _, err := New(Config{USURL: u}); err == nil {
			t.Errorf("New accepted US URL %q", u)
		}
	}
}
