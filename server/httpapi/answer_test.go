package httpapi

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cio-transformer/cio-transformer/server"
)

// TestUnreadAnswer posts a router body whose answer is larger than the
// sockets buffer, over a real socket, and never reads the answer: the
// request's charge to the in-flight budget is given back once the write
// timeout has passed, rather than held for as long as the client keeps its
// connection.
func TestUnreadAnswer(t *testing.T) {
	t.Parallel()
	const limit = 1 << 20
	budget := budgetServer(t, limit)
	ts, _ := newTestServer(t, Config{Budget: budget, MaxBodyBytes: 64 << 20, WriteTimeout: 300 * time.Millisecond})
	conn := postUnread(t, ts, bigAnswerBody())
	defer conn.Close()
	// The body is read, mapped and its answer started, which holds the
	// budget while it is written; the client reads none of it. Generous:
	// the charge is due back a write timeout after the answer starts.
	waitSpent(t, budget, true, "the request never charged the budget")
	waitSpent(t, budget, false, "the budget is still charged by a request whose answer is not read, past the write timeout")
}

// TestUnreadAnswerCharge checks that an answer being written is charged
// at its own size, in place of four times its request's body: with the
// body's charge beyond the budget and the answer's within it, a request
// whose answer is not read leaves room for others while it waits.
func TestUnreadAnswerCharge(t *testing.T) {
	t.Parallel()
	body := bigAnswerBody()
	// More than the answer, about as long as the body, and less than
	// four times the body.
	limit := int64(2 * len(body))
	budget := budgetServer(t, limit)
	ts, _ := newTestServer(t, Config{Budget: budget, MaxBodyBytes: 64 << 20, WriteTimeout: time.Hour})
	conn := postUnread(t, ts, body)
	defer conn.Close()
	waitSpent(t, budget, true, "the request never charged the budget")
	waitSpent(t, budget, false, "the budget is still spent by an answer smaller than it")
	resp, _ := do(t, ts.Client(), http.MethodPost, ts.URL+"/v0/destinations/customerio", nil,
		[]byte(`[{"message":{"type":"identify","userId":"u"},"metadata":{"jobId":1},"destination":`+testDest+`}]`))
	if resp.StatusCode != http.StatusOK {
		t.Errorf("beside an unread answer: %d, want 200", resp.StatusCode)
	}
}

// bigAnswerBody returns a router body of 1,000 identify jobs of 20 KB of
// traits each, whose answer, about as long, is larger than a socket's
// buffers.
func bigAnswerBody() string {
	var b strings.Builder
	b.WriteString(`{"destType":"customerio","input":[`)
	blob := strings.Repeat("x", 20<<10)
	for i := range 1000 {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"message":{"type":"identify","userId":"u%d","traits":{"blob":%q}},"metadata":{"jobId":%d},"destination":%s}`, i, blob, i+1, testDest)
	}
	b.WriteString(`]}`)
	return b.String()
}

// postUnread posts body to ts's router transform over a connection of its
// own, with a small receive buffer, and returns the connection, whose
// answer it does not read.
func postUnread(t *testing.T, ts *httptest.Server, body string) net.Conn {
	t.Helper()
	conn, err := net.Dial("tcp", ts.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	if err := conn.(*net.TCPConn).SetReadBuffer(4096); err != nil {
		t.Fatal(err)
	}
	head := "POST /routerTransform HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n"
	if _, err := conn.Write([]byte(head + body)); err != nil {
		t.Fatal(err)
	}
	return conn
}

// waitSpent waits, for up to 30 s, until budget.Spent() is want, failing
// t with msg past that. Polled often, so that a state that lasts a write
// timeout is seen.
func waitSpent(t *testing.T, budget *server.Budget, want bool, msg string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for budget.Spent() != want {
		if time.Now().After(deadline) {
			t.Fatal(msg)
		}
		time.Sleep(time.Millisecond)
	}
}

// TestUnreadForwardedAnswer forwards a request whose upstream answer is
// larger than the sockets buffer, over real sockets, to a client that
// never reads it: the exchange ends once the fallback timeout and the
// write timeout have passed, and the upstream's write of its answer fails,
// rather than both waiting for as long as the client keeps its connection.
func TestUnreadForwardedAnswer(t *testing.T) {
	t.Parallel()
	done := make(chan error, 1)
	us := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		chunk := []byte(strings.Repeat("x", 64<<10))
		for range 512 {
			if _, err := w.Write(chunk); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}))
	t.Cleanup(us.Close)
	u, _ := url.Parse(us.URL)
	ts, _ := newTestServer(t, Config{Fallback: u, FallbackTimeout: 200 * time.Millisecond, WriteTimeout: 200 * time.Millisecond})

	conn, err := net.Dial("tcp", ts.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if err := conn.(*net.TCPConn).SetReadBuffer(4096); err != nil {
		t.Fatal(err)
	}
	if _, err := io.WriteString(conn, "GET /transformerBuildVersion HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	// Generous: the exchange is due to end 400 ms after it starts.
	select {
	case err := <-done:
		if err == nil {
			t.Error("the upstream wrote its whole answer to a client that reads none of it")
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the forwarded exchange still runs 30 s after its timeouts")
	}
}
