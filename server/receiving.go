package server

import (
	"context"
	"sync"
	"time"
)

// receiving bounds the stream request messages being received at once, and
// so the request bytes the transport holds before the codec and the
// in-flight budget see them.
//
// grpc-go widens a stream's flow-control window to a message's whole
// length once the handler asks for that message, and does not count the
// bytes it then buffers: a hundred streams on each of a few connections,
// each sending a message the server has asked for, would hold a hundred
// times MaxRecvMsgSize per connection before one of them is decoded or
// refused. A stream handler takes a slot before each Recv and gives it
// back when Recv returns; a stream without a slot is not read, so its
// client can send no more than the static stream window (streamWindow)
// beyond what the server read. Waiting for a slot is backpressure: the
// stream is neither refused nor failed.
//
// A stream waiting for its client's next message would hold its slot for
// as long as the client stays quiet, and idle streams (a router's, between
// batches) would then starve every other stream. So a slot is given back
// after receivingHold even while Recv still waits: the stream is taken to
// be idle, and its message, when it comes, is received outside the bound.
// A client that trickles a message slower than that escapes the bound the
// same way; docs/RELIABILITY.md lists it with the other partial bounds.
//
// A nil *receiving has no bound.
type receiving struct {
	slots chan struct{}
}

// minReceivingSlots keeps a few streams receiving at once whatever the
// budget.
const minReceivingSlots = 4

// newReceiving returns a bound of one slot per maxRecvMsgSize bytes in a
// quarter of the in-flight budget (the rest goes to the decoded messages
// and their responses), at least minReceivingSlots; nil when the budget
// is unlimited.
func newReceiving(budget int64, maxRecvMsgSize int) *receiving {
	if budget <= 0 || maxRecvMsgSize <= 0 {
		return nil
	}
	n := max(minReceivingSlots, budget/4/int64(maxRecvMsgSize))
	return &receiving{slots: make(chan struct{}, n)}
}

// enter takes a slot, waiting for one until ctx ends.
func (r *receiving) enter(ctx context.Context) error {
	if r == nil {
		return nil
	}
	select {
	case r.slots <- struct{}{}:
		return nil
	case <-ctx.Done():
		return contextStatus(ctx)
	}
}

// leave gives back a slot taken by enter.
func (r *receiving) leave() {
	if r != nil {
		<-r.slots
	}
}

// held returns the slots held now.
func (r *receiving) held() int {
	if r == nil {
		return 0
	}
	return len(r.slots)
}

// receivingHold is how long a stream keeps its slot while its next message
// has not arrived whole. A message the client is sending at loopback or
// LAN speed arrives well within it.
const receivingHold = 250 * time.Millisecond

// recvGated receives a stream's next request message in a slot of r, given
// back when Recv returns or after receivingHold, whichever comes first.
func recvGated[T any](ctx context.Context, r *receiving, recv func() (T, error)) (T, error) {
	if err := r.enter(ctx); err != nil {
		var zero T
		return zero, err
	}
	if r == nil {
		return recv()
	}
	var once sync.Once
	leave := func() { once.Do(r.leave) }
	t := time.AfterFunc(receivingHold, leave)
	defer func() {
		t.Stop()
		leave()
	}()
	return recv()
}
