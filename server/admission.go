package server

import (
	"context"
	"log/slog"

	"google.golang.org/grpc"

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
	// recv bounds the arrival of a unary call's request message (nil is
	// no bound); unary holds the full names of the server's unary methods.
	recv  *recvWatch
	unary map[string]bool
}

// newAdmission returns the admission of a server with cfg's token and
// receive timeout, the budget f and the metrics m.
func newAdmission(cfg Config, f *inflight, m *metrics) *admission {
	a := &admission{auth: newTokenAuth(cfg.AuthToken), inflight: f, metrics: m, logger: cfg.Logger}
	if cfg.RecvTimeout > 0 {
		a.recv = newRecvWatch(cfg.RecvTimeout, func(c *recvCall) {
			a.refuse(c, c.method, refusedRecvTimeout)
		})
	}
	return a
}

// tap admits or refuses the call described by info.
func (a *admission) tap(ctx context.Context, info *tap.Info) (context.Context, error) {
	if a.auth != nil && !a.auth.exempt(info.FullMethodName) {
		if err := a.auth.check(info.Header); err != nil {
			a.refuse(ctx, info.FullMethodName, refusedUnauthenticated)
			return nil, err
		}
	}
	if err := a.inflight.admit(info.FullMethodName); err != nil {
		a.refuse(ctx, info.FullMethodName, refusedInflight)
		return nil, err
	}
	if a.recv != nil && a.unary[info.FullMethodName] {
		// A request message trickling in holds its buffers: past the
		// timeout the call's context ends, which ends the read, and the
		// call with it. The context is the stream's own, so grpc-go's
		// reading of the message sees it.
		return a.recv.watch(ctx, info.FullMethodName), nil
	}
	return ctx, nil
}

// unaryMethods returns the full names of g's unary methods.
func unaryMethods(g *grpc.Server) map[string]bool {
	out := map[string]bool{}
	for svc, info := range g.GetServiceInfo() {
		for _, m := range info.Methods {
			if !m.IsClientStream && !m.IsServerStream {
				out["/"+svc+"/"+m.Name] = true
			}
		}
	}
	return out
}

// refuse counts and logs a refused call of method.
func (a *admission) refuse(ctx context.Context, method, reason string) {
	a.metrics.refused(reason)
	if a.logger.Enabled(ctx, slog.LevelDebug) {
		a.logger.DebugContext(ctx, "refused call", "grpc.method", clipMethod(method), "reason", reason)
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
