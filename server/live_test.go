package server

import (
	"context"
	"net"
	"testing"
	"time"

	ciotransformerv1 "github.com/cio-transformer/cio-transformer/gen/ciotransformer/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/test/bufconn"
)

// liveServer is a Server under test, serving on bufconn or on a loopback
// TCP port.
type liveServer struct {
	srv     *Server
	network string
	target  string
	dial    func(ctx context.Context) (net.Conn, error)
}

// transports are the networks every bad-input case runs over.
var transports = []string{"bufconn", "tcp"}

// onEachTransport runs f in a parallel subtest per transport, named after
// it, with a Server for cfg serving there.
func onEachTransport(t *testing.T, cfg Config, f func(t *testing.T, live *liveServer)) {
	t.Helper()
	for _, network := range transports {
		t.Run(network, func(t *testing.T) {
			t.Parallel()
			f(t, startLive(t, cfg, network))
		})
	}
}

// startLive starts a Server for cfg on network ("bufconn" or "tcp") and
// stops it when the test ends.
func startLive(t *testing.T, cfg Config, network string) *liveServer {
	t.Helper()
	srv, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	l := &liveServer{srv: srv, network: network}
	var lis net.Listener
	switch network {
	case "bufconn":
		bl := bufconn.Listen(1 << 20)
		lis = bl
		l.target = "passthrough:///bufconn"
		l.dial = bl.DialContext
	case "tcp":
		lis, err = net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := lis.Addr().String()
		l.target = addr
		l.dial = func(ctx context.Context) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "tcp", addr)
		}
	default:
		t.Fatalf("unknown network %q", network)
	}
	serve(t, srv, lis)
	return l
}

// conn returns a client connection to l, closed when the test ends. With
// no options it is plaintext; responses may be as large as requests.
func (l *liveServer) conn(t *testing.T, opts ...grpc.DialOption) *grpc.ClientConn {
	t.Helper()
	if len(opts) == 0 {
		opts = []grpc.DialOption{grpc.WithTransportCredentials(insecure.NewCredentials())}
	}
	opts = append(opts,
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return l.dial(ctx) }),
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(64<<20)))
	c, err := grpc.NewClient(l.target, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// client returns a plaintext TransformerService client of l.
func (l *liveServer) client(t *testing.T) ciotransformerv1.TransformerServiceClient {
	t.Helper()
	return ciotransformerv1.NewTransformerServiceClient(l.conn(t))
}

// assertServing checks that l still answers health checks and transforms
// over a new connection.
func (l *liveServer) assertServing(t *testing.T) {
	t.Helper()
	conn := l.conn(t)
	ctx := testContext(t)
	h, err := healthpb.NewHealthClient(conn).Check(ctx, &healthpb.HealthCheckRequest{})
	if err != nil || h.GetStatus() != healthpb.HealthCheckResponse_SERVING {
		t.Fatalf("health after bad input: %v %v", h, err)
	}
	resp, err := ciotransformerv1.NewTransformerServiceClient(conn).Transform(ctx, &ciotransformerv1.TransformRequest{
		Destination: testDestination, Job: rawJob(1, `{"type":"identify","userId":"u1"}`)})
	if err != nil || resp.GetResult().GetRequest() == nil {
		t.Fatalf("transform after bad input: %v %v", resp, err)
	}
}

// suiteContext returns a context that ends with the test, after at most two
// minutes: the suite's 10 MB cases are slow under the race detector on a
// busy machine.
func suiteContext(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}
