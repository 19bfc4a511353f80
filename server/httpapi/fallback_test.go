package httpapi

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeUpstream is a rudder-transformer stand-in that records what reaches
// it and answers with fixed bytes.
type fakeUpstream struct {
	mu       sync.Mutex
	requests []recorded
}

// recorded is one request that reached the fake upstream.
type recorded struct {
	method, path string
	header       http.Header
	body         []byte
}

// upstreamAnswer is the fake upstream's answer to transforms: odd
// formatting, so that any re-encoding shows.
const upstreamAnswer = "{\"output\" : [ {\"statusCode\":299,\"metadata\":[{\"jobId\":7}]} ]}\n"

func (f *fakeUpstream) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	f.requests = append(f.requests, recorded{r.Method, r.URL.Path, r.Header.Clone(), body})
	f.mu.Unlock()
	switch r.URL.Path {
	case "/features":
		_, _ = io.WriteString(w, `{"routerTransform":{"AM":true},"supportDestTransformCompactedPayloadV1":false,"regulations":["BRAZE"]}`)
	case "/retry":
		w.Header().Set("X-Rudder-Should-Retry", "true")
		w.Header().Set("X-Rudder-Error-Reason", "downstream busy")
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = io.WriteString(w, "busy")
	case "/slow":
		<-r.Context().Done()
	default:
		w.Header().Set("apiVersion", "2")
		w.Header().Set("X-Upstream", "yes")
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		_, _ = io.WriteString(w, upstreamAnswer)
	}
}

// last returns the last request that reached the upstream.
func (f *fakeUpstream) last(t *testing.T) recorded {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.requests) == 0 {
		t.Fatal("nothing reached the upstream")
	}
	return f.requests[len(f.requests)-1]
}

// count is how many requests reached the upstream.
func (f *fakeUpstream) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.requests)
}

// newFallbackPair serves a fake upstream and a Handler forwarding to it.
func newFallbackPair(t *testing.T, timeout time.Duration) (*fakeUpstream, *httptest.Server) {
	t.Helper()
	up := &fakeUpstream{}
	us := httptest.NewServer(up)
	t.Cleanup(us.Close)
	u, _ := url.Parse(us.URL)
	h, err := New(Config{Fallback: u, FallbackTimeout: timeout})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	return up, ts
}

// do sends one request and returns the answer and its body.
func do(t *testing.T, c *http.Client, method, url string, header http.Header, body []byte) (*http.Response, []byte) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, data
}

// TestFallbackForwardsOtherDestinations sends requests for other
// destination types and paths: each reaches the upstream unchanged and its
// answer comes back unchanged (status, headers that matter, body bytes).
func TestFallbackForwardsOtherDestinations(t *testing.T) {
	t.Parallel()
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	_, _ = zw.Write([]byte(`{"input":[{"message":{},"metadata":{"jobId":7}}],"destType":"am"}`))
	_ = zw.Close()
	tests := []struct {
		name, method, path string
		header             http.Header
		body               []byte
	}{
		{"router for another destination", "POST", "/routerTransform",
			http.Header{"Content-Type": {"application/json; charset=utf-8"}},
			[]byte(`{"input":[{"message":{"type":"track"},"metadata":{"jobId":7},"destination":{"ID":"x"}}], "destType":"am"}`)},
		{"compacted router", "POST", "/routerTransform",
			http.Header{"X-Content-Format": {"json+compactedv1"}},
			[]byte(`{"input":[],"destType":"braze","destinations":{},"connections":{}}`)},
		{"gzip router", "POST", "/routerTransform",
			http.Header{"Content-Encoding": {"gzip"}}, gz.Bytes()},
		{"processor for another destination", "POST", "/v0/destinations/am", nil, []byte(`[{"message":{}}]`)},
		{"proxy for another destination", "POST", "/v1/destinations/braze/proxy", nil, []byte(`{"endpoint":"x"}`)},
		{"another path", "POST", "/customTransform", nil, []byte(`[{"x":1}]`)},
		{"router body not readable here", "POST", "/routerTransform", nil, []byte(`{"input":{"not":"an array"},"destType":"am"}`)},
		{"another method", "GET", "/transformerBuildVersion", nil, nil},
	}
	up, ts := newFallbackPair(t, time.Minute)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := do(t, ts.Client(), tt.method, ts.URL+tt.path, tt.header, tt.body)
			got := up.last(t)
			if got.method != tt.method || got.path != tt.path || !bytes.Equal(got.body, tt.body) {
				t.Errorf("upstream got %s %s %q, want %s %s %q", got.method, got.path, got.body, tt.method, tt.path, tt.body)
			}
			for k := range tt.header {
				if got.header.Get(k) != tt.header.Get(k) {
					t.Errorf("upstream header %s %q, want %q", k, got.header.Get(k), tt.header.Get(k))
				}
			}
			if resp.StatusCode != 200 || string(body) != upstreamAnswer ||
				resp.Header.Get("X-Upstream") != "yes" || resp.Header.Get("apiVersion") != "2" {
				t.Errorf("answer %d %v %q, want the upstream's unchanged", resp.StatusCode, resp.Header, body)
			}
		})
	}
}

