package server

import (
	"context"
	"runtime"
	"testing"
)

// TestMapping checks the mapping slots another face shares: Acquire fails
// with the context's error when every slot is held, and a nil Mapping
// bounds nothing.
func TestMapping(t *testing.T) {
	srv, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	m := srv.Mapping()
	if cap(m.slots) != runtime.GOMAXPROCS(0) {
		t.Fatalf("%d slots, want GOMAXPROCS %d", cap(m.slots), runtime.GOMAXPROCS(0))
	}
	for range cap(m.slots) {
		if err := m.Acquire(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := m.Acquire(ctx); err != context.Canceled {
		t.Errorf("Acquire with every slot held and the context ended: %v, want context.Canceled", err)
	}
	for range cap(m.slots) {
		m.Release()
	}
	if len(m.slots) != 0 {
		t.Errorf("%d slots held after every Release", len(m.slots))
	}
	var none *Mapping
	if err := none.Acquire(ctx); err != nil {
		t.Errorf("nil Mapping: %v", err)
	}
	none.Release()
}
