package server

import (
	"context"
	"net"

	ciotransformerv1 "github.com/cio-transformer/cio-transformer/gen/ciotransformer/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/reflection"
)

// Server is a gRPC server offering TransformerService, grpc.health.v1 and
// server reflection.
type Server struct {
	cfg    Config
	grpc   *grpc.Server
	health *health.Server
}

// New builds a Server from cfg; zero fields of cfg take their defaults.
func New(cfg Config) (*Server, error) {
	cfg = cfg.withDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	unary, stream := interceptors(cfg)
	g := grpc.NewServer(
		grpc.ChainUnaryInterceptor(unary...),
		grpc.ChainStreamInterceptor(stream...),
		grpc.MaxRecvMsgSize(cfg.MaxRecvMsgSize),
	)
	ciotransformerv1.RegisterTransformerServiceServer(g, &service{cfg: cfg})
	h := health.NewServer()
	healthpb.RegisterHealthServer(g, h)
	reflection.Register(g)
	return &Server{cfg: cfg, grpc: g, health: h}, nil
}

// Serve accepts connections on lis and reports SERVING until Shutdown. It
// returns when the server stops.
func (s *Server) Serve(lis net.Listener) error {
	s.health.SetServingStatus("", healthpb.HealthCheckResponse_SERVING)
	s.health.SetServingStatus(ciotransformerv1.TransformerService_ServiceDesc.ServiceName, healthpb.HealthCheckResponse_SERVING)
	return s.grpc.Serve(lis)
}

// Shutdown reports NOT_SERVING, stops accepting calls and lets in-flight
// calls finish for up to the configured grace (or until ctx ends), then
// stops the server, cancelling what is left.
func (s *Server) Shutdown(ctx context.Context) {
	s.health.Shutdown()
	ctx, cancel := context.WithTimeout(ctx, s.cfg.ShutdownGrace)
	defer cancel()
	done := make(chan struct{})
	go func() {
		s.grpc.GracefulStop()
		close(done)
	}()
	select {
	case <-done:
	case <-ctx.Done():
		s.grpc.Stop()
		<-done
	}
}

// Stop stops the server at once, cancelling in-flight calls.
func (s *Server) Stop() { s.grpc.Stop() }
