package server

import (
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.opentelemetry.io/otel/trace"
)

// Defaults of Config.
const (
	DefaultMaxJobsPerRequest = 10000
	DefaultMaxRecvMsgSize    = 16 << 20
	DefaultShutdownGrace     = 10 * time.Second
	// resultsPerResponse is how many results a TransformBatch response
	// carries at most before the server sends it and starts the next one.
	resultsPerResponse = 500
)

// Config configures a Server.
type Config struct {
	// Logger receives one line per finished call. Nil discards logs.
	Logger *slog.Logger
	// MaxJobsPerRequest is the most jobs a request message may carry;
	// more is InvalidArgument.
	MaxJobsPerRequest int
	// MaxRecvMsgSize is the largest request message in bytes; larger is
	// ResourceExhausted.
	MaxRecvMsgSize int
	// ShutdownGrace is how long Shutdown lets in-flight calls finish.
	ShutdownGrace time.Duration
	// Metrics, when set, receives the gRPC server metrics and the
	// service's job, batch and mapping-time metrics. Nil records none.
	Metrics prometheus.Registerer

	// MaxConcurrentStreams is the most calls one connection may have open;
	// zero is DefaultMaxConcurrentStreams.
	MaxConcurrentStreams uint32
	// KeepaliveMinTime is the shortest interval between client keepalive
	// pings; a client pinging more often is disconnected. Zero is
	// DefaultKeepaliveMinTime.
	KeepaliveMinTime time.Duration
	// MaxConnectionAge is how long a connection serves new calls before the
	// client is asked to reconnect. Zero is DefaultMaxConnectionAge; a
	// negative value means no limit.
	MaxConnectionAge time.Duration
	// MaxConnectionAgeGrace is how long calls open on an aged connection
	// may run on before it is closed. Zero means until they finish.
	MaxConnectionAgeGrace time.Duration
	// ShutdownDelay is how long Shutdown keeps serving after reporting
	// NOT_SERVING, for load balancers to notice; it counts towards
	// ShutdownGrace.
	ShutdownDelay time.Duration
	// TLS, when set, serves TLS (mutual TLS when it requires client
	// certificates); see LoadTLS. Nil serves plaintext.
	TLS *tls.Config
	// AuthToken, when not empty, is the shared secret every call but health
	// checks must carry as "authorization: Bearer <token>". It is never
	// logged.
	AuthToken string
	// TracerProvider, when set, traces every call but health checks and
	// reflection (see tracing.go). Nil traces none.
	TracerProvider trace.TracerProvider

	// jobHook, when set, runs before each job is transformed. Tests use it
	// to inject faults.
	jobHook func(jobID uint64)
}

// withDefaults returns c with zero fields set to their defaults.
func (c Config) withDefaults() Config {
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.MaxJobsPerRequest == 0 {
		c.MaxJobsPerRequest = DefaultMaxJobsPerRequest
	}
	if c.MaxRecvMsgSize == 0 {
		c.MaxRecvMsgSize = DefaultMaxRecvMsgSize
	}
	if c.ShutdownGrace == 0 {
		c.ShutdownGrace = DefaultShutdownGrace
	}
	return c.withLimitDefaults()
}

// Validate reports a Config that cannot work.
func (c Config) Validate() error {
	var errs []error
	if c.MaxJobsPerRequest < 0 {
		errs = append(errs, fmt.Errorf("max jobs per request must be positive, got %d", c.MaxJobsPerRequest))
	}
	if c.MaxRecvMsgSize < 0 {
		errs = append(errs, fmt.Errorf("max receive message size must be positive, got %d", c.MaxRecvMsgSize))
	}
	if c.ShutdownGrace < 0 {
		errs = append(errs, fmt.Errorf("shutdown grace must not be negative, got %s", c.ShutdownGrace))
	}
	if err := c.validateLimits(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}
