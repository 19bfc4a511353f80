package httpapi

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cio-transformer/cio-transformer/server"
)

// budgetServer returns a gRPC server's in-flight budget of limit bytes, as
// the serve command shares it with the HTTP face.
func budgetServer(t *testing.T, limit int64) *server.Budget {
	t.Helper()
	srv, err := server.New(server.Config{MaxInflightBytes: limit})
	if err != nil {
		t.Fatal(err)
	}
	return srv.Budget()
}

// spent reports whether nothing more fits in b: a charge of the whole
// budget fits only while nothing is held.
func spent(b *server.Budget, limit int64) bool {
	if b.Acquire(limit) {
		b.Release(limit)
		return false
	}
	return true
}

// TestBodyBudget charges request bodies to the shared in-flight budget: a
// body that does not fit beside what the other face holds is answered 503
// with Retry-After, what is left of it read and discarded first, so that a
// client still sending reads the answer on a connection it can use again;
// once the budget is released the same request is served, and every charge
// is returned after the answer, whatever it was.
func TestBodyBudget(t *testing.T) {
	t.Parallel()
	const limit = 64 << 10
	budget := budgetServer(t, limit)
	ts, _ := newTestServer(t, Config{Budget: budget})
	oneJob := `[{"message":{"type":"identify","userId":"u"},"metadata":{"jobId":1},"destination":` + testDest + `}]`
	body := []byte(oneJob + strings.Repeat(" ", 8<<10))

	// The gRPC face holds most of the budget: 4x this body does not fit.
	held := int64(limit - 16<<10)
	if !budget.Acquire(held) {
		t.Fatal("the budget refused the first charge")
	}
	resp, answer := do(t, ts.Client(), http.MethodPost, ts.URL+"/v0/destinations/customerio", nil, body)
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" || !strings.Contains(string(answer), "in-flight budget") {
		t.Errorf("with the budget spent: %d %q (Retry-After %q), want 503 naming the in-flight budget with Retry-After",
			resp.StatusCode, answer, resp.Header.Get("Retry-After"))
	}
	budget.Release(held)

	// With the whole budget held, the request is refused before its body
	// is read.
	if !budget.Acquire(limit) {
		t.Fatal("the budget refused the whole charge")
	}
	if resp, answer := do(t, ts.Client(), http.MethodPost, ts.URL+"/v0/destinations/customerio", nil, body); resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("with the whole budget held: %d %.80q, want 503", resp.StatusCode, answer)
	}
	// Bodies of megabytes, refused while they are sent, on one connection.
	large := []byte(oneJob + strings.Repeat(" ", 4<<20))
	var conns atomic.Int32
	client := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		conns.Add(1)
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	}}}
	t.Cleanup(client.CloseIdleConnections)
	for range 10 {
		if resp, answer := do(t, client, http.MethodPost, ts.URL+"/v0/destinations/customerio", nil, large); resp.StatusCode != http.StatusServiceUnavailable {
			t.Fatalf("a large body with the whole budget held: %d %.80q, want 503", resp.StatusCode, answer)
		}
	}
	if n := conns.Load(); n > 1 {
		t.Errorf("10 refused bodies took %d connections, want 1", n)
	}
	budget.Release(limit)

	for _, tc := range []struct {
		name string
		body []byte
		want int
	}{
		{"served", body, http.StatusOK},
		{"unreadable", []byte("{"), http.StatusBadRequest},
		{"too large", []byte(strings.Repeat(" ", server.DefaultMaxRecvMsgSize+1)), http.StatusRequestEntityTooLarge},
	} {
		resp, answer := do(t, ts.Client(), http.MethodPost, ts.URL+"/v0/destinations/customerio", nil, tc.body)
		if resp.StatusCode != tc.want {
			t.Errorf("%s: %d %.80q, want %d", tc.name, resp.StatusCode, answer, tc.want)
		}
		if spent(budget, limit) {
			t.Errorf("%s: the budget is still charged after the answer", tc.name)
		}
	}
}

