package server

import (
	"context"
	"net"
	"runtime"

	ciotransformerv1 "github.com/cio-transformer/cio-transformer/gen/ciotransformer/v1"
	"github.com/cio-transformer/cio-transformer/server/delivery"
	"golang.org/x/net/netutil"
	"google.golang.org/grpc"
	"google.golang.org/grpc/experimental"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

// Server is a gRPC server offering TransformerService, grpc.health.v1 and
// server reflection.
type Server struct {
	cfg    Config
	grpc   *grpc.Server
	health *health.Server
	drain  *drain
	// delivery is the Customer.io client of Deliver and DeliverBatch.
	delivery *delivery.Client
	// inflight is the in-flight budget, which Budget shares.
	inflight *inflight
	// mapping is the service's mapping slots, which Mapping shares.
	mapping chan struct{}
}

// New builds a Server from cfg; zero fields of cfg take their defaults.
// The first New of a process running under a memory limit without GOGC
// set raises the GC percent to DefaultGCPercent.
func New(cfg Config) (*Server, error) {
	cfg = cfg.withDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	tuneGC()
	m, err := newMetrics(cfg.Metrics)
	if err != nil {
		return nil, err
	}
	dc := cfg.Delivery
	dc.Logger, dc.Metrics = cfg.Logger, cfg.Metrics
	client, err := delivery.New(dc)
	if err != nil {
		return nil, err
	}
	f := newInflight(cfg.MaxInflightBytes)
	m.watchInflight(f)
	unary, stream := interceptors(cfg, m, f)
	d := newDrain()
	stream = append(stream, d.stream)
	adm := newAdmission(cfg, f, m)
	opts := append([]grpc.ServerOption{
		grpc.InTapHandle(adm.tap),
		grpc.ChainUnaryInterceptor(unary...),
		grpc.ChainStreamInterceptor(stream...),
		grpc.MaxRecvMsgSize(cfg.MaxRecvMsgSize),
		// The transport's frame buffers come from the same pool as the
		// codec's (see bufferPool).
		experimental.BufferPool(buffers),
		// Handlers run on long-lived workers whose stacks have already
		// grown to what mapping an event takes, rather than on a new
		// goroutine per call that grows its stack (copying it) each time.
		grpc.NumStreamWorkers(streamWorkers()),
	}, transportOptions(cfg, f)...)
	if cfg.statsHandler != nil {
		opts = append(opts, grpc.StatsHandler(cfg.statsHandler))
	}
	if h := tracingHandler(cfg.TracerProvider); h != nil {
		opts = append(opts, grpc.StatsHandler(h))
	}
	g := grpc.NewServer(opts...)
	mapping := make(chan struct{}, runtime.GOMAXPROCS(0))
	ciotransformerv1.RegisterTransformerServiceServer(g, &service{cfg: cfg, metrics: m, inflight: f, delivery: client, stores: newStores(),
		receiving: newReceiving(cfg.MaxInflightBytes, cfg.MaxRecvMsgSize),
		validator: validator{maxJobs: cfg.MaxJobsPerRequest, maxHeaderBytes: int64(cfg.MaxRecvMsgSize), inflight: f, metrics: m},
		mapping:   mapping})
	h := health.NewServer()
	healthpb.RegisterHealthServer(g, h)
	if err := registerReflection(g); err != nil {
		return nil, err
	}
	adm.unary = unaryMethods(g)
	m.initialize(g)
	return &Server{cfg: cfg, grpc: g, health: h, drain: d, delivery: client, inflight: f, mapping: mapping}, nil
}

// workersPerProcessor is how many handler workers the server keeps per
// processor (GOMAXPROCS): enough for the calls that map at once (mapping is
// bounded by the processors) plus the ones waiting on their clients. A call
// arriving while every worker is busy runs on a goroutine of its own, as
// without workers.
const workersPerProcessor = 8

// streamWorkers returns the number of handler workers.
func streamWorkers() uint32 {
	return uint32(workersPerProcessor * runtime.GOMAXPROCS(0))
}

// Serve accepts connections on lis and reports SERVING until Shutdown. It
// returns when the server stops.
func (s *Server) Serve(lis net.Listener) error {
	s.health.SetServingStatus("", healthpb.HealthCheckResponse_SERVING)
	s.health.SetServingStatus(ciotransformerv1.TransformerService_ServiceDesc.ServiceName, healthpb.HealthCheckResponse_SERVING)
	if s.cfg.MaxConnections > 0 {
		lis = netutil.LimitListener(lis, s.cfg.MaxConnections)
	}
	return s.grpc.Serve(lis)
}

// Shutdown reports NOT_SERVING, keeps serving for the configured delay,
// then stops accepting calls and lets in-flight calls finish; streams end
// with UNAVAILABLE after answering the request messages they read (see
// drain). When the grace (counted from the call, delay included) runs out
// or ctx ends, it stops the server, cancelling what is left.
func (s *Server) Shutdown(ctx context.Context) {
	s.health.Shutdown()
	ctx, cancel := context.WithTimeout(ctx, s.cfg.ShutdownGrace)
	defer cancel()
	wait(ctx, s.cfg.ShutdownDelay)
	s.drain.start()
	done := make(chan struct{})
	go func() {
		s.grpc.GracefulStop()
		close(done)
	}()
	select {
	case <-done:
	case <-ctx.Done():
		// GracefulStop goes on waiting for handlers that ignore their
		// cancelled context; Stop closes every connection without
		// waiting, so the process can exit within the grace.
		s.grpc.Stop()
	}
	s.delivery.Close()
}

// Stop stops the server at once, cancelling in-flight calls.
func (s *Server) Stop() {
	s.grpc.Stop()
	s.delivery.Close()
}

// Delivery returns the server's Customer.io client, so that another face of
// the service (an HTTP endpoint) delivers with the same connections and
// rate limits.
func (s *Server) Delivery() *delivery.Client { return s.delivery }
