package server

import (
	"cmp"
	"errors"
	"fmt"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/keepalive"
)

// Defaults of the connection limits in Config.
const (
	// DefaultMaxConcurrentStreams is the most calls one connection may have
	// open at once. Each may hold a request message of up to MaxRecvMsgSize
	// in memory, so the bound keeps one client's share of memory finite;
	// HTTP/2 recommends at least 100. gRPC clients queue calls beyond it
	// rather than fail them.
	DefaultMaxConcurrentStreams = 100
	// DefaultKeepaliveMinTime is the shortest interval between client
	// keepalive pings the server accepts; a client pinging more often is
	// disconnected with GOAWAY "too_many_pings".
	DefaultKeepaliveMinTime = 10 * time.Second
	// DefaultMaxConnectionAge is how long a connection lives before the
	// server asks the client to reconnect (GOAWAY), so that the load spreads
	// over new replicas. Calls open on the old connection run on.
	DefaultMaxConnectionAge = 30 * time.Minute
)

// HTTP/2 flow-control windows of the server: 64 KiB per call is HTTP/2's
// own default, 1 MiB per connection lets 16 calls send at full speed.
// grpc-go gives a connection's window back as bytes arrive, read or not:
// the calls' windows alone bound what a connection buffers unread
// (MaxConcurrentStreams × streamWindow). A larger call window saves a
// stream of large request messages some WINDOW_UPDATE round trips, about
// 5% of its CPU at 512 KiB, and multiplies that bound as much.
const (
	streamWindow = 64 << 10
	connWindow   = 1 << 20
)

// MaxHeaderListSize is the most bytes of headers (metadata) a call may
// carry, decoded, as the server advertises it in its HTTP/2 settings:
// grpc-go's default of 16 MiB let each connection make the server decode
// and hold that much (HPACK references repeat a table entry at a byte
// each) before the admission tap sees the call. A call's headers are its
// path, content type, token and trace context, a few hundred bytes.
const MaxHeaderListSize = 64 << 10

// handshakeTimeout bounds a new connection's TLS and HTTP/2 handshakes:
// grpc-go's default of 120 s let clients that connect and send nothing
// hold every one of --max-connections for two minutes at a time. The HTTP
// face gives a request's headers as long.
const handshakeTimeout = 10 * time.Second

// withLimitDefaults returns c with zero connection limits set to their
// defaults.
func (c Config) withLimitDefaults() Config {
	c.MaxConcurrentStreams = cmp.Or(c.MaxConcurrentStreams, DefaultMaxConcurrentStreams)
	c.KeepaliveMinTime = cmp.Or(c.KeepaliveMinTime, DefaultKeepaliveMinTime)
	c.MaxConnectionAge = cmp.Or(c.MaxConnectionAge, DefaultMaxConnectionAge)
	return c
}

// validateLimits reports connection limits and shutdown settings that
// cannot work.
func (c Config) validateLimits() error {
	var errs []error
	if c.KeepaliveMinTime < 0 {
		errs = append(errs, fmt.Errorf("keepalive min time must not be negative, got %s", c.KeepaliveMinTime))
	}
	if c.MaxConnectionAgeGrace < 0 {
		errs = append(errs, fmt.Errorf("max connection age grace must not be negative, got %s", c.MaxConnectionAgeGrace))
	}
	if c.ShutdownDelay < 0 {
		errs = append(errs, fmt.Errorf("shutdown delay must not be negative, got %s", c.ShutdownDelay))
	}
	if c.ShutdownGrace > 0 && c.ShutdownDelay >= c.ShutdownGrace {
		errs = append(errs, fmt.Errorf("shutdown delay (%s) must be shorter than the shutdown grace (%s)", c.ShutdownDelay, c.ShutdownGrace))
	}
	return errors.Join(errs...)
}

// transportOptions are the server options that turn connections into
// calls: TLS, the request codec and the connection limits.
func transportOptions(c Config, f *inflight) []grpc.ServerOption {
	params := keepalive.ServerParameters{
		// A zero grace lets calls on an aged connection run to completion:
		// cutting a pipelining TransformBatch stream would cost the client
		// a resend.
		MaxConnectionAgeGrace: c.MaxConnectionAgeGrace,
	}
	if c.MaxConnectionAge > 0 {
		params.MaxConnectionAge = c.MaxConnectionAge
	}
	if c.MaxConnectionIdle > 0 {
		params.MaxConnectionIdle = c.MaxConnectionIdle
	}
	opts := []grpc.ServerOption{
		grpc.ForceServerCodecV2(newRequestCodec(c.MaxJobsPerRequest, int64(c.MaxRecvMsgSize)*decodedBytesPerWireByte, f)),
		// Static windows: grpc-go's bandwidth-delay estimation would
		// otherwise grow each call's receive window to 16 MiB, which a
		// client that sends without the server reading fills. A call
		// buffers at most streamWindow bytes beyond what the server read.
		grpc.InitialWindowSize(streamWindow),
		grpc.InitialConnWindowSize(connWindow),
		grpc.MaxConcurrentStreams(c.MaxConcurrentStreams),
		grpc.MaxHeaderListSize(MaxHeaderListSize),
		grpc.ConnectionTimeout(handshakeTimeout),
		grpc.KeepaliveEnforcementPolicy(keepalive.EnforcementPolicy{
			MinTime: c.KeepaliveMinTime,
			// Routers keep idle connections open between batches; pings on
			// them are cheap and keep middleboxes from dropping them.
			PermitWithoutStream: true,
		}),
		grpc.KeepaliveParams(params),
	}
	if c.TLS != nil {
		opts = append(opts, grpc.Creds(credentials.NewTLS(c.TLS)))
	}
	return opts
}