// TestFallbackKeepsCustomerio answers customerio itself, without asking
// the upstream.
func TestFallbackKeepsCustomerio(t *testing.T) {
	t.Parallel()
	up, ts := newFallbackPair(t, time.Minute)
	c := &rudderClient{t: t, http: ts.Client(), url: ts.URL}
	c.routerTransform(mixedJobs(testDest), false)
	c.routerTransform(mixedJobs(testDest), true)
	c.processorTransform(mixedJobs(testDest))
	do(t, ts.Client(), "GET", ts.URL+"/health", nil, nil)
	if n := up.count(); n != 0 {
		t.Errorf("%d requests reached the upstream, want none", n)
	}
}

// TestFallbackFeaturesAndFailures checks the merged /features document,
// the retry contract passed back, and the 502s of an upstream that fails.
func TestFallbackFeaturesAndFailures(t *testing.T) {
	t.Parallel()
	// Long enough for a loaded machine to answer the upstream's quick
	// requests within it; /slow never answers, and waits the whole of it.
	_, ts := newFallbackPair(t, time.Second)

	resp, body := do(t, ts.Client(), "GET", ts.URL+"/features", nil, nil)
	var features map[string]any
	if err := json.Unmarshal(body, &features); err != nil || resp.StatusCode != 200 {
		t.Fatalf("features %d %q", resp.StatusCode, body)
	}
	routers, _ := features["routerTransform"].(map[string]any)
	if routers["AM"] != true || routers["CUSTOMERIO"] != true ||
		features["supportDestTransformCompactedPayloadV1"] != false || features["regulations"] == nil {
		t.Errorf("features %s: want the upstream's with CUSTOMERIO added", body)
	}

	resp, body = do(t, ts.Client(), "POST", ts.URL+"/retry", nil, []byte("{}"))
	if resp.StatusCode != 503 || resp.Header.Get("X-Rudder-Should-Retry") != "true" || string(body) != "busy" {
		t.Errorf("retry answer %d %v %q, want the upstream's", resp.StatusCode, resp.Header, body)
	}

	resp, _ = do(t, ts.Client(), "POST", ts.URL+"/slow", nil, []byte("{}"))
	if resp.StatusCode != http.StatusBadGateway {
		t.Errorf("slow upstream: %d, want 502", resp.StatusCode)
	}

	h, err := New(Config{Fallback: &url.URL{Scheme: "http", Host: "127.0.0.1:1"}})
	if err != nil {
		t.Fatal(err)
	}
	down := httptest.NewServer(h)
	defer down.Close()
	resp, body = do(t, down.Client(), "POST", down.URL+"/v0/destinations/am", nil, []byte("[]"))
	if resp.StatusCode != http.StatusBadGateway || !strings.Contains(string(body), "unavailable") {
		t.Errorf("unreachable upstream: %d %q, want 502", resp.StatusCode, body)
	}
}
