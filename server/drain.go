package server

import (
	"context"
	"sync"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// drain ends long-lived calls at shutdown without losing work.
// GracefulStop alone waits for every open call, and a router's pipelining
// TransformBatch stream never ends by itself: at the end of the grace it
// would be cut in the middle of a request message. Once drain starts, a
// stream that is about to read its next request message ends with
// UNAVAILABLE instead, after answering every message it read; the client
// resends the messages that got no final response. Calls that never read
// from the client (health Watch) are ended through their context.
type drain struct {
	once sync.Once
	ch   chan struct{}
}

// errDraining ends a stream at shutdown.
var errDraining = status.Error(codes.Unavailable, "the server is shutting down: request messages without a final response were not read; resend them to another server")

func newDrain() *drain { return &drain{ch: make(chan struct{})} }

// start ends the streams' reading; it may be called more than once.
func (d *drain) start() { d.once.Do(func() { close(d.ch) }) }

// wait blocks for delay or until ctx ends, for load balancers to see
// NOT_SERVING while calls are still served.
func wait(ctx context.Context, delay time.Duration) {
	if delay <= 0 {
		return
	}
	t := time.NewTimer(delay)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

// stream is the stream interceptor; it must be the innermost one, so that
// the handler's reads go through it first.
func (d *drain) stream(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
	if !info.IsClientStream {
		ctx, cancel := context.WithCancel(ss.Context())
		defer cancel()
		go func() {
			select {
			case <-d.ch:
				cancel()
			case <-ctx.Done():
			}
		}()
		return handler(srv, &contextStream{ServerStream: ss, ctx: ctx})
	}
	return handler(srv, &drainingStream{ServerStream: ss, drain: d})
}

// drainingStream stops reading request messages once the drain starts.
type drainingStream struct {
	grpc.ServerStream
	drain *drain
}

// RecvMsg receives the next message, or fails with errDraining when the
// drain starts first. A message that arrived is never dropped for the
// drain: the handler gets it and answers it.
func (s *drainingStream) RecvMsg(m any) error {
	select {
	case <-s.drain.ch:
		return errDraining
	default:
	}
	// The read itself cannot be interrupted; when the drain wins, it is
	// left to end with the stream, and whatever it reads is never seen by
	// the handler, so it was never accepted.
	done := make(chan error, 1)
	go func() { done <- s.ServerStream.RecvMsg(m) }()
	select {
	case err := <-done:
		return err
	case <-s.drain.ch:
		select {
		case err := <-done:
			return err
		default:
			return errDraining
		}
	}
}
