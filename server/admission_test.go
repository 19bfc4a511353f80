package server

import (
	"context"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	ciotransformerv1 "github.com/cio-transformer/cio-transformer/gen/ciotransformer/v1"
	"github.com/prometheus/client_golang/prometheus"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/stats"
	"google.golang.org/grpc/status"
)

// payloadCounter counts the request messages the server read.
type payloadCounter struct {
	in atomic.Int64
}

func (c *payloadCounter) TagRPC(ctx context.Context, _ *stats.RPCTagInfo) context.Context { return ctx }
func (c *payloadCounter) TagConn(ctx context.Context, _ *stats.ConnTagInfo) context.Context {
	return ctx
}
func (c *payloadCounter) HandleConn(context.Context, stats.ConnStats) {}

// HandleRPC counts InPayload events.
func (c *payloadCounter) HandleRPC(_ context.Context, s stats.RPCStats) {
	if _, ok := s.(*stats.InPayload); ok {
		c.in.Add(1)
	}
}

// TestAuthBeforeDecode proves that a call without the token is refused on
// its headers: the server reads none of its messages, however large, and
// counts the refusal.
func TestAuthBeforeDecode(t *testing.T) {
	t.Parallel()
	counter := &payloadCounter{}
	reg := prometheus.NewRegistry()
	var logs lockedBuffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	conn := testConn(t, Config{AuthToken: testToken, statsHandler: counter, Metrics: reg, Logger: logger})
	client := ciotransformerv1.NewTransformerServiceClient(conn)
	big := rawJob(1, `{"type":"track","userId":"u","event":"`+strings.Repeat("x", 1<<19)+`"}`)

	_, err := client.Transform(testContext(t), &ciotransformerv1.TransformRequest{Destination: testDestination, Job: big})
	if status.Code(err) != codes.Unauthenticated {
		t.Fatalf("unary: got %v, want Unauthenticated", err)
	}
	stream := openStream(t, client)
	_ = stream.Send(&ciotransformerv1.TransformBatchRequest{Destination: testDestination, Jobs: []*ciotransformerv1.Job{big}})
	if _, err := stream.Recv(); status.Code(err) != codes.Unauthenticated {
		t.Fatalf("stream: got %v, want Unauthenticated", err)
	}
	if n := counter.in.Load(); n != 0 {
		t.Errorf("the server read %d messages of unauthenticated calls, want 0", n)
	}
	if got := samples(t, reg)[metricRefusedCalls+"{reason=unauthenticated}"]; got != 2 {
		t.Errorf("refused calls counted: %v, want 2", got)
	}
	// A flood of refused calls must not flood the log.
	if text := logs.String(); text != "" {
		t.Errorf("refused calls logged at INFO:\n%s", text)
	}

	// The same call with the token is read: the counter does count.
	_, err = client.Transform(metadataContext(t, "authorization", "Bearer "+testToken), &ciotransformerv1.TransformRequest{Destination: testDestination, Job: big})
	if err != nil {
		t.Fatal(err)
	}
	if n := counter.in.Load(); n != 1 {
		t.Errorf("the server read %d messages of an authenticated call, want 1", n)
	}
}

// TestRecvTimeout starts a unary call whose request message never
// completes: the server ends the call once the receive timeout has passed,
// keeps the connection, and counts it.
func TestRecvTimeout(t *testing.T) {
	t.Parallel()
	reg := prometheus.NewRegistry()
	live := startLive(t, Config{Metrics: reg, RecvTimeout: 50 * time.Millisecond}, "tcp")
	partial := grpcFrame(0, 1000, []byte("0123456789"))
	a, err := rawH2Exchange(suiteContext(t), live.dial, nil, ciotransformerv1.TransformerService_Transform_FullMethodName, partial, false)
	if err != nil {
		t.Fatal(err)
	}
	if a.closed || a.goAway || (!a.reset && a.code == codes.OK) {
		t.Fatalf("got %v, want the call ended on its own", a)
	}
	if got := samples(t, reg)[metricRefusedCalls+"{reason=recv_timeout}"]; got != 1 {
		t.Errorf("receive timeouts counted: %v, want 1", got)
	}
	live.assertServing(t)
}

// countingListener records the most connections open at once.
type countingListener struct {
	net.Listener
	mu            sync.Mutex
	open, maxOpen int
}

func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	l.mu.Lock()
	l.open++
	l.maxOpen = max(l.maxOpen, l.open)
	l.mu.Unlock()
	return &countedConn{Conn: c, l: l}, nil
}

