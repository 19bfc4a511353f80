package httpapi

import (
	"bytes"
	"context"
	"net/http"
	"runtime"
	"testing"
	"time"

	"github.com/cio-transformer/cio-transformer/server"
)

// holdAll holds every slot of m, failing t if they are not all free
// within a few seconds, and returns the function that gives them back.
func holdAll(t *testing.T, m *server.Mapping) (release func()) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	n := runtime.GOMAXPROCS(0)
	for i := range n {
		if err := m.Acquire(ctx); err != nil {
			t.Fatalf("slot %d of %d is not given back: %v", i+1, n, err)
		}
	}
	return func() {
		for range n {
			m.Release()
		}
	}
}

// TestMappingSlots checks that a request is decoded and mapped only in a
// mapping slot shared with the gRPC server, that it gives its slot back
// when answered, and when it ends while it waits for one.
func TestMappingSlots(t *testing.T) {
	t.Parallel()
	srv, err := server.New(server.Config{})
	if err != nil {
		t.Fatal(err)
	}
	mapping := srv.Mapping()
	ts, _ := newTestServer(t, Config{Mapping: mapping})
	body := []byte(`[{"message":{"type":"identify","userId":"u"},"metadata":{"jobId":1},"destination":` + testDest + `}]`)
	url := ts.URL + "/v0/destinations/customerio"

	// With every slot held by the gRPC face, the request waits.
	release := holdAll(t, mapping)
	answered := make(chan int, 1)
	go func() {
		resp, _ := do(t, ts.Client(), http.MethodPost, url, nil, body)
		answered <- resp.StatusCode
	}()
	select {
	case code := <-answered:
		t.Fatalf("answered %d while every mapping slot was held", code)
	case <-time.After(200 * time.Millisecond):
	}
	release()
	if code := <-answered; code != http.StatusOK {
		t.Errorf("once a slot is free: %d, want 200", code)
	}
	// The request gave its slot back.
	holdAll(t, mapping)()

	// A request that ends while it waits takes no slot.
	release = holdAll(t, mapping)
	ctx, cancel := context.WithCancel(t.Context())
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		time.Sleep(100 * time.Millisecond)
		cancel()
	}()
	if resp, err := ts.Client().Do(req); err == nil {
		resp.Body.Close()
		t.Errorf("a request cancelled while it waited was answered %d", resp.StatusCode)
	}
	release()
	holdAll(t, mapping)()
}
