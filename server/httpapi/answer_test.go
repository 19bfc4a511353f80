package httpapi

import (
	"fmt"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"
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
	body := b.String()

	conn, err := net.Dial("tcp", ts.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if err := conn.(*net.TCPConn).SetReadBuffer(4096); err != nil {
		t.Fatal(err)
	}
	head := "POST /routerTransform HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n"
	sent := make(chan error, 1)
	go func() {
		_, err := conn.Write([]byte(head + body))
		sent <- err
	}()
	if err := <-sent; err != nil {
		t.Fatal(err)
	}
	// The body is read, mapped and its answer started, which holds the
	// budget while it is written; the client reads none of it. Generous:
	// the charge is due back a write timeout after the answer starts.
	deadline := time.Now().Add(30 * time.Second)
	for !spent(budget, limit) {
		if time.Now().After(deadline) {
			t.Fatal("the request never charged the budget")
		}
		time.Sleep(time.Millisecond)
	}
	for spent(budget, limit) {
		if time.Now().After(deadline) {
			t.Fatal("the budget is still charged by a request whose answer is not read, past the write timeout")
		}
		time.Sleep(50 * time.Millisecond)
	}
}