type countedConn struct {
	net.Conn
	l    *countingListener
	once sync.Once
}

func (c *countedConn) Close() error {
	c.once.Do(func() {
		c.l.mu.Lock()
		c.l.open--
		c.l.mu.Unlock()
	})
	return c.Conn.Close()
}

// TestMaxConnections caps the server at one connection: a second client is
// served only once the first has closed its connection.
func TestMaxConnections(t *testing.T) {
	t.Parallel()
	srv, err := New(Config{MaxConnections: 1})
	if err != nil {
		t.Fatal(err)
	}
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	lis := &countingListener{Listener: inner}
	serve(t, srv, lis)
	dial := func() *grpc.ClientConn {
		c, err := grpc.NewClient(inner.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = c.Close() })
		return c
	}
	ctx := testContext(t)
	first := dial()
	if _, err := healthpb.NewHealthClient(first).Check(ctx, &healthpb.HealthCheckRequest{}); err != nil {
		t.Fatal(err)
	}
	second := make(chan error, 1)
	go func() {
		_, err := healthpb.NewHealthClient(dial()).Check(ctx, &healthpb.HealthCheckRequest{}, grpc.WaitForReady(true))
		second <- err
	}()
	_ = first.Close()
	if err := <-second; err != nil {
		t.Fatalf("second client: %v", err)
	}
	lis.mu.Lock()
	defer lis.mu.Unlock()
	if lis.maxOpen != 1 {
		t.Errorf("%d connections open at once, want at most 1", lis.maxOpen)
	}
}

// TestProbesLoggedAtDebug checks that health checks, which probes make
// every few seconds, write no log line at INFO, while a service call does.
func TestProbesLoggedAtDebug(t *testing.T) {
	t.Parallel()
	var logs lockedBuffer
	conn := testConn(t, Config{Logger: slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelInfo}))})
	ctx := testContext(t)
	for range 3 {
		if _, err := healthpb.NewHealthClient(conn).Check(ctx, &healthpb.HealthCheckRequest{}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := ciotransformerv1.NewTransformerServiceClient(conn).Transform(ctx, &ciotransformerv1.TransformRequest{Destination: testDestination, Job: identifyJobs(1, 1)[0]}); err != nil {
		t.Fatal(err)
	}
	// The unary call's line is written before its answer is sent.
	text := logs.String()
	if strings.Contains(text, "grpc.health") {
		t.Errorf("health checks logged at INFO:\n%s", text)
	}
	if !strings.Contains(text, "Transform") {
		t.Errorf("the service call was not logged:\n%s", text)
	}
}

// TestMaxHeaderListSize makes calls over a real socket whose metadata is
// under and over MaxHeaderListSize: the first is served, the second
// refused, and the connection serves the next call.
func TestMaxHeaderListSize(t *testing.T) {
	t.Parallel()
	conn, err := grpc.NewClient(serveLoopback(t), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	client := healthpb.NewHealthClient(conn)
	check := func(size int) error {
		ctx := metadata.AppendToOutgoingContext(testContext(t), "x-pad", strings.Repeat("p", size))
		_, err := client.Check(ctx, &healthpb.HealthCheckRequest{})
		return err
	}
	if err := check(1 << 10); err != nil {
		t.Fatalf("1 KiB of metadata: %v", err)
	}
	if err := check(MaxHeaderListSize); err == nil {
		t.Errorf("%d bytes of metadata served, want refused", MaxHeaderListSize)
	}
	if err := check(1 << 10); err != nil {
		t.Errorf("1 KiB of metadata after a refusal: %v", err)
	}
}

// TestSilentConnectionClosed connects over TCP and sends nothing: the
// server closes the connection once handshakeTimeout has passed, rather
// than holding one of --max-connections for grpc-go's two minutes.
func TestSilentConnectionClosed(t *testing.T) {
	t.Parallel()
	conn, err := net.Dial("tcp", serveLoopback(t))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// Generous: the close is due after handshakeTimeout.
	_ = conn.SetReadDeadline(time.Now().Add(6 * handshakeTimeout))
	if _, err := io.Copy(io.Discard, conn); err != nil {
		t.Errorf("the server did not close a silent connection: %v", err)
	}
}

// serveLoopback serves a server of the default configuration on a
// loopback port for the test, and returns its address.
func serveLoopback(t *testing.T) string {
	t.Helper()
	srv, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	serve(t, srv, lis)
	return lis.Addr().String()
}
