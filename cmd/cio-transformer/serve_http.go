package main

import (
	"cmp"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	flag "github.com/spf13/pflag"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"time"

	"github.com/cio-transformer/cio-transformer/server"
	"github.com/cio-transformer/cio-transformer/server/httpapi"
	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/net/netutil"
)

// Timeouts and bounds of the HTTP listener. The writing of an answer is
// bounded by the handler (httpapi.Config.WriteTimeout), from its start,
// since an answer is computed from the whole body first.
const (
	httpReadHeaderTimeout = 10 * time.Second
	httpIdleTimeout       = 2 * time.Minute
	// httpMaxStreams is the most requests one HTTP/2 connection of the
	// HTTP face may have open (an HTTP/1.1 connection has one). Each open
	// request is a goroutine, however little of it has arrived, so
	// --max-connections times this bounds them; net/http's default of 250
	// let 100 connections of stalled requests hold 340 MB. rudder-server
	// speaks HTTP/1.1 to its transformer.
	httpMaxStreams = 16
)

// httpFlags are the settings of the rudder-transformer HTTP protocol.
type httpFlags struct {
	listen      string
	fallbackURL string
	gzipAnswers bool
}

// define adds the HTTP flags to fs.
func (f *httpFlags) define(fs *flag.FlagSet) {
	fs.StringVar(&f.listen, "http-listen", "", "address to serve rudder-transformer's HTTP protocol on (HTTP/1.1 and h2c), e.g. :9090; empty is off (env CIO_HTTP_LISTEN)")
	fs.StringVar(&f.fallbackURL, "fallback-transformer-url", "", "rudder-transformer that HTTP requests for other destinations and paths are forwarded to, e.g. http://transformer:9090 (env CIO_FALLBACK_TRANSFORMER_URL)")
	fs.BoolVar(&f.gzipAnswers, "http-gzip-answers", true, "gzip HTTP answers for clients that ask for it, as rudder-server does; false saves the compression's CPU (about a third of a router request's) where the network is free, as beside rudder-server (env CIO_HTTP_GZIP_ANSWERS)")
}

// httpServer serves the HTTP protocol until stopped.
type httpServer struct {
	handler *httpapi.Handler
	http    *http.Server
	lis     net.Listener
	done    chan error
}

// start listens on the flags' address and serves the HTTP protocol with
// the gRPC server's limits, token and TLS, charging request bodies to
// srv's in-flight budget and delivering proxy requests with srv's delivery
// client, so that both faces share the budget, the client's connections
// and its rate limits; nil when --http-listen is empty.
// Upstream's batching-framework path is selected by the same environment
// variable upstream reads (httpapi.V2WorkspacesEnv).
func (f *httpFlags) start(cfg server.Config, srv *server.Server, reg prometheus.Registerer, logger *slog.Logger) (*httpServer, error) {
	if f.listen == "" {
		if f.fallbackURL != "" {
			return nil, errors.New("--fallback-transformer-url needs --http-listen")
		}
		return nil, nil
	}
	hc := httpapi.Config{
		Logger:            logger,
		MaxBodyBytes:      cfg.MaxRecvMsgSize,
		MaxJobsPerRequest: cfg.MaxJobsPerRequest,
		MaxEventBytes:     cfg.MaxEventBytes,
		AuthToken:         cfg.AuthToken,
		Metrics:           reg,
		V2Workspaces:      os.Getenv(httpapi.V2WorkspacesEnv),
		Deliverer:         srv.Delivery(),
		Budget:            srv.Budget(),
		Mapping:           srv.Mapping(),
		BodyTimeout:       cfg.RecvTimeout,
		PlainAnswers:      !f.gzipAnswers,
	}
	if f.fallbackURL != "" {
		u, err := url.Parse(f.fallbackURL)
		if err != nil {
			return nil, fmt.Errorf("fallback transformer URL: %w", err)
		}
		hc.Fallback = u
	}
	h, err := httpapi.New(hc)
	if err != nil {
		return nil, err
	}
	lis, err := net.Listen("tcp", f.listen)
	if err != nil {
		return nil, err
	}
	// --max-connections bounds this listener's connections as it bounds
	// the gRPC listener's.
	if n := cmp.Or(cfg.MaxConnections, server.DefaultMaxConnections); n > 0 {
		lis = netutil.LimitListener(lis, n)
	}
	protocols := new(http.Protocols)
	protocols.SetHTTP1(true)
	protocols.SetHTTP2(true)
	protocols.SetUnencryptedHTTP2(true)
	s := &httpServer{
		handler: h,
		http: &http.Server{
			Handler:           h,
			Protocols:         protocols,
			ReadHeaderTimeout: httpReadHeaderTimeout,
			IdleTimeout:       httpIdleTimeout,
			HTTP2:             &http.HTTP2Config{MaxConcurrentStreams: httpMaxStreams},
			// The gRPC face's bound; net/http's default is 1 MiB per
			// connection.
			MaxHeaderBytes: server.MaxHeaderListSize,
			ErrorLog:       slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
		},
		lis:  lis,
		done: make(chan error, 1),
	}
	if cfg.TLS != nil {
		tc := cfg.TLS.Clone()
		tc.NextProtos = []string{"h2", "http/1.1"}
		s.lis = tls.NewListener(lis, tc)
	}
	logger.Info("serving http", "addr", lis.Addr().String(), "fallback", hc.Fallback != nil, "v2_workspaces", hc.V2Workspaces != "")
	go func() {
		err := s.http.Serve(s.lis)
		if errors.Is(err, http.ErrServerClosed) {
			err = nil
		}
		s.done <- err
	}()
	return s, nil
}

// stop reports draining on /health and keeps serving for delay, as the
// gRPC server does, then lets requests in flight finish within the rest of
// grace and closes.
func (s *httpServer) stop(delay, grace time.Duration) {
	if s == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	s.handler.Drain()
	if delay > 0 {
		t := time.NewTimer(delay)
		select {
		case <-t.C:
		case <-ctx.Done():
		}
		t.Stop()
	}
	if err := s.http.Shutdown(ctx); err != nil {
		_ = s.http.Close()
	}
	<-s.done
}

// failed is closed with the error when the server stops by itself.
func (s *httpServer) failed() <-chan error {
	if s == nil {
		return nil
	}
	return s.done
}
