package server

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/peer"
	"google.golang.org/grpc/status"
)

// callLogger writes one line per finished call, "finished call", with the
// fields of go-grpc-middleware's logging interceptor as this server
// configured it before (dashboards and log queries read them): jobs,
// grpc.service, grpc.method, peer.address, grpc.start_time,
// grpc.request.deadline (when the call has one), grpc.code, grpc.error
// (when it failed) and grpc.time_ms. Its level follows the code as the
// middleware's DefaultServerCodeToLevel has it; health checks and
// reflection are logged at debug level, since probes make them every few
// seconds. Payloads are never logged.
//
// It does the middleware's work without its per-call field lists (built,
// merged and deduplicated on every call, whether or not the line is
// written): a call costs a clock reading, and the line's fields are only
// formatted when its level is enabled.
type callLogger struct {
	h slog.Handler
}

// stream logs a finished stream.
func (l callLogger) stream(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
	start := time.Now()
	err := handler(srv, ss)
	l.finished(ss.Context(), info.FullMethod, start, err)
	return err
}

// finished writes the line of a call of fullMethod that started at start
// and ended with err.
func (l callLogger) finished(ctx context.Context, fullMethod string, start time.Time, err error) {
	if errors.Is(err, io.EOF) {
		err = nil
	}
	code := status.Code(err)
	service, method := splitMethod(fullMethod)
	lvl := codeLevel(code)
	if isInfrastructure(service) {
		lvl = slog.LevelDebug
	}
	if !l.h.Enabled(ctx, lvl) {
		return
	}
	now := time.Now()
	r := slog.NewRecord(now, lvl, "finished call", 0)
	var jobs int64
	if c := callStatsFrom(ctx); c != nil {
		jobs = c.jobs.Load()
	}
	// The attributes are added at once, so that the record grows its
	// storage beyond its inline attributes once rather than per addition.
	var buf [maxCallAttrs]slog.Attr
	attrs := append(buf[:0],
		slog.Int64("jobs", jobs),
		slog.String("grpc.service", service),
		slog.String("grpc.method", method),
	)
	if p, ok := peer.FromContext(ctx); ok && p.Addr != nil {
		attrs = append(attrs, slog.String("peer.address", p.Addr.String()))
	}
	attrs = append(attrs, slog.String("grpc.start_time", startTimes.format(start)))
	if d, ok := ctx.Deadline(); ok {
		attrs = append(attrs, slog.String("grpc.request.deadline", d.Format(time.RFC3339)))
	}
	attrs = append(attrs, slog.String("grpc.code", code.String()))
	if err != nil {
		attrs = append(attrs, slog.String("grpc.error", err.Error()))
	}
	attrs = append(attrs, slog.String("grpc.time_ms", durationMillis(now.Sub(start))))
	r.AddAttrs(attrs...)
	_ = l.h.Handle(ctx, r)
}

// maxCallAttrs is the number of attributes of a finished call's line with
// every optional one.
const maxCallAttrs = 9

// startTimes formats the start times of calls: calls start many times a
// second, and the field has second precision.
var startTimes secondTexts

// secondTexts formats times as RFC 3339 with second precision, keeping the
// text of the last second formatted, which the next calls reuse.
type secondTexts struct {
	last atomic.Pointer[secondText]
}

// secondText is a second, in Unix time and location loc, and its text.
type secondText struct {
	unix int64
	loc  *time.Location
	text string
}

// format returns t.Format(time.RFC3339).
func (s *secondTexts) format(t time.Time) string {
	unix, loc := t.Unix(), t.Location()
	if l := s.last.Load(); l != nil && l.unix == unix && l.loc == loc {
		return l.text
	}
	text := t.Format(time.RFC3339)
	s.last.Store(&secondText{unix: unix, loc: loc, text: text})
	return text
}

// splitMethod splits a full method name, "/service/method", as the
// middleware did.
func splitMethod(fullMethod string) (service, method string) {
	fullMethod = strings.TrimPrefix(fullMethod, "/")
	if i := strings.Index(fullMethod, "/"); i >= 0 {
		return fullMethod[:i], fullMethod[i+1:]
	}
	return "unknown", "unknown"
}

// isInfrastructure reports a health check or reflection service.
func isInfrastructure(service string) bool {
	return service == healthpb.Health_ServiceDesc.ServiceName || strings.HasPrefix(service, "grpc.reflection.")
}

// codeLevel is the level of a finished call's line by its code.
func codeLevel(code codes.Code) slog.Level {
	switch code {
	case codes.OK, codes.NotFound, codes.Canceled, codes.AlreadyExists, codes.InvalidArgument, codes.Unauthenticated:
		return slog.LevelInfo
	case codes.DeadlineExceeded, codes.PermissionDenied, codes.ResourceExhausted, codes.FailedPrecondition, codes.Aborted,
		codes.OutOfRange, codes.Unavailable:
		return slog.LevelWarn
	default:
		return slog.LevelError
	}
}

// durationMillis formats a call's duration in milliseconds as the
// middleware's grpc.time_ms field did (fmt's %v of a float32 of
// microsecond precision), without fmt's reflection.
func durationMillis(d time.Duration) string {
	ms := float32(d.Nanoseconds()/1000) / 1000
	return strconv.FormatFloat(float64(ms), 'g', -1, 32)
}