// TestBodyCharge reads bodies through a bodyCharge: what it holds is four
// times the bytes read, as sent and decoded from gzip; a read that does
// not fit fails, though a body larger than the whole budget fits when
// nothing else is held; release returns it all.
func TestBodyCharge(t *testing.T) {
	t.Parallel()
	const limit = 64 << 10
	budget := budgetServer(t, limit)
	post := func(body []byte, gz bool) *http.Request {
		r := httptest.NewRequest(http.MethodPost, "/routerTransform", bytes.NewReader(body))
		if gz {
			r.Header.Set("Content-Encoding", "gzip")
		}
		return r
	}
	plain := bytes.Repeat([]byte("x"), 3000)
	var zb bytes.Buffer
	zw := gzip.NewWriter(&zb)
	_, _ = zw.Write(plain)
	_ = zw.Close()
	for _, tc := range []struct {
		name string
		r    *http.Request
		want int64
	}{
		{"plain", post(plain, false), 4 * 3000},
		{"gzip", post(zb.Bytes(), true), 4 * int64(zb.Len()+3000)},
		{"empty", post(nil, false), 0},
		{"larger than the budget", post(bytes.Repeat([]byte("x"), 2*limit), false), 4 * 2 * limit},
	} {
		c := &bodyCharge{budget: budget}
		if _, err := readBody(tc.r, 4*limit, c); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if c.held != tc.want {
			t.Errorf("%s: holds %d, want %d", tc.name, c.held, tc.want)
		}
		c.release()
		if spent(budget, limit) {
			t.Errorf("%s: the budget is still charged after the release", tc.name)
		}
	}

	// Beside what another request holds, a body stops fitting.
	if !budget.Acquire(limit - 1000) {
		t.Fatal("the budget refused the first charge")
	}
	c := &bodyCharge{budget: budget}
	if _, err := readBody(post(plain, false), limit, c); !errors.Is(err, errBudgetSpent) {
		t.Errorf("a body beside a nearly spent budget: %v, want %v", err, errBudgetSpent)
	}
	c.release()
	budget.Release(limit - 1000)
	if spent(budget, limit) {
		t.Error("the budget is still charged after the releases")
	}
}

