package server

import (
	"strings"
	"sync/atomic"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"
)

// inflight is the process-wide budget of request messages received and not
// yet answered: each decoded request message is charged four times its
// estimated decoded size (the message, the results built from it and the
// response gRPC queues for a client that does not read: results of small
// events take about five times their wire size) until its last response
// has been handed to gRPC; that response is then charged at its estimated
// size while it may still be queued for the client (see queuedStream).
// While the budget is
// spent, new calls are refused at admission and further request messages
// are refused (for TransformBatch, in band) with RESOURCE_EXHAUSTED: the
// server never grows past it by more than the messages being decoded. A
// single message larger than the whole budget is taken when nothing else
// is held, so that any message under the size limits can be served.
//
// A nil *inflight has no limit.
type inflight struct {
	limit int64
	used  atomic.Int64
}

// errInflightSpent refuses a call or a request message while the budget is
// spent.
var errInflightSpent = status.New(codes.ResourceExhausted, "the server holds as many request bytes as its in-flight budget allows: resend later or to another server")

// newInflight returns a budget of limit bytes, or nil when limit is not
// positive.
func newInflight(limit int64) *inflight {
	if limit <= 0 {
		return nil
	}
	return &inflight{limit: limit}
}

// admit refuses a new call, health checks excepted, while the budget is
// spent.
func (f *inflight) admit(method string) error {
	if f == nil || strings.HasPrefix(method, "/"+healthpb.Health_ServiceDesc.ServiceName+"/") {
		return nil
	}
	if f.spent() {
		return errInflightSpent.Err()
	}
	return nil
}

// spent reports whether nothing more fits beside what is held.
func (f *inflight) spent() bool { return f != nil && f.used.Load() >= f.limit }

// Charge is what the in-flight budget charges for a request of n bytes, a
// gRPC request message's estimated decoded size or the bytes of an HTTP
// body: four times its size (the request, the results built from it and
// the answer).
func Charge(n int64) int64 { return 4 * n }

// fits reports whether n more bytes fit now.
func (f *inflight) fits(n int64) bool {
	if f == nil {
		return true
	}
	cur := f.used.Load()
	return cur == 0 || cur+n <= f.limit
}

// acquire charges n bytes if they fit, and reports whether it did.
func (f *inflight) acquire(n int64) bool { return f.acquireBeside(n, 0) }

// acquireBeside charges n bytes if they fit, and reports whether it did;
// own is what the caller itself holds already (a stream's queued
// response), which does not keep a message larger than the budget out
// when nothing else is held.
func (f *inflight) acquireBeside(n, own int64) bool {
	if f == nil || n == 0 {
		// Health checks and reflection are not charged.
		return true
	}
	for {
		cur := f.used.Load()
		if cur > own && cur+n > f.limit {
			return false
		}
		if f.used.CompareAndSwap(cur, cur+n) {
			return true
		}
	}
}

// release returns n charged bytes.
func (f *inflight) release(n int64) {
	if f != nil {
		f.used.Add(-n)
	}
}

// bytes returns the bytes charged now.
func (f *inflight) bytes() int64 {
	if f == nil {
		return 0
	}
	return f.used.Load()
}

// transfer turns a charge of from bytes into one of to bytes at once,
// whether or not to fits: it charges something already held.
func (f *inflight) transfer(from, to int64) {
	if f != nil && from != to {
		f.used.Add(to - from)
	}
}

// responseOverhead is what a TransformBatch response costs beyond its
// results' estimated sizes: the message and its request id, final flag and
// gRPC framing.
const responseOverhead = 64

// queuedStream charges a TransformBatch stream's last response to the
// in-flight budget for as long as it may be queued. gRPC's SendMsg returns
// once a response is queued, not once the client has read it: a client
// that does not read leaves it in the server's memory. The responses
// before the last one are covered by their request message's charge,
// which is held until the last is handed to gRPC; the last is charged at
// its estimated size from then until the stream's next response is handed
// to gRPC (grpc-go lets a stream queue another message only once all but
// its write quota, 64 KiB, of what it queued before has gone to the
// connection) or the stream ends. A stream whose client has read its last
// response and sends nothing more so holds at most about bytesPerResponse.
//
// Only the stream's handler goroutine uses it.
type queuedStream struct {
	grpc.ServerStream
	inflight *inflight
	// held is the charge of the last response, zero when none is held.
	held int64
}

// SendMsg sends m, then returns the charge of the response queued before
// it.
func (s *queuedStream) SendMsg(m any) error {
	err := s.ServerStream.SendMsg(m)
	s.releaseQueued()
	return err
}

// holdInstead turns a request message's charge of n into the charge of
// its last response, last bytes (zero when none was handed to gRPC).
func (s *queuedStream) holdInstead(n, last int64) {
	s.inflight.transfer(n, last)
	s.held += last
}

// releaseQueued returns the charge of the last response.
func (s *queuedStream) releaseQueued() {
	if s.held != 0 {
		s.inflight.release(s.held)
		s.held = 0
	}
}

// Budget is the server's in-flight budget (Config.MaxInflightBytes) as
// another face of the service shares it: what a request holds there is
// charged beside the gRPC request messages, so that both faces together
// stay within the one budget. A nil *Budget has no limit.
type Budget struct {
	f *inflight
}

// Budget returns the server's in-flight budget.
func (s *Server) Budget() *Budget { return &Budget{f: s.inflight} }

// Acquire charges n bytes if they fit and reports whether it did. As for a
// request message, n larger than the whole budget fits when nothing else
// is held.
func (b *Budget) Acquire(n int64) bool { return b.AcquireBeside(n, 0) }

// AcquireBeside charges n bytes if they fit beside what is held besides
// own, what the caller holds already, and reports whether it did: a body
// charged as it is read may grow past the whole budget when nothing else
// is held.
func (b *Budget) AcquireBeside(n, own int64) bool { return b == nil || b.f.acquireBeside(n, own) }

// Spent reports whether the budget is spent: then nothing more fits
// beside what is held.
func (b *Budget) Spent() bool { return b != nil && b.f.spent() }

// Transfer turns a charge of from bytes into one of to bytes at once,
// whether or not to fits: it charges something already held, such as an
// answer built from a request whose charge it replaces.
func (b *Budget) Transfer(from, to int64) {
	if b != nil {
		b.f.transfer(from, to)
	}
}

// Release returns n bytes Acquire charged.
func (b *Budget) Release(n int64) {
	if b != nil {
		b.f.release(n)
	}
}
