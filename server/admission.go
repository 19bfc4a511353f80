package server

import (
	"context"
	"log/slog"

	"google.golang.org/grpc/tap"
)

// Reasons a call is refused at admission, the reason label of
// cio_transformer_refused_calls_total.
const (
	refusedUnauthenticated = "unauthenticated"
	refusedInflight        = "inflight_budget"
	refusedRecvTimeout     = "recv_timeout"
	numRefusedReasons      = 3
)

// refusedReasons are the label values, in the order of the refused
// counters of metrics.
var refusedReasons = [numRefusedReasons]string{refusedUnauthenticated, refusedInflight, refusedRecvTimeout}

// admission decides, when a call's headers arrive and before any of its
// messages is read, whether the server takes the call. It is the server's
// grpc.InTapHandle: it runs on the connection's reading goroutine, so it
// must be cheap, and a call it refuses never reaches an interceptor or a
// handler. Refused calls are counted, and logged at debug level only, so
// that a flood of them (an HTTP/2 rapid reset, a client without the token)
// costs neither log volume nor a message decoding.
type admission struct {
	auth     *tokenAuth
	inflight *inflight
	metrics  *metrics
	logger   *slog.Logger
}

// tap admits or refuses the call described by info.
func (a *admission) tap(ctx context.Context, info *tap.Info) (context.Context, error) {
	if a.auth != nil && !a.auth.exempt(info.FullMethodName) {
		if err := a.auth.check(info.Header); err != nil {
			a.refuse(ctx, info, refusedUnauthenticated)
			return nil, err
		}
	}
	if err := a.inflight.admit(info.FullMethodName); err != nil {
		a.refuse(ctx, info, refusedInflight)
		return nil, err
	}
	return ctx, nil
}

// refuse counts and logs a refused call.
func (a *admission) refuse(ctx context.Context, info *tap.Info, reason string) {
	a.metrics.refused(reason)
	if a.logger.Enabled(ctx, slog.LevelDebug) {
		a.logger.DebugContext(ctx, "refused call", "grpc.method", clipMethod(info.FullMethodName), "reason", reason)
	}
}

// clipMethod bounds a client-chosen method name in a log line.
func clipMethod(m string) string {
	const maxMethod = 128
	if len(m) > maxMethod {
		return m[:maxMethod]
	}
	return m
}