// TestSlowBody sends a body's first bytes and then nothing, over a real
// socket: the request is answered 408 once the body timeout has passed,
// and its charge is returned.
func TestSlowBody(t *testing.T) {
	t.Parallel()
	const limit = 64 << 10
	budget := budgetServer(t, limit)
	ts, _ := newTestServer(t, Config{Budget: budget, BodyTimeout: 200 * time.Millisecond})
	conn, err := net.Dial("tcp", ts.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	const length = 1000
	head := "POST /routerTransform HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: " +
		strconv.Itoa(length) + "\r\n\r\n" + `{"destType":"customerio","input":[`
	if _, err := conn.Write([]byte(head)); err != nil {
		t.Fatal(err)
	}
	// Generous: the answer is due after the body timeout.
	_ = conn.SetReadDeadline(time.Now().Add(30 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no answer to a body that stopped: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusRequestTimeout {
		t.Errorf("a body that stopped: %d, want 408", resp.StatusCode)
	}
	if spent(budget, limit) {
		t.Error("the budget is still charged after the 408")
	}
}

// TestSlowBodyH2C is TestSlowBody over HTTP/2 without TLS: the stream's
// body stops after its first bytes, and the request is answered 408.
func TestSlowBodyH2C(t *testing.T) {
	t.Parallel()
	const limit = 64 << 10
	budget := budgetServer(t, limit)
	h, err := New(Config{Budget: budget, BodyTimeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ts, tr := serveH2C(t, h)

	pr, pw := io.Pipe()
	defer pw.Close()
	go func() { _, _ = pw.Write([]byte(`{"destType":"customerio","input":[`)) }()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, ts.URL+"/routerTransform", pr)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		t.Fatalf("no answer to a body that stopped: %v", err)
	}
	defer resp.Body.Close()
	if resp.ProtoMajor != 2 || resp.StatusCode != http.StatusRequestTimeout {
		t.Errorf("a body that stopped: %s %d, want HTTP/2 408", resp.Proto, resp.StatusCode)
	}
	if spent(budget, limit) {
		t.Error("the budget is still charged after the 408")
	}
}

// trickle is a reader that gives at most step bytes a read, as a slow
// sender's connection does.
type trickle struct {
	r    io.Reader
	step int
}

func (t trickle) Read(p []byte) (int, error) { return t.r.Read(p[:min(len(p), t.step)]) }

// TestReadLimited reads bodies whatever length their sender announces,
// each whole into a buffer of its own, none past the limit. The read
// buffer grows to the announced length (and the byte that reads the end)
// rather than past it, and however large the announced length, it is
// never more than twice what has arrived.
func TestReadLimited(t *testing.T) {
	t.Parallel()
	const limit = 1 << 20
	var bodies [][]byte
	for _, tc := range []struct {
		name    string
		n       int
		size    int64
		wantCap int // of the read buffer grown from nothing; 0: not checked
		wantErr error
	}{
		{"announced", 100_000, 100_000, 100_001, nil},
		{"announced, small", 300, 300, 301, nil},
		{"announced, empty", 0, 0, 1, nil},
		{"unknown", 100_000, -1, 0, nil},
		{"announced short", 100_000, 1000, 0, nil},
		{"announced long", 3000, 1 << 30, 0, nil},
		{"at the limit", limit, limit, limit + 1, nil},
		{"past the limit", limit + 1, -1, 0, errTooLarge},
		{"past the limit, announced", limit + 1, limit + 1, 0, errTooLarge},
	} {
		body := bytes.Repeat([]byte{byte('a' + len(bodies))}, tc.n)
		got, err := readLimited(trickle{r: bytes.NewReader(body), step: 4096}, limit, tc.size)
		if !errors.Is(err, tc.wantErr) {
			t.Errorf("%s: error %v, want %v", tc.name, err, tc.wantErr)
			continue
		}
		buf, _ := readInto(nil, trickle{r: bytes.NewReader(body), step: 4096}, limit, tc.size)
		if tc.wantCap != 0 && cap(buf) != tc.wantCap {
			t.Errorf("%s: read buffer of %d bytes, want %d", tc.name, cap(buf), tc.wantCap)
		}
		if err != nil {
			continue
		}
		if !bytes.Equal(got, body) {
			t.Errorf("%s: read %d bytes, want the %d sent", tc.name, len(got), tc.n)
		}
		bodies = append(bodies, got)
	}
	// The read buffers are reused; the bodies are their own.
	for i, b := range bodies {
		if len(b) > 0 && bytes.Count(b, b[:1]) != len(b) || len(b) > 0 && b[0] != byte('a'+i) {
			t.Errorf("body %d changed after the bodies read after it", i)
		}
	}

	// A sender that announces a large body and sends a little at a time
	// gets a read buffer of at most twice what it has sent.
	pr, pw := io.Pipe()
	done := make(chan []byte)
	go func() {
		b, _ := readInto(nil, pr, limit, limit)
		done <- b
	}()
	sent := 0
	for _, k := range []int{1, 511, 1000, 5000, 20_000} {
		if _, err := pw.Write(bytes.Repeat([]byte("x"), k)); err != nil {
			t.Fatal(err)
		}
		sent += k
	}
	_ = pw.Close()
	if b := <-done; len(b) != sent || cap(b) > max(2*sent, minReadSize) {
		t.Errorf("a body of %d bytes announced as %d: %d bytes read into a buffer of %d, want at most %d",
			sent, limit, len(b), cap(b), max(2*sent, minReadSize))
	}
}
