package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"strings"
	"time"

	"github.com/cio-transformer/cio-transformer/server"
	"github.com/prometheus/client_golang/prometheus"
)

// serveFlags are the serve command's settings.
type serveFlags struct {
	listen            string
	logLevel          string
	maxJobsPerRequest int
	maxRecvMsgSize    int
	shutdownGrace     time.Duration
	transport         transportFlags
	delivery          deliveryFlags
	http              httpFlags
	metricsListen     string
}

// newServeFlagSet defines the serve flags. Each flag may also be set by the
// environment variable named in its usage text; an explicit flag wins.
func newServeFlagSet(f *serveFlags, out io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(out)
	fs.StringVar(&f.listen, "listen", ":50051", "address to listen on (env CIO_LISTEN)")
	fs.StringVar(&f.logLevel, "log-level", "info", "log level: debug, info, warn or error (env CIO_LOG_LEVEL)")
	fs.IntVar(&f.maxJobsPerRequest, "max-jobs-per-request", server.DefaultMaxJobsPerRequest, "most jobs in one request message; more is INVALID_ARGUMENT (env CIO_MAX_JOBS_PER_REQUEST)")
	fs.IntVar(&f.maxRecvMsgSize, "max-recv-msg-size", server.DefaultMaxRecvMsgSize, "largest request message in bytes; larger is RESOURCE_EXHAUSTED (env CIO_MAX_RECV_MSG_SIZE)")
	fs.DurationVar(&f.shutdownGrace, "shutdown-grace", server.DefaultShutdownGrace, "how long in-flight calls may finish after SIGTERM (env CIO_SHUTDOWN_GRACE)")
	fs.StringVar(&f.metricsListen, "metrics-listen", "", "address to serve Prometheus /metrics on over HTTP, e.g. :9464; empty is off (env CIO_METRICS_LISTEN)")
	f.transport.define(fs)
	f.delivery.define(fs)
	f.http.define(fs)
	return fs
}

// envName returns the environment variable of a flag: CIO_ and its name in
// upper case with underscores.
func envName(flagName string) string {
	return "CIO_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// applyEnv sets every flag not given on the command line from its
// environment variable, if set.
func applyEnv(fs *flag.FlagSet) error {
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	var errs []error
	fs.VisitAll(func(f *flag.Flag) {
		if set[f.Name] {
			return
		}
		if v, ok := os.LookupEnv(envName(f.Name)); ok {
			if err := fs.Set(f.Name, v); err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", envName(f.Name), err))
			}
		}
	})
	return errors.Join(errs...)
}

// serve runs the gRPC server until ctx ends, then shuts it down gracefully.
func serve(ctx context.Context, args []string, stderr io.Writer) int {
	var f serveFlags
	fs := newServeFlagSet(&f, stderr)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if err := applyEnv(fs); err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	cfg, logger, err := f.config(stderr)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	if err := errors.Join(f.transport.apply(&cfg), f.delivery.apply(&cfg)); err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	var reg prometheus.Registerer
	if f.metricsListen != "" {
		reg := newMetricsRegistry()
		cfg.Metrics = reg
		ms, err := startMetrics(f.metricsListen, reg, logger)
		if err != nil {
			logger.Error("cannot listen for metrics", "addr", f.metricsListen, "error", err)
			return 1
		}
		defer ms.stop()
	}
	reg = cfg.Metrics
	srv, err := server.New(cfg)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	lis, err := net.Listen("tcp", f.listen)
	if err != nil {
		logger.Error("cannot listen", "addr", f.listen, "error", err)
		return 1
	}
	hs, err := f.http.start(cfg, srv.Delivery(), reg, logger)
	if err != nil {
		_ = lis.Close()
		logger.Error("cannot serve http", "addr", f.http.listen, "error", err)
		return 1
	}
	logger.Info("serving", "addr", lis.Addr().String(), "tls", cfg.TLS != nil, "mutual_tls", cfg.TLS != nil && cfg.TLS.ClientCAs != nil, "auth_token", cfg.AuthToken != "")
	done := make(chan error, 1)
	go func() { done <- srv.Serve(lis) }()
	select {
	case err := <-done:
		logger.Error("server stopped", "error", err)
		hs.stop(0, cfg.ShutdownGrace)
		return 1
	case err := <-hs.failed():
		logger.Error("http server stopped", "error", err)
		srv.Stop()
		<-done
		return 1
	case <-ctx.Done():
	}
	logger.Info("shutting down", "grace", cfg.ShutdownGrace.String())
	httpStopped := make(chan struct{})
	go func() {
		hs.stop(cfg.ShutdownDelay, cfg.ShutdownGrace)
		close(httpStopped)
	}()
	srv.Shutdown(context.Background())
	<-done
	<-httpStopped
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
	logger := slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: level}))
	return server.Config{
		Logger:            logger,
		MaxJobsPerRequest: f.maxJobsPerRequest,
		MaxRecvMsgSize:    f.maxRecvMsgSize,
		ShutdownGrace:     f.shutdownGrace,
	}, logger, nil
}
