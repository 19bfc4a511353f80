package server

import (
	"context"
	"sync"
	"time"
)

// recvWatch ends the unary calls whose request message has not arrived
// within a timeout. A call is watched from its admission until its request
// message arrives (stopRecvWatch); past the timeout its context is
// cancelled, which ends gRPC's read of the message, and the call with it.
//
// Rather than a timer per call (with the context callbacks that stop it
// when a call ends early, a dozen allocations on every call), the watched
// calls sit in one list, in the order of their deadlines since they share
// one timeout, which a sweep reads every period, a fraction of the timeout:
// a call is ended between timeout and timeout plus two periods after its
// admission. A call that ended without its message (the client reset it)
// leaves the list at the next sweep, so the list holds no more than the
// calls admitted within a period besides those waiting for their message.
// The sweep's timer runs only while the list is not empty.
type recvWatch struct {
	period time.Duration
	// ticks is the number of sweeps a call waits for its message: with the
	// sweep after its admission, they span at least the timeout.
	ticks uint64
	// expired is called, outside the lock, for each call ended.
	expired func(c *recvCall)

	mu sync.Mutex
	// tick counts the sweeps done; head is the sentinel of the list of
	// watched calls, oldest first.
	tick  uint64
	head  recvCall
	timer *time.Timer
	armed bool
}

// Bounds of a recvWatch's sweep period.
const (
	minRecvSweep = time.Millisecond
	maxRecvSweep = 100 * time.Millisecond
)

// newRecvWatch returns a watch ending calls after timeout, calling expired
// for each.
func newRecvWatch(timeout time.Duration, expired func(c *recvCall)) *recvWatch {
	period := min(max(timeout/8, minRecvSweep), maxRecvSweep)
	w := &recvWatch{
		period:  period,
		ticks:   uint64((timeout+period-1)/period) + 1,
		expired: expired,
	}
	w.head.prev, w.head.next = &w.head, &w.head
	return w
}

// recvCall is a watched call: the context gRPC reads its request message
// under, which the watch cancels at the call's deadline.
type recvCall struct {
	context.Context
	cancel context.CancelFunc
	method string
	// due is the sweep at which the call ends; prev and next link it in
	// the list while it is watched (nil otherwise). The watch's lock
	// guards the three.
	due        uint64
	prev, next *recvCall
	w          *recvWatch
}

// recvCallKey is the context key of a watched call.
type recvCallKey struct{}

// Value returns the call for recvCallKey and defers to the parent for any
// other key.
func (c *recvCall) Value(key any) any {
	if key == (recvCallKey{}) {
		return c
	}
	return c.Context.Value(key)
}

// watch returns a child of ctx, a call of method, that ends at the timeout
// unless stopRecvWatch is called with it (or a child of it) before.
func (w *recvWatch) watch(ctx context.Context, method string) context.Context {
	ctx, cancel := context.WithCancel(ctx)
	c := &recvCall{Context: ctx, cancel: cancel, method: method, w: w}
	w.mu.Lock()
	c.due = w.tick + w.ticks
	c.prev, c.next = w.head.prev, &w.head
	c.prev.next, w.head.prev = c, c
	if !w.armed {
		w.armed = true
		if w.timer == nil {
			w.timer = time.AfterFunc(w.period, w.sweep)
		} else {
			w.timer.Reset(w.period)
		}
	}
	w.mu.Unlock()
	return c
}

// stopRecvWatch stops watching ctx's call: its request message has arrived.
func stopRecvWatch(ctx context.Context) {
	c, ok := ctx.Value(recvCallKey{}).(*recvCall)
	if !ok {
		return
	}
	c.w.mu.Lock()
	c.w.unlink(c)
	c.w.mu.Unlock()
}

// unlink takes c out of the list, if it is there. The caller holds w.mu.
func (w *recvWatch) unlink(c *recvCall) {
	if c.next == nil {
		return
	}
	c.prev.next, c.next.prev = c.next, c.prev
	c.prev, c.next = nil, nil
}

// sweep ends the calls that are due, drops the ones that ended, and sets
// the timer for the next sweep while calls are watched.
func (w *recvWatch) sweep() {
	var due []*recvCall
	w.mu.Lock()
	w.tick++
	for c := w.head.next; c != &w.head; {
		next := c.next
		switch {
		case c.Err() != nil:
			w.unlink(c)
		case c.due <= w.tick:
			w.unlink(c)
			due = append(due, c)
		}
		c = next
	}
	w.armed = w.head.next != &w.head
	if w.armed {
		w.timer.Reset(w.period)
	}
	w.mu.Unlock()
	for _, c := range due {
		w.expired(c)
		c.cancel()
	}
}
