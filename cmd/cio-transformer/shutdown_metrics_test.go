package main

import (
	"net"
	"syscall"
	"testing"
	"time"
)

// TestShutdownWithHangingScrape holds a /metrics connection whose request
// never ends and sends SIGTERM: the process must still exit within the
// shutdown grace (the HTTP server alone would wait 5 s for that
// connection), with status 0.
func TestShutdownWithHangingScrape(t *testing.T) {
	t.Parallel()
	const grace = time.Second
	srv := startServer(t, "--metrics-listen", "127.0.0.1:0", "--shutdown-grace", grace.String())
	addr := srv.logAddr(t, "serving metrics")
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.Write([]byte("GET /metrics HTTP/1.1\r\nHost: metrics\r\n")); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if err := srv.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	// A generous bound over the grace, far below the 5 s a hanging
	// connection used to cost.
	select {
	case err := <-srv.done:
		if err != nil {
			t.Errorf("exit: %v; logs:\n%s", err, srv.logs.String())
		}
		srv.done <- err
	case <-time.After(grace + 3*time.Second):
		t.Fatalf("still running %s after SIGTERM with a %s grace", time.Since(start), grace)
	}
}
