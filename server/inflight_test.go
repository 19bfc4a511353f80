package server

import (
	"io"
	"slices"
	"testing"

	ciotransformerv1 "github.com/cio-transformer/cio-transformer/gen/ciotransformer/v1"
	"github.com/prometheus/client_golang/prometheus"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"
)

// TestInflightBudget holds one request message in the server (its mapping
// blocked) with a budget that fits only it: a second stream's message is
// refused in band with RESOURCE_EXHAUSTED, a new call is refused at
// admission, health checks still answer; once the first message is
// answered, the budget is back to zero and the second stream is served.
// Nothing is asserted on time: only on answers and counters.
func TestInflightBudget(t *testing.T) {
	t.Parallel()
	reg := prometheus.NewRegistry()
	entered, release := make(chan struct{}), make(chan struct{})
	conn := testConn(t, Config{Metrics: reg, MaxInflightBytes: 1, jobHook: func(id uint64) {
		if id == 1000 {
			close(entered)
			<-release
		}
	}})
	client := ciotransformerv1.NewTransformerServiceClient(conn)
	ctx := testContext(t)

	// Admitted before the budget is spent: its first message, without a
	// destination, is answered in band and charges nothing.
	other, err := client.TransformBatch(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := other.Send(&ciotransformerv1.TransformBatchRequest{RequestId: 6, Jobs: identifyJobs(1, 2)}); err != nil {
		t.Fatal(err)
	}
	if resp, err := other.Recv(); err != nil || codes.Code(resp.GetError().GetCode()) != codes.InvalidArgument {
		t.Fatalf("a message without a destination: got %v, %v; want an INVALID_ARGUMENT refusal", resp, err)
	}

	held, err := client.TransformBatch(ctx)
	if err != nil {
		t.Fatal(err)
	}
	heldJobs := identifyJobs(1000, 3)
	if err := held.Send(&ciotransformerv1.TransformBatchRequest{RequestId: 1, Destination: testDestination, Jobs: heldJobs}); err != nil {
		t.Fatal(err)
	}
	<-entered
	held1 := samples(t, reg)[metricInflightBytes+"{}"]
	if held1 <= 1 {
		t.Fatalf("%s = %v while a message is held", metricInflightBytes, held1)
	}

	if err := other.Send(&ciotransformerv1.TransformBatchRequest{RequestId: 7, Destination: testDestination, Jobs: identifyJobs(1, 2)}); err != nil {
		t.Fatal(err)
	}
	resp, err := other.Recv()
	if err != nil {
		t.Fatal(err)
	}
	if resp.GetRequestId() != 7 || !resp.GetFinal() || len(resp.GetResults()) != 0 || codes.Code(resp.GetError().GetCode()) != codes.ResourceExhausted {
		t.Fatalf("over the budget: got %v, want a RESOURCE_EXHAUSTED refusal of request 7", resp)
	}
	if _, err := client.Transform(ctx, &ciotransformerv1.TransformRequest{Destination: testDestination, Job: identifyJobs(1, 1)[0]}); status.Code(err) != codes.ResourceExhausted {
		t.Fatalf("new call over the budget: got %v, want ResourceExhausted", err)
	}
	if h, err := healthpb.NewHealthClient(conn).Check(ctx, &healthpb.HealthCheckRequest{}); err != nil || h.GetStatus() != healthpb.HealthCheckResponse_SERVING {
		t.Fatalf("health over the budget: %v %v", h, err)
	}

	close(release)
	var results []*ciotransformerv1.JobResult
	for {
		resp, err := held.Recv()
		if err != nil {
			t.Fatal(err)
		}
		results = append(results, resp.GetResults()...)
		if resp.GetFinal() {
			break
		}
	}
	answeredOnce(t, heldJobs, results)
	// The message's charge becomes its last response's once that is handed
	// to gRPC, just after the client may see it; the response stays
	// charged while the stream is open, since it could still be queued.
	for samples(t, reg)[metricInflightBytes+"{}"] == held1 {
		if ctx.Err() != nil {
			t.Fatal("the message's charge was not turned into its response's")
		}
	}
	if got := samples(t, reg)[metricInflightBytes+"{}"]; got <= 0 {
		t.Fatalf("%s = %v while the last response may be queued", metricInflightBytes, got)
	}
	if err := held.CloseSend(); err != nil {
		t.Fatal(err)
	}
	if _, err := held.Recv(); err != io.EOF {
		t.Fatalf("held stream: got %v, want its end", err)
	}
	// The stream's end returns the rest.
	for samples(t, reg)[metricInflightBytes+"{}"] != 0 {
		if ctx.Err() != nil {
			t.Fatal("the budget was not returned")
		}
	}
	jobs := identifyJobs(1, 2)
	answeredOnce(t, jobs, collect(t, other, &ciotransformerv1.TransformBatchRequest{RequestId: 8, Destination: testDestination, Jobs: jobs}))
	got := samples(t, reg)
	if n := got[metricRefusedCalls+"{reason=inflight_budget}"]; n != 2 {
		t.Errorf("refusals counted: %v, want 2", n)
	}
}

// sentStream is a ServerStream that records what is sent and reports the
// budget's charge at each send.
type sentStream struct {
	grpc.ServerStream
	f       *inflight
	atSends []int64
}

func (s *sentStream) SendMsg(any) error {
	s.atSends = append(s.atSends, s.f.bytes())
	return nil
}

func TestQueuedStreamChargesTheLastResponse(t *testing.T) {
	t.Parallel()
	f := newInflight(1 << 20)
	ss := &sentStream{f: f}
	qs := &queuedStream{ServerStream: ss, inflight: f}
	steps := []struct {
		name string
		do   func()
		want int64
	}{
		{"a message is charged", func() { f.acquire(4000) }, 4000},
		{"its responses are sent under its charge", func() { _ = qs.SendMsg(nil) }, 4000},
		{"its last response takes over the charge", func() { qs.holdInstead(4000, 700) }, 700},
		{"the next message is charged beside it", func() { f.acquire(2000) }, 2700},
		{"the next response's send returns the last one", func() { _ = qs.SendMsg(nil) }, 2000},
		{"a message that failed before its last response returns all", func() { qs.holdInstead(2000, 0) }, 0},
		{"a refusal sent in band", func() { qs.holdInstead(0, 300); _ = qs.SendMsg(nil) }, 0},
		{"a stream's own queued response does not keep its message out", func() {
			qs.holdInstead(0, 500)
			if !f.acquireBeside(4<<20, qs.held) {
				t.Error("a message over the budget was refused with nothing but the stream's own response held")
			}
			f.release(4 << 20)
		}, 500},
		{"another stream's does", func() {
			if f.acquireBeside(4<<20, 0) {
				t.Error("a message over the budget was taken beside another stream's response")
			}
		}, 500},
		{"the stream's end returns the last one", func() { qs.releaseQueued() }, 0},
	}
	for _, st := range steps {
		st.do()
		if got := f.bytes(); got != st.want {
			t.Fatalf("%s: charged %d, want %d", st.name, got, st.want)
		}
	}
	// A send still counts the response queued before it: it is released
	// only once the send returns.
	if want := []int64{4000, 2700, 300}; !slices.Equal(ss.atSends, want) {
		t.Errorf("charged at the sends: %v, want %v", ss.atSends, want)
	}
}
