package server

import (
	"context"
	"fmt"
	"runtime/debug"
	"sync/atomic"

	"github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors/recovery"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// interceptors returns the server's interceptor chain, unary and stream in
// step, outermost first. The gRPC metrics come first so that they see the
// final code of every call, recovered panics and invalid envelopes included.
func interceptors(cfg Config, m *metrics, f *inflight) (unary []grpc.UnaryServerInterceptor, stream []grpc.StreamServerInterceptor) {
	rec := recovery.WithRecoveryHandlerContext(func(ctx context.Context, p any) error {
		cfg.Logger.ErrorContext(ctx, "recovered from panic", "panic", panicText(p), "stack", string(debug.Stack()))
		return status.Error(codes.Internal, "internal error")
	})
	v := validator{maxJobs: cfg.MaxJobsPerRequest, inflight: f, metrics: m}
	// Only the finished call is logged (see callLogger).
	log := callLogger{h: cfg.Logger.Handler()}
	unary = []grpc.UnaryServerInterceptor{
		m.unaryRPC(),
		unaryCallStats,
		traceUnary(cfg.TracerProvider),
		log.unary,
		recovery.UnaryServerInterceptor(rec),
		v.unary,
	}
	stream = []grpc.StreamServerInterceptor{
		m.streamRPC(),
		streamCallStats,
		traceStream(cfg.TracerProvider),
		log.stream,
		recovery.StreamServerInterceptor(rec),
		// TransformBatch checks each request message itself, so that a
		// refused one is answered in band and the stream goes on.
	}
	return withoutNil(unary, func(i grpc.UnaryServerInterceptor) bool { return i == nil }),
		withoutNil(stream, func(i grpc.StreamServerInterceptor) bool { return i == nil })
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

// unaryCallStats also stops the call's receive timer: interceptors run
// once the request message has arrived.
func unaryCallStats(ctx context.Context, req any, _ *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	stopRecvTimer(ctx)
	return handler(withCallStats(ctx), req)
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
