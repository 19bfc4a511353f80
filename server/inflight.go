package server

import (
	"strings"
	"sync/atomic"

	"google.golang.org/grpc/codes"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"
)

// inflight is the process-wide budget of request messages received and not
// yet answered: each decoded request message is charged four times its
// estimated decoded size (the message, the results built from it and the
// response gRPC queues for a client that does not read: results of small
// events take about five times their wire size) until its last response
// has been handed to gRPC. While the budget is
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
	if f.used.Load() >= f.limit {
		return errInflightSpent.Err()
	}
	return nil
}

// charge is what a request message of the given estimated decoded size is
// charged.
func charge(decoded int64) int64 { return 4 * decoded }

// fits reports whether n more bytes fit now.
func (f *inflight) fits(n int64) bool {
	if f == nil {
		return true
	}
	cur := f.used.Load()
	return cur == 0 || cur+n <= f.limit
}

// acquire charges n bytes if they fit, and reports whether it did.
func (f *inflight) acquire(n int64) bool {
	if f == nil || n == 0 {
		// Health checks and reflection are not charged.
		return true
	}
	for {
		cur := f.used.Load()
		if cur > 0 && cur+n > f.limit {
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
