package server

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"

	ciotransformerv1 "github.com/cio-transformer/cio-transformer/gen/ciotransformer/v1"
	"github.com/prometheus/client_golang/prometheus"
	"google.golang.org/grpc/codes"
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
	conn := testConn(t, Config{AuthToken: testToken, statsHandler: counter, Metrics: reg})
	client := ciotransformerv1.NewTransformerServiceClient(conn)
	big := rawJob(1, `{"type":"track","userId":"u","event":"`+strings.Repeat("x", 1<<19)+`"}`)

	_, err := client.Transform(testContext(t), &ciotransformerv1.TransformRequest{Destination: testDestination, Job: big})
	if status.Code(err) != codes.Unauthenticated {
		t.Fatalf("unary: got %v, want Unauthenticated", err)
	}
	stream, err := client.TransformBatch(testContext(t))
	if err != nil {
		t.Fatal(err)
	}
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

	// The same call with the token is read: the counter does count.
	_, err = client.Transform(metadataContext(t, "authorization", "Bearer "+testToken), &ciotransformerv1.TransformRequest{Destination: testDestination, Job: big})
	if err != nil {
		t.Fatal(err)
	}
	if n := counter.in.Load(); n != 1 {
		t.Errorf("the server read %d messages of an authenticated call, want 1", n)
	}
}
