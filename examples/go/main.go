// Command go-client is an example client of cio-transformer: it spreads
// unary Transform calls over several servers with gRPC's round_robin load
// balancing, then pipelines request messages over one TransformBatch
// stream, the way a router uses the service, and delivers the requests it
// got to Customer.io over one DeliverBatch stream, printing each job's
// outcome.
//
// Usage:
//
//	go run ./examples/go ADDR...     e.g. 127.0.0.1:50051 127.0.0.1:50052
//	go run ./examples/go TARGET      e.g. dns:///cio-transformer-headless.cio.svc.cluster.local:50051
//
// Several host:port addresses are handed to gRPC as they are; a single
// target with a scheme is resolved by gRPC (in Kubernetes, dns:/// on the
// headless Service yields one address per ready pod).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	ciotransformerv1 "github.com/cio-transformer/cio-transformer/gen/ciotransformer/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	_ "google.golang.org/grpc/health" // client-side health checking, named in the service config
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/peer"
	"google.golang.org/grpc/resolver"
	"google.golang.org/grpc/resolver/manual"
	"google.golang.org/protobuf/types/known/structpb"
)

// serviceConfig spreads calls over every address with round_robin and
// leaves out servers whose health service does not report SERVING, such as
// one draining after SIGTERM.
const serviceConfig = `{
  "loadBalancingConfig": [{"round_robin": {}}],
  "healthCheckConfig": {"serviceName": "ciotransformer.v1.TransformerService"}
}`

