package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cio-transformer/cio-transformer/server"
	"golang.org/x/net/http2"
)

// TestHTTPFallbackEndToEnd runs the real binary in front of a fake
// rudder-transformer: a router request for another destination reaches the
// fake unchanged and its answer comes back unchanged; a customerio request
// is answered by the binary itself.
func TestHTTPFallbackEndToEnd(t *testing.T) {
	t.Parallel()
	const answer = `{"output":[{"statusCode":200,"metadata":[{"jobId":9}],"batchedRequest":{"x":1}}]}`
	var forwarded atomic.Int32
	var gotBody atomic.Value
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		forwarded.Add(1)
		b, _ := io.ReadAll(r.Body)
		gotBody.Store(string(b))
		w.Header().Set("apiVersion", "2")
		w.Header().Set("X-Fake-Upstream", "1")
		w.WriteHeader(http.StatusOK)
		_, _ = io.WriteString(w, answer)
	}))
	defer upstream.Close()
	srv := startServer(t, "--http-listen", "127.0.0.1:0", "--fallback-transformer-url", upstream.URL)
	base := "http://" + httpAddr(t, srv)

	post := func(body string) (*http.Response, string) {
		resp, data := httpDo(t, http.MethodPost, base+"/routerTransform", "application/json; charset=utf-8", body)
		return resp, string(data)
	}

	other := `{"input":[{"message":{"type":"track"},"metadata":{"jobId":9},"destination":{"ID":"x"}}],"destType":"am"}`
	resp, body := post(other)
	if resp.StatusCode != 200 || body != answer || resp.Header.Get("X-Fake-Upstream") != "1" || resp.Header.Get("apiVersion") != "2" {
		t.Errorf("forwarded answer %d %v %q, want the upstream's unchanged", resp.StatusCode, resp.Header, body)
	}
	if got, _ := gotBody.Load().(string); got != other {
		t.Errorf("upstream received %q, want %q", got, other)
	}

	ours := `{"input":[{"message":{"type":"identify","userId":"u"},"metadata":{"jobId":1},` +
		`"destination":{"Config":{"siteID":"s","apiKey":"k"}}}],"destType":"customerio"}`
	resp, body = post(ours)
	if resp.StatusCode != 200 || !bytes.Contains([]byte(body), []byte(`"endpoint":"https://track.customer.io/api/v1/customers/u"`)) {
		t.Errorf("customerio answer %d %q", resp.StatusCode, body)
	}
	if n := forwarded.Load(); n != 1 {
		t.Errorf("%d requests forwarded, want 1", n)
	}

	// Headers past the gRPC face's bound are refused, as net/http refuses
	// them: 431 (it reads up to 4 KiB past its bound first).
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, base+"/health", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Pad", strings.Repeat("p", server.MaxHeaderListSize+8<<10))
	hresp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	hresp.Body.Close()
	if hresp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
		t.Errorf("%d bytes of headers: %d, want 431", server.MaxHeaderListSize+8<<10, hresp.StatusCode)
	}
}

// httpDo makes one request to the binary's HTTP face, with body of
// contentType when body is not empty, and returns the response with its
// whole body.
func httpDo(t *testing.T, method, url, contentType, body string) (*http.Response, []byte) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
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

// TestHTTPMaxStreamsEndToEnd reads the settings the binary's HTTP face
// sends an HTTP/2 (h2c) client: at most httpMaxStreams requests open per
// connection, so that --max-connections bounds the requests held open.
func TestHTTPMaxStreamsEndToEnd(t *testing.T) {
	t.Parallel()
	srv := startServer(t, "--http-listen", "127.0.0.1:0")
	conn, err := net.Dial("tcp", httpAddr(t, srv))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(30 * time.Second))
	if _, err := io.WriteString(conn, http2.ClientPreface); err != nil {
		t.Fatal(err)
	}
	fr := http2.NewFramer(conn, conn)
	if err := fr.WriteSettings(); err != nil {
		t.Fatal(err)
	}
	f, err := fr.ReadFrame()
	if err != nil {
		t.Fatal(err)
	}
	settings, ok := f.(*http2.SettingsFrame)
	if !ok {
		t.Fatalf("first frame %v, want the server's SETTINGS", f)
	}
	if v, ok := settings.Value(http2.SettingMaxConcurrentStreams); !ok || v != httpMaxStreams {
		t.Errorf("SETTINGS_MAX_CONCURRENT_STREAMS %d (sent %v), want %d", v, ok, httpMaxStreams)
	}
}
