package server

import (
	"context"
	"fmt"
	"runtime/debug"
	"sync/atomic"
	"time"

	"github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors/recovery"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// interceptors returns the server's interceptor chain, unary and stream in
// step, outermost first. The gRPC metrics come first so that they see the
// final code of every call, recovered panics and invalid envelopes included.
// A unary call's work, its metrics included, is one interceptor, unaryCall;
// a stream's is a layer per concern, whose cost is once per stream.
func interceptors(cfg Config, m *metrics, f *inflight) (unary []grpc.UnaryServerInterceptor, stream []grpc.StreamServerInterceptor) {
	call := newUnaryCall(cfg, m, f)
	unary = []grpc.UnaryServerInterceptor{call.intercept}
	stream = []grpc.StreamServerInterceptor{
		m.streamRPC(),
		streamCallStats,
		traceStream(cfg.TracerProvider),
		call.log.stream,
		recovery.StreamServerInterceptor(recovery.WithRecoveryHandlerContext(call.recovered)),
		// TransformBatch checks each request message itself, so that a
		// refused one is answered in band and the stream goes on.
	}
	return withoutNil(unary, func(i grpc.UnaryServerInterceptor) bool { return i == nil }),
		withoutNil(stream, func(i grpc.StreamServerInterceptor) bool { return i == nil })
}

// unaryCall does a unary call's work around its handler, in the order a
// chain of one interceptor per concern would, outermost first: it records
// the call's gRPC metrics (rpcMetrics, when on), stops the
// watch on the call's request message (which has arrived), gives the call
// its stats, records the call's job on its span when tracing, logs the
// finished call (callLogger), turns a panic into Internal, and checks and
// charges the request message (validator). As one interceptor it costs no
// per-call closures of gRPC's chaining, and skips what is off.
type unaryCall struct {
	rpc     *rpcMetrics
	log     callLogger
	tracing bool
	// recovered logs a recovered panic and returns the call's error.
	recovered func(ctx context.Context, p any) error
	check     validator
}

// newUnaryCall returns the unary call work of a server with cfg, metrics m
// and budget f.
func newUnaryCall(cfg Config, m *metrics, f *inflight) *unaryCall {
	return &unaryCall{
		rpc: m.calls(),
		// Only the finished call is logged (see callLogger).
		log:     callLogger{h: cfg.Logger.Handler()},
		tracing: cfg.TracerProvider != nil,
		recovered: func(ctx context.Context, p any) error {
			cfg.Logger.ErrorContext(ctx, "recovered from panic", "panic", panicText(p), "stack", string(debug.Stack()))
			return status.Error(codes.Internal, "internal error")
		},
		check: validator{maxJobs: cfg.MaxJobsPerRequest, maxHeaderBytes: int64(cfg.MaxRecvMsgSize), inflight: f, metrics: m},
	}
}

// intercept is the unary interceptor.
func (u *unaryCall) intercept(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	start := time.Now()
	var rpc *methodMetrics
	if u.rpc != nil {
		rpc = u.rpc.method(info.FullMethod, grpcTypeUnary)
		rpc.unaryStarted()
	}
	stopRecvWatch(ctx)
	ctx = withCallStats(ctx)
	if u.tracing {
		if span := linkUnary(ctx, req); span != nil {
			defer recordJobs(ctx, span)
		}
	}
	resp, err := u.guarded(ctx, req, handler)
	u.log.finished(ctx, info.FullMethod, start, err)
	if rpc != nil {
		rpc.unaryFinished(err, time.Since(start))
	}
	return resp, err
}

// guarded checks req and runs handler, turning a panic into the status of
// u.recovered, as go-grpc-middleware's recovery interceptor does.
func (u *unaryCall) guarded(ctx context.Context, req any, handler grpc.UnaryHandler) (resp any, err error) {
	defer func() {
		if p := recover(); p != nil {
			resp, err = nil, u.recovered(ctx, p)
		}
	}()
	return u.check.unary(ctx, req, handler)
}

// panicText describes a recovered panic without its payload: runtime errors
// are kept (they name no data), anything else is reduced to its type, since
// a panic value could carry event content.
func panicText(p any) string {
	if err, ok := p.(interface{ RuntimeError() }); ok {
		return err.(error).Error()
	}
	return fmt.Sprintf("panic of type %T", p)
}

// callStats counts the jobs a call handled, for its log line.
type callStats struct {
	jobs atomic.Int64
}

type callStatsKey struct{}

// statsContext carries a call's stats in the same allocation as the context
// that holds them.
type statsContext struct {
	context.Context
	stats callStats
}

// Value returns the call's stats for callStatsKey and defers to the parent
// for any other key.
func (c *statsContext) Value(key any) any {
	if key == (callStatsKey{}) {
		return &c.stats
	}
	return c.Context.Value(key)
}

// withCallStats returns a child of ctx carrying new, empty call stats.
func withCallStats(ctx context.Context) context.Context {
	return &statsContext{Context: ctx}
}

// callStatsFrom returns the call's stats, or nil outside a call.
func callStatsFrom(ctx context.Context) *callStats {
	c, _ := ctx.Value(callStatsKey{}).(*callStats)
	return c
}

// addJobs counts n handled jobs for ctx's call.
func addJobs(ctx context.Context, n int) {
	if c := callStatsFrom(ctx); c != nil {
		c.jobs.Add(int64(n))
	}
}

func streamCallStats(srv any, ss grpc.ServerStream, _ *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
	ctx := withCallStats(ss.Context())
	return handler(srv, &contextStream{ServerStream: ss, ctx: ctx})
}

// contextStream is a ServerStream with a replaced context.
type contextStream struct {
	grpc.ServerStream
	ctx context.Context
}

// Context returns the replaced context.
func (s *contextStream) Context() context.Context { return s.ctx }
