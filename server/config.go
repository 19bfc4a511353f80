package server

import (
	"cmp"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/cio-transformer/cio-transformer/server/delivery"
	"github.com/prometheus/client_golang/prometheus"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc/stats"
)

// Defaults of Config.
const (
	DefaultMaxJobsPerRequest = 10000
	// DefaultMaxRecvMsgSize is gRPC's own default: 4 MiB holds a request
	// message of about 6,000 typical 600-byte events, six times a
	// 1,000-job router batch, while keeping what one message costs decoded
	// (up to decodedBytesPerWireByte times its size) a small part of a
	// 512 MiB container.
	DefaultMaxRecvMsgSize = 4 << 20
	DefaultShutdownGrace  = 10 * time.Second
	// DefaultMaxInflightBytes is the default in-flight budget: with the
	// static flow-control windows, a few decodings at once and the Go
	// runtime it stays well inside the 512 MiB memory limit of the
	// Kubernetes manifests (GOMEMLIMIT 435 MiB).
	DefaultMaxInflightBytes = 160 << 20
	// DefaultMaxConnections bounds open connections; a router holds a few.
	DefaultMaxConnections = 256
	// DefaultRecvTimeout is how long a unary call's request message may
	// take to arrive once its headers have.
	DefaultRecvTimeout = 10 * time.Second
	// DefaultMaxConnectionIdle closes connections without calls for this
	// long.
	DefaultMaxConnectionIdle = 5 * time.Minute
	// decodedBytesPerWireByte bounds the estimated decoded size of a
	// request message to this many times MaxRecvMsgSize: typed events take
	// up to about 10 times their wire size decoded, a message of empty
	// values 60 times.
	decodedBytesPerWireByte = 16
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
	// MaxInflightBytes is the process-wide budget of request messages
	// received and not yet answered (see inflight). Zero is
	// DefaultMaxInflightBytes; negative is no budget.
	MaxInflightBytes int64
	// MaxConnections is the most connections served at once; more wait to
	// be accepted. Zero is DefaultMaxConnections; negative is no limit.
	MaxConnections int
	// RecvTimeout is how long a unary call's request message may take to
	// arrive after its headers; then the call is cancelled. Zero is
	// DefaultRecvTimeout; negative is no limit.
	RecvTimeout time.Duration
	// MaxConnectionIdle is how long a connection without calls stays open.
	// Zero is DefaultMaxConnectionIdle; negative is no limit.
	MaxConnectionIdle time.Duration
	// ShutdownGrace is how long Shutdown lets in-flight calls finish.
	ShutdownGrace time.Duration
	// MaxEventBytes is the most bytes one event may produce (its request
	// body or batch object); an event over it gets a 400 result. Zero is
	// transform.DefaultMaxEventBytes.
	MaxEventBytes int
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
	// Delivery configures the Customer.io client of Deliver and
	// DeliverBatch: base URLs, timeout, response bound and rate limit.
	// Its Logger and Metrics are the server's.
	Delivery delivery.Config
	// TracerProvider, when set, traces every call but health checks and
	// reflection (see tracing.go). Nil traces none.
	TracerProvider trace.TracerProvider

	// jobHook, when set, runs before each job is transformed. Tests use it
	// to inject faults.
	jobHook func(jobID uint64)
	// statsHandler, when set, sees every call's events. Tests use it to
	// count the messages the server read.
	statsHandler stats.Handler
}

// withDefaults returns c with zero fields set to their defaults.
func (c Config) withDefaults() Config {
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	c.MaxJobsPerRequest = cmp.Or(c.MaxJobsPerRequest, DefaultMaxJobsPerRequest)
	c.MaxRecvMsgSize = cmp.Or(c.MaxRecvMsgSize, DefaultMaxRecvMsgSize)
	c.ShutdownGrace = cmp.Or(c.ShutdownGrace, DefaultShutdownGrace)
	c.MaxInflightBytes = cmp.Or(c.MaxInflightBytes, DefaultMaxInflightBytes)
	c.MaxConnections = cmp.Or(c.MaxConnections, DefaultMaxConnections)
	c.RecvTimeout = cmp.Or(c.RecvTimeout, DefaultRecvTimeout)
	c.MaxConnectionIdle = cmp.Or(c.MaxConnectionIdle, DefaultMaxConnectionIdle)
	if c.jobHook == nil {
		c.jobHook = faultHook()
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
	if c.MaxEventBytes < 0 {
		errs = append(errs, fmt.Errorf("max event bytes must be positive, got %d", c.MaxEventBytes))
	}
	if c.ShutdownGrace < 0 {
		errs = append(errs, fmt.Errorf("shutdown grace must not be negative, got %s", c.ShutdownGrace))
	}
	if err := c.validateLimits(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}
