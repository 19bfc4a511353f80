package server

import (
	"context"
	"sync"
	"testing"
	"time"
)

// watched returns the number of calls in w's list.
func (w *recvWatch) watched() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	n := 0
	for c := w.head.next; c != &w.head; c = c.next {
		n++
	}
	return n
}

// expiries records the calls a recvWatch ended.
type expiries struct {
	mu      sync.Mutex
	methods []string
}

func (e *expiries) add(c *recvCall) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.methods = append(e.methods, c.method)
}

func (e *expiries) count() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return len(e.methods)
}

// TestRecvWatchEndsLateCalls checks that a call whose message does not
// arrive is cancelled no sooner than the timeout, and reported once.
func TestRecvWatchEndsLateCalls(t *testing.T) {
	t.Parallel()
	const timeout = 40 * time.Millisecond
	var e expiries
	w := newRecvWatch(timeout, e.add)
	start := time.Now()
	ctx := w.watch(testContext(t), "/svc/Late")
	select {
	case <-ctx.Done():
	case <-time.After(10 * timeout):
		t.Fatal("the call was not ended")
	}
	if waited := time.Since(start); waited < timeout {
		t.Errorf("the call ended after %s, before the timeout of %s", waited, timeout)
	}
	if e.count() != 1 || e.methods[0] != "/svc/Late" {
		t.Errorf("expired %v, want [/svc/Late]", e.methods)
	}
	if n := w.watched(); n != 0 {
		t.Errorf("%d calls still watched", n)
	}
}

// TestRecvWatchStop checks that a call whose message arrived, reached
// through a child context as interceptors see it, is never ended, and that
// the watch lets go of it and of a call that ended without its message.
func TestRecvWatchStop(t *testing.T) {
	t.Parallel()
	// A timeout no stall of a loaded machine reaches: no call here is
	// ended by it, whatever the scheduling.
	const timeout = 2 * time.Second
	var e expiries
	w := newRecvWatch(timeout, e.add)
	arrived := w.watch(testContext(t), "/svc/Arrived")
	stopRecvWatch(withCallStats(arrived))
	stopRecvWatch(arrived) // a second stop does nothing
	parent, cancel := context.WithCancel(testContext(t))
	w.watch(parent, "/svc/Reset")
	if n := w.watched(); n != 1 {
		t.Errorf("%d calls watched, want the one waiting for its message", n)
	}
	cancel()
	// A sweep drops the reset call; sweeps come every period.
	for deadline := time.Now().Add(timeout / 2); w.watched() != 0 && time.Now().Before(deadline); {
		time.Sleep(w.period)
	}
	if n := w.watched(); n != 0 {
		t.Errorf("%d calls still watched", n)
	}
	if arrived.Err() != nil {
		t.Errorf("the call whose message arrived was ended: %v", arrived.Err())
	}
	if n := e.count(); n != 0 {
		t.Errorf("%d calls reported as expired, want 0: %v", n, e.methods)
	}
	stopRecvWatch(testContext(t)) // not a watched call
}

// TestRecvWatchMany watches calls from many goroutines, stopping most of
// them at once, over several sweeps, and checks that exactly the others
// end. The timeout leaves a loaded machine's scheduling ample room.
func TestRecvWatchMany(t *testing.T) {
	t.Parallel()
	const timeout = 200 * time.Millisecond
	var e expiries
	w := newRecvWatch(timeout, e.add)
	var wg sync.WaitGroup
	const goroutines, calls = 8, 200
	late := make(chan context.Context, goroutines*calls)
	for g := range goroutines {
		wg.Go(func() {
			for i := range calls {
				ctx := w.watch(testContext(t), "/svc/M")
				if (g+i)%10 == 0 {
					late <- ctx
					continue
				}
				stopRecvWatch(ctx)
				if i%50 == 0 {
					time.Sleep(timeout / 20)
				}
			}
		})
	}
	wg.Wait()
	close(late)
	n := 0
	for ctx := range late {
		n++
		select {
		case <-ctx.Done():
		case <-time.After(time.Second):
			t.Fatal("a late call was not ended")
		}
	}
	if got := e.count(); got != n {
		t.Errorf("%d calls expired, want %d", got, n)
	}
}