func main() {
	calls := flag.Int("calls", 8, "unary Transform calls to make")
	flag.Parse()
	if flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: go-client [-calls N] ADDR... | TARGET")
		os.Exit(2)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := run(ctx, flag.Args(), *calls, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// dial returns a connection balancing over addrs.
func dial(addrs []string) (*grpc.ClientConn, error) {
	opts := []grpc.DialOption{
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultServiceConfig(serviceConfig),
	}
	if len(addrs) == 1 && strings.Contains(addrs[0], "://") {
		return grpc.NewClient(addrs[0], opts...)
	}
	r := manual.NewBuilderWithScheme("cio-static")
	var state resolver.State
	for _, a := range addrs {
		state.Endpoints = append(state.Endpoints, resolver.Endpoint{Addresses: []resolver.Address{{Addr: a}}})
	}
	r.InitialState(state)
	return grpc.NewClient(r.Scheme()+":///cio-transformer", append(opts, grpc.WithResolvers(r))...)
}

// run makes the calls and prints one line per result.
func run(ctx context.Context, addrs []string, calls int, out io.Writer) error {
	conn, err := dial(addrs)
	if err != nil {
		return err
	}
	defer conn.Close()
	if !strings.Contains(addrs[0], "://") {
		if err := warmUp(ctx, conn, len(addrs)); err != nil {
			return err
		}
	}
	client := ciotransformerv1.NewTransformerServiceClient(conn)
	dest := &ciotransformerv1.Destination{SiteId: "site-1", ApiKey: "key-1"}

	for i := 1; i <= calls; i++ {
		traits, err := structpb.NewStruct(map[string]any{"plan": "pro", "seats": i})
		if err != nil {
			return err
		}
		var p peer.Peer
		resp, err := client.Transform(ctx, &ciotransformerv1.TransformRequest{
			Destination: dest,
			Job: &ciotransformerv1.Job{JobId: uint64(i), Payload: &ciotransformerv1.Job_Event{Event: &ciotransformerv1.Event{
				Type: "identify", UserId: fmt.Sprintf("user-%d", i), Traits: traits,
			}}},
		}, grpc.Peer(&p))
		if err != nil {
			return fmt.Errorf("Transform job %d: %w", i, err)
		}
		printResult(out, "transform via="+p.Addr.String(), resp.GetResult())
	}
	return batch(ctx, client, dest, out)
}

// warmUp asks the health service through the balancer until each of the n
// servers has answered. gRPC connects to all of them at once, but
// round_robin only uses a server once its connection is ready and its
// health is SERVING, so a client that starts cold sends its first calls to
// whichever server was quickest.
func warmUp(ctx context.Context, conn *grpc.ClientConn, n int) error {
	health := healthpb.NewHealthClient(conn)
	seen := map[string]bool{}
	for len(seen) < n {
		var p peer.Peer
		_, err := health.Check(ctx, &healthpb.HealthCheckRequest{Service: ciotransformerv1.TransformerService_ServiceDesc.ServiceName},
			grpc.Peer(&p), grpc.WaitForReady(true))
		if err != nil {
			return fmt.Errorf("waiting for %d servers, %d ready: %w", n, len(seen), err)
		}
		seen[p.Addr.String()] = true
		if len(seen) < n {
			time.Sleep(5 * time.Millisecond)
		}
	}
	return nil
}

// batch sends three request messages on one stream before reading any
// answer, then reads every answer up to each message's final response, and
// delivers the requests.
func batch(ctx context.Context, client ciotransformerv1.TransformerServiceClient, dest *ciotransformerv1.Destination, out io.Writer) error {
	stream, err := client.TransformBatch(ctx)
	if err != nil {
		return err
	}
	raw := func(id uint64, event string) *ciotransformerv1.Job {
		return &ciotransformerv1.Job{JobId: id, Payload: &ciotransformerv1.Job_RawEvent{RawEvent: []byte(event)}}
	}
	requests := []*ciotransformerv1.TransformBatchRequest{
		{RequestId: 1, Destination: dest, Jobs: []*ciotransformerv1.Job{
			raw(1, `{"type":"track","userId":"user-1","event":"Order Completed","properties":{"total":49.99}}`),
			raw(2, `{"type":"track","userId":"user-2"}`),
		}},
		{RequestId: 2, Destination: dest, Jobs: []*ciotransformerv1.Job{
			raw(3, `{"type":"group","userId":"user-1","groupId":"acme","traits":{"name":"Acme"}}`),
			raw(4, `{"type":"group","userId":"user-2","groupId":"acme"}`),
			raw(5, `{"type":"page","userId":"user-1","name":"Home"}`),
		}},
		{RequestId: 3, Destination: dest, Jobs: []*ciotransformerv1.Job{
			raw(6, `{"type":"alias","userId":"user-9","previousId":"anon-9"}`),
		}},
	}
	for _, req := range requests {
		if err := stream.Send(req); err != nil {
			return err
		}
	}
	if err := stream.CloseSend(); err != nil {
		return err
	}
	var toDeliver []*ciotransformerv1.JobResult
	for {
		resp, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return deliver(ctx, client, dest, toDeliver, out)
		}
		if err != nil {
			return err
		}
		if e := resp.GetError(); e != nil {
			// The whole request message was refused; none of its jobs was
			// transformed, and the stream goes on.
			fmt.Fprintf(out, "batch request=%d refused: %s: %s\n", resp.GetRequestId(), codes.Code(e.GetCode()), e.GetMessage())
		}
		for _, r := range resp.GetResults() {
			printResult(out, fmt.Sprintf("batch request=%d", resp.GetRequestId()), r)
			if r.GetRequest() != nil {
				toDeliver = append(toDeliver, r)
			}
		}
		if resp.GetFinal() {
			fmt.Fprintf(out, "batch request=%d final\n", resp.GetRequestId())
		}
	}
}

// deliver sends every request on one DeliverBatch stream, all before
// reading any answer, and prints each job's outcome. The server sends them
// to Customer.io in this order and answers in the same order.
func deliver(ctx context.Context, client ciotransformerv1.TransformerServiceClient, dest *ciotransformerv1.Destination, results []*ciotransformerv1.JobResult, out io.Writer) error {
	stream, err := client.DeliverBatch(ctx)
	if err != nil {
		return err
	}
	for i, r := range results {
		// A result's jobs are in the order of its batch's objects, as
		// Customer.io's batch_index counts them.
		if err := stream.Send(&ciotransformerv1.DeliverBatchRequest{
			RequestId: uint64(i + 1), Destination: dest, Request: r.GetRequest(), Jobs: r.GetJobs(),
		}); err != nil {
			return err
		}
	}
	if err := stream.CloseSend(); err != nil {
		return err
	}
	for {
		resp, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if e := resp.GetError(); e != nil {
			// The whole request message was refused; nothing was sent,
			// and the stream goes on.
			fmt.Fprintf(out, "deliver request=%d refused: %s: %s\n", resp.GetRequestId(), codes.Code(e.GetCode()), e.GetMessage())
			continue
		}
		d := resp.GetDelivery()
		var jobs []string
		for _, j := range d.GetJobs() {
			jobs = append(jobs, fmt.Sprintf("%d:%d %s", j.GetJob().GetJobId(), j.GetStatusCode(), j.GetError()))
		}
		retry := ""
		if d.GetErrorType() != "" {
			// throttled and retryable jobs are sent again later (after
			// retry_after when set); aborted ones are not.
			retry = " " + d.GetErrorType()
		}
		fmt.Fprintf(out, "deliver request=%d status=%d%s jobs=%s\n", resp.GetRequestId(), d.GetStatus(), retry, strings.Join(jobs, ", "))
	}
}

// printResult prints the jobs a result covers and its request or error.
func printResult(out io.Writer, prefix string, r *ciotransformerv1.JobResult) {
	ids := make([]string, len(r.GetJobs()))
	for i, j := range r.GetJobs() {
		ids[i] = fmt.Sprint(j.GetJobId())
	}
	if e := r.GetError(); e != nil {
		fmt.Fprintf(out, "%s jobs=%s error %d %s\n", prefix, strings.Join(ids, "+"), e.GetStatusCode(), e.GetMessage())
		return
	}
	req := r.GetRequest()
	fmt.Fprintf(out, "%s jobs=%s %s %s\n", prefix, strings.Join(ids, "+"), req.GetMethod(), req.GetUrl())
}
