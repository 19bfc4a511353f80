package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"sync"
	"time"

	"github.com/cio-transformer/cio-transformer/internal/cli"
	"github.com/cio-transformer/cio-transformer/server"
	"github.com/cio-transformer/cio-transformer/transform"
	"github.com/prometheus/client_golang/prometheus"
	flag "github.com/spf13/pflag"
)

// serveFlags are the serve command's settings.
type serveFlags struct {
	listen            string
	logLevel          string
	logFormat         string
	maxJobsPerRequest int
	maxRecvMsgSize    int
	maxEventBytes     int
	shutdownGrace     time.Duration
	transport         transportFlags
	delivery          deliveryFlags
	http              httpFlags
	metricsListen     string
}

// newServeFlagSet defines the serve flags, one line each. Each flag may also be set by the environment variable
// its usage text ends with, CIO_ and its name (see envName); an explicit
// flag wins.
func newServeFlagSet(f *serveFlags, out io.Writer) *flag.FlagSet {
	fs := cli.NewFlagSet("cio-transformer serve", out)
	fs.StringVar(&f.listen, "listen", ":50051", "address to listen on (env CIO_LISTEN)")
	fs.StringVar(&f.logLevel, "log-level", "info", "log level: debug, info, warn or error (env CIO_LOG_LEVEL)")
	fs.StringVar(&f.logFormat, "log-format", "json", "log format: json (one object a line) or text (key=value) (env CIO_LOG_FORMAT)")
	fs.IntVar(&f.maxJobsPerRequest, "max-jobs-per-request", server.DefaultMaxJobsPerRequest, "most jobs in one request message; more is INVALID_ARGUMENT (env CIO_MAX_JOBS_PER_REQUEST)")
	fs.IntVar(&f.maxRecvMsgSize, "max-recv-msg-size", server.DefaultMaxRecvMsgSize, "largest request message in bytes; larger is RESOURCE_EXHAUSTED (env CIO_MAX_RECV_MSG_SIZE)")
	fs.IntVar(&f.maxEventBytes, "max-event-bytes", transform.DefaultMaxEventBytes, "most bytes one event may produce (request body or batch object); more fails that job with a 400. The events of one request together may produce this and 8 times their own size (env CIO_MAX_EVENT_BYTES)")
	fs.DurationVar(&f.shutdownGrace, "shutdown-grace", server.DefaultShutdownGrace, "how long in-flight calls may finish after SIGTERM (env CIO_SHUTDOWN_GRACE)")
	fs.StringVar(&f.metricsListen, "metrics-listen", "", "address to serve Prometheus /metrics on over HTTP, e.g. :9464; empty is off (env CIO_METRICS_LISTEN)")
	f.transport.define(fs)
	f.delivery.define(fs)
	f.http.define(fs)
	return fs
}

// serveUsage is the head of serve's help.
const serveUsage = `usage: cio-transformer serve [flags]

Serves the TransformerService, gRPC health and reflection. Every flag may
also be set by the environment variable named after it; an unknown CIO_
variable is an error. Tracing is configured by the standard OTEL_*
variables (see docs/OPERATIONS.md).

Flags:
`

