package main

import (
	"context"
	"fmt"
	"time"

	ciotransformerv1 "github.com/cio-transformer/cio-transformer/gen/ciotransformer/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/encoding"
	"google.golang.org/protobuf/proto"

	// Registers the standard codec that the check's calls force.
	_ "google.golang.org/grpc/encoding/proto"
)

// checkTimeout bounds each check call.
const checkTimeout = 30 * time.Second

// checkServer sends one request message of each workload to a server and
// reads the answers in full, making sure that every job is answered exactly
// once before anything is timed: a server that fails the jobs would look
// fast.
func checkServer(ctx context.Context, conn *grpc.ClientConn, server string, p *payloads, workloads []string) ([]checkResult, error) {
	codec := grpc.ForceCodecV2(encoding.GetCodecV2("proto"))
	client := ciotransformerv1.NewTransformerServiceClient(conn)
	var out []checkResult
	for _, w := range workloads {
		ctx, cancel := context.WithTimeout(ctx, checkTimeout)
		var res checkResult
		var err error
		if w == workloadUnary {
			res, err = checkUnary(ctx, client, p.unary[0], codec)
		} else {
			msg := p.streamJSON[0]
			if w == workloadStreamTyped {
				msg = p.streamTyped[0]
			}
			res, err = checkBatch(ctx, client, msg, codec)
		}
		cancel()
		if err != nil {
			return nil, fmt.Errorf("%s server, %s: %w", server, w, err)
		}
		res.Server, res.Workload = server, w
		out = append(out, res)
	}
	return out, nil
}

// checkBatch sends one encoded TransformBatchRequest and tallies its
// results.
func checkBatch(ctx context.Context, client ciotransformerv1.TransformerServiceClient, msg []byte, codec grpc.CallOption) (checkResult, error) {
	req := &ciotransformerv1.TransformBatchRequest{}
	if err := proto.Unmarshal(msg, req); err != nil {
		return checkResult{}, err
	}
	req.RequestId = 1
	stream, err := client.TransformBatch(ctx, codec)
	if err != nil {
		return checkResult{}, err
	}
	if err := stream.Send(req); err != nil {
		return checkResult{}, err
	}
	if err := stream.CloseSend(); err != nil {
		return checkResult{}, err
	}
	res := checkResult{Jobs: len(req.GetJobs())}
	seen := map[uint64]int{}
	for final := false; !final; {
		resp, err := stream.Recv()
		if err != nil {
			return checkResult{}, err
		}
		final = resp.GetFinal()
		for _, r := range resp.GetResults() {
			tally(&res, r, seen)
		}
	}
	return res, covers(req.GetJobs(), seen)
}

// checkUnary sends one encoded TransformRequest and tallies its result.
func checkUnary(ctx context.Context, client ciotransformerv1.TransformerServiceClient, msg []byte, codec grpc.CallOption) (checkResult, error) {
	req := &ciotransformerv1.TransformRequest{}
	if err := proto.Unmarshal(msg, req); err != nil {
		return checkResult{}, err
	}
	resp, err := client.Transform(ctx, req, codec)
	if err != nil {
		return checkResult{}, err
	}
	res := checkResult{Jobs: 1}
	seen := map[uint64]int{}
	tally(&res, resp.GetResult(), seen)
	return res, covers([]*ciotransformerv1.Job{req.GetJob()}, seen)
}

// tally counts one result and the jobs it covers.
func tally(res *checkResult, r *ciotransformerv1.JobResult, seen map[uint64]int) {
	res.Results++
	switch {
	case r.GetError() != nil:
		res.Errors++
	case r.GetRequest().GetEndpointPath() == "v2/batch":
		res.Batches++
	default:
		res.Requests++
	}
	for _, j := range r.GetJobs() {
		seen[j.GetJobId()]++
	}
}

// covers reports an error unless every job was answered exactly once.
func covers(jobs []*ciotransformerv1.Job, seen map[uint64]int) error {
	for _, j := range jobs {
		if n := seen[j.GetJobId()]; n != 1 {
			return fmt.Errorf("job %d answered %d times", j.GetJobId(), n)
		}
	}
	if len(seen) != len(jobs) {
		return fmt.Errorf("%d jobs sent, %d job ids answered", len(jobs), len(seen))
	}
	return nil
}
