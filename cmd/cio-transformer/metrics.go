package main

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metricsServer serves Prometheus's /metrics over HTTP, beside the gRPC
// port, so that scrapes never compete with gRPC calls for a stream.
type metricsServer struct {
	http *http.Server
	done chan struct{}
}

// newMetricsRegistry is the registry the server's metrics go to, with the
// Go runtime and process collectors every Go service exports and
// cio_transformer_build_info.
func newMetricsRegistry() *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		buildInfoGauge(readBuildInfo()),
	)
	return reg
}

// buildInfoGauge is cio_transformer_build_info: always 1, its labels saying
// which build runs, for joining with other series and spotting a rollout.
func buildInfoGauge(b buildInfo) prometheus.Collector {
	g := prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "cio_transformer_build_info",
		Help: "Always 1; the labels name the running build: module version, VCS revision and Go version.",
		ConstLabels: prometheus.Labels{
			"version":   b.Version,
			"revision":  b.Revision,
			"goversion": b.GoVersion,
		},
	})
	g.Set(1)
	return g
}

// startMetrics listens on addr and serves reg's metrics at /metrics until
// stop. It logs the address it listens on.
func startMetrics(addr string, reg *prometheus.Registry, logger *slog.Logger) (*metricsServer, error) {
	lis, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{
		Registry:          reg,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelError),
		EnableOpenMetrics: true,
	}))
	m := &metricsServer{
		// Every phase of a scrape is bounded, so that a client that never
		// finishes its request or never reads the answer holds neither a
		// goroutine nor the shutdown.
		http: &http.Server{
			Handler:           mux,
			ReadHeaderTimeout: 5 * time.Second,
			ReadTimeout:       10 * time.Second,
			WriteTimeout:      30 * time.Second,
			IdleTimeout:       60 * time.Second,
			MaxHeaderBytes:    16 << 10,
			ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
		},
		done: make(chan struct{}),
	}
	logger.Info("serving metrics", "addr", lis.Addr().String(), "path", "/metrics")
	go func() {
		defer close(m.done)
		if err := m.http.Serve(lis); !errors.Is(err, http.ErrServerClosed) {
			logger.Error("metrics server stopped", "error", err)
		}
	}()
	return m, nil
}

// stop shuts the metrics server down, letting a scrape in progress finish
// until ctx ends; then it closes every connection.
func (m *metricsServer) stop(ctx context.Context) {
	if err := m.http.Shutdown(ctx); err != nil {
		_ = m.http.Close()
	}
	<-m.done
}
