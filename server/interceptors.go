package server

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	middleware "github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors"
	"github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors/logging"
	"github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors/recovery"
	"github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors/selector"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"
)

// interceptors returns the server's interceptor chain, unary and stream in
// step, outermost first. The gRPC metrics come first so that they see the
// final code of every call, recovered panics and invalid envelopes included.
func interceptors(cfg Config, m *metrics, f *inflight) (unary []grpc.UnaryServerInterceptor, stream []grpc.StreamServerInterceptor) {
	logOpts := []logging.Option{
		// Only the finished call is logged: payloads never are.
		logging.WithLogOnEvents(logging.FinishCall),
		logging.WithFieldsFromContext(func(ctx context.Context) logging.Fields {
			if c := callStatsFrom(ctx); c != nil {
				return logging.Fields{"jobs", c.jobs.Load()}
			}
			return nil
		}),
		logging.WithDurationField(durationMillis),
		// Constant on this server, or implied by the method: each field
		// left out saves work on every call, the field handling being
		// quadratic in their number.
		logging.WithDisableLoggingFields(logging.SystemTag[0], logging.ComponentFieldKey, logging.MethodTypeFieldKey),
	}
	logger := slogLogger(cfg.Logger)
	rec := recovery.WithRecoveryHandlerContext(func(ctx context.Context, p any) error {
		cfg.Logger.ErrorContext(ctx, "recovered from panic", "panic", panicText(p), "stack", string(debug.Stack()))
		return status.Error(codes.Internal, "internal error")
	})
	v := validator{maxJobs: cfg.MaxJobsPerRequest, inflight: f, metrics: m}
	// Health checks and reflection are logged at debug level: probes make
	// them every few seconds.
	quiet := append(slices.Clone(logOpts), logging.WithLevels(func(codes.Code) logging.Level { return logging.LevelDebug }))
	unary = []grpc.UnaryServerInterceptor{
		m.unaryRPC(),
		unaryCallStats,
		traceUnary(cfg.TracerProvider),
		selector.UnaryServerInterceptor(logging.UnaryServerInterceptor(logger, logOpts...), selector.MatchFunc(isServiceCall)),
		selector.UnaryServerInterceptor(logging.UnaryServerInterceptor(logger, quiet...), selector.MatchFunc(isInfrastructureCall)),
		recovery.UnaryServerInterceptor(rec),
		v.unary,
	}
	stream = []grpc.StreamServerInterceptor{
		m.streamRPC(),
		streamCallStats,
		traceStream(cfg.TracerProvider),
		selector.StreamServerInterceptor(logging.StreamServerInterceptor(logger, logOpts...), selector.MatchFunc(isServiceCall)),
		selector.StreamServerInterceptor(logging.StreamServerInterceptor(logger, quiet...), selector.MatchFunc(isInfrastructureCall)),
		recovery.StreamServerInterceptor(rec),
		// TransformBatch checks each request message itself, so that a
		// refused one is answered in band and the stream goes on.
	}
	return withoutNil(unary, func(i grpc.UnaryServerInterceptor) bool { return i == nil }),
		withoutNil(stream, func(i grpc.StreamServerInterceptor) bool { return i == nil })
}

// isInfrastructureCall reports a health check or reflection call.
func isInfrastructureCall(_ context.Context, c middleware.CallMeta) bool {
	return c.Service == healthpb.Health_ServiceDesc.ServiceName || strings.HasPrefix(c.Service, "grpc.reflection.")
}

// isServiceCall reports a call of the service itself (anything but health
// checks and reflection).
func isServiceCall(ctx context.Context, c middleware.CallMeta) bool {
	return !isInfrastructureCall(ctx, c)
}

// slogLogger adapts l to the logging interceptor. The record is built here
// rather than by l.Log, which would walk the stack for a source position
// that could only ever name this adapter.
func slogLogger(l *slog.Logger) logging.Logger {
	h := l.Handler()
	return logging.LoggerFunc(func(ctx context.Context, lvl logging.Level, msg string, fields ...any) {
		if !h.Enabled(ctx, slog.Level(lvl)) {
			return
		}
		r := slog.NewRecord(time.Now(), slog.Level(lvl), msg, 0)
		r.Add(fields...)
		_ = h.Handle(ctx, r)
	})
}

// durationMillis is the interceptor's default grpc.time_ms field, formatted
// as fmt's %v does but without its reflection.
func durationMillis(d time.Duration) logging.Fields {
	ms := float32(d.Nanoseconds()/1000) / 1000
	return logging.Fields{"grpc.time_ms", strconv.FormatFloat(float64(ms), 'g', -1, 32)}
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
