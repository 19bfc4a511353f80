package server

import (
	"testing"

	ciotransformerv1 "github.com/cio-transformer/cio-transformer/gen/ciotransformer/v1"
	"github.com/prometheus/client_golang/prometheus"
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

	// Admitted before the budget is spent: its first message is served.
	other, err := client.TransformBatch(ctx)
	if err != nil {
		t.Fatal(err)
	}
	first := identifyJobs(1, 2)
	answeredOnce(t, first, collect(t, other, &ciotransformerv1.TransformBatchRequest{RequestId: 6, Destination: testDestination, Jobs: first}))

	held, err := client.TransformBatch(ctx)
	if err != nil {
		t.Fatal(err)
	}
	heldJobs := identifyJobs(1000, 3)
	if err := held.Send(&ciotransformerv1.TransformBatchRequest{RequestId: 1, Destination: testDestination, Jobs: heldJobs}); err != nil {
		t.Fatal(err)
	}
	<-entered
	if got := samples(t, reg)[metricInflightBytes+"{}"]; got <= 1 {
		t.Fatalf("%s = %v while a message is held", metricInflightBytes, got)
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
	// The charge is returned once the last response is handed to gRPC,
	// just after the client may see it.
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