// serve runs the gRPC server until ctx ends, then shuts it down gracefully.
func serve(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var f serveFlags
	fs := newServeFlagSet(&f, stderr)
	if code, ok := cli.ParseArgs(fs, args, serveUsage, stdout, stderr); !ok {
		return code
	}
	if fs.NArg() > 0 {
		return cli.UsageError(stderr, "cio-transformer serve", fmt.Errorf("unexpected argument %q: serve takes flags only", fs.Arg(0)))
	}
	if err := applyEnv(fs, os.Environ()); err != nil {
		return cli.UsageError(stderr, "cio-transformer serve", err)
	}
	cfg, logger, err := f.config(stderr)
	if err != nil {
		return cli.UsageError(stderr, "cio-transformer serve", err)
	}
	if err := errors.Join(f.transport.apply(&cfg), f.delivery.apply(&cfg)); err != nil {
		return cli.UsageError(stderr, "cio-transformer serve", err)
	}
	tp, err := newTracerProvider(ctx, os.Getenv, logger)
	if err != nil {
		return cli.UsageError(stderr, "cio-transformer serve", err)
	}
	if tp != nil {
		cfg.TracerProvider = tp
		defer shutdownTracing(tp, logger)
		logger.Info("tracing", "exporter", "otlp")
	}
	var reg prometheus.Registerer
	var ms *metricsServer
	if f.metricsListen != "" {
		reg := newMetricsRegistry()
		cfg.Metrics = reg
		ms, err = startMetrics(f.metricsListen, reg, logger)
		if err != nil {
			logger.Error("cannot listen for metrics", "addr", f.metricsListen, "error", err)
			return 1
		}
	}
	stopMetrics := func(ctx context.Context) {
		if ms != nil {
			ms.stop(ctx)
		}
	}
	reg = cfg.Metrics
	srv, err := server.New(cfg)
	if err != nil {
		return cli.UsageError(stderr, "cio-transformer serve", err)
	}
	lis, err := net.Listen("tcp", f.listen)
	if err != nil {
		logger.Error("cannot listen", "addr", f.listen, "error", err)
		return 1
	}
	hs, err := f.http.start(cfg, srv, reg, logger)
	if err != nil {
		_ = lis.Close()
		logger.Error("cannot serve http", "addr", f.http.listen, "error", err)
		return 1
	}
	logger.Info("serving", "addr", lis.Addr().String(), "version", readBuildInfo().Version, "tls", cfg.TLS != nil, "mutual_tls", cfg.TLS != nil && cfg.TLS.ClientCAs != nil, "auth_token", cfg.AuthToken != "")
	done := make(chan error, 1)
	go func() { done <- srv.Serve(lis) }()
	select {
	case err := <-done:
		logger.Error("server stopped", "error", err)
		hs.stop(0, cfg.ShutdownGrace)
		stopMetrics(context.Background())
		return 1
	case err := <-hs.failed():
		logger.Error("http server stopped", "error", err)
		srv.Stop()
		<-done
		stopMetrics(context.Background())
		return 1
	case <-ctx.Done():
	}
	logger.Info("shutting down", "grace", cfg.ShutdownGrace.String())
	graceCtx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownGrace)
	defer cancel()
	// The HTTP and metrics servers stop with the gRPC server, within the
	// same grace.
	var others sync.WaitGroup
	others.Go(func() { hs.stop(cfg.ShutdownDelay, cfg.ShutdownGrace) })
	others.Go(func() { stopMetrics(graceCtx) })
	srv.Shutdown(graceCtx)
	<-done
	others.Wait()
	logger.Info("stopped")
	return 0
}

// config turns the flags into a server configuration and the logger.
func (f *serveFlags) config(stderr io.Writer) (server.Config, *slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(f.logLevel)); err != nil {
		return server.Config{}, nil, fmt.Errorf("invalid log level %q: %w", f.logLevel, err)
	}
	if f.shutdownGrace <= 0 {
		return server.Config{}, nil, fmt.Errorf("shutdown grace must be positive, got %s", f.shutdownGrace)
	}
	if f.maxJobsPerRequest <= 0 {
		return server.Config{}, nil, fmt.Errorf("max jobs per request must be positive, got %d", f.maxJobsPerRequest)
	}
	if f.maxRecvMsgSize <= 0 {
		return server.Config{}, nil, fmt.Errorf("max receive message size must be positive, got %d", f.maxRecvMsgSize)
	}
	if f.maxEventBytes <= 0 {
		return server.Config{}, nil, fmt.Errorf("max event bytes must be positive, got %d", f.maxEventBytes)
	}
	opts := &slog.HandlerOptions{Level: level}
	var handler slog.Handler
	switch f.logFormat {
	case "json":
		handler = slog.NewJSONHandler(stderr, opts)
	case "text":
		handler = slog.NewTextHandler(stderr, opts)
	default:
		return server.Config{}, nil, fmt.Errorf("invalid log format %q: want json or text", f.logFormat)
	}
	logger := slog.New(handler)
	return server.Config{
		Logger:            logger,
		MaxJobsPerRequest: f.maxJobsPerRequest,
		MaxRecvMsgSize:    f.maxRecvMsgSize,
		MaxEventBytes:     f.maxEventBytes,
		ShutdownGrace:     f.shutdownGrace,
	}, logger, nil
}
