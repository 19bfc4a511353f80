package server

import (
	"context"
	"errors"
	"io"

	ciotransformerv1 "github.com/cio-transformer/cio-transformer/gen/ciotransformer/v1"
	"github.com/cio-transformer/cio-transformer/transform"
	"google.golang.org/grpc"
)

// service implements TransformerService.
type service struct {
	ciotransformerv1.UnimplementedTransformerServiceServer
	cfg Config
}

// Transform transforms one job.
func (s *service) Transform(ctx context.Context, req *ciotransformerv1.TransformRequest) (*ciotransformerv1.TransformResponse, error) {
	job := req.GetJob()
	dest := destination(req.GetDestination())
	r := s.transformJob(job, dest)
	addJobs(ctx, 1)
	jobs := []*ciotransformerv1.Job{job}
	var e transform.Entry
	switch {
	case r.Err != nil:
		e = transform.Entry{Jobs: []int{0}, Err: r.Err}
	case r.Object != nil:
		// A lone group object is a batch of one (D1).
		e = transform.Entry{Jobs: []int{0}, Request: transform.BatchOfOne(dest, r)}
	default:
		e = transform.Entry{Jobs: []int{0}, Request: r.Request}
	}
	return &ciotransformerv1.TransformResponse{Result: jobResult(e, jobs)}, nil
}

// TransformBatch answers each request message with results covering all of
// its jobs, in order, before reading the next one. Send blocks while the
// client does not read, so a slow client holds back the server's reading
// instead of growing its buffers.
func (s *service) TransformBatch(stream grpc.BidiStreamingServer[ciotransformerv1.TransformBatchRequest, ciotransformerv1.TransformBatchResponse]) error {
	ctx := stream.Context()
	b := transform.NewBatcher(&transform.Destination{}, transform.DefaultLimits())
	for {
		req, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if err := s.answer(ctx, stream, b, req); err != nil {
			return err
		}
	}
}

// answer transforms one request message and sends its results.
func (s *service) answer(ctx context.Context, stream grpc.ServerStream, b *transform.Batcher, req *ciotransformerv1.TransformBatchRequest) error {
	dest := destination(req.GetDestination())
	jobs := req.GetJobs()
	b.Reset(dest, transform.DefaultLimits())
	resp := &ciotransformerv1.TransformBatchResponse{RequestId: req.GetRequestId()}
	var sendErr error
	emit := func(e transform.Entry) {
		resp.Results = append(resp.Results, jobResult(e, jobs))
		if len(resp.Results) >= resultsPerResponse && sendErr == nil {
			sendErr = stream.SendMsg(resp)
			resp = &ciotransformerv1.TransformBatchResponse{RequestId: req.GetRequestId()}
		}
	}
	for i, job := range jobs {
		if i%64 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		b.Add(i, s.transformJob(job, dest), emit)
		if sendErr != nil {
			return sendErr
		}
	}
	b.Flush(emit)
	if sendErr != nil {
		return sendErr
	}
	addJobs(ctx, len(jobs))
	resp.Final = true
	return stream.SendMsg(resp)
}

// transformJob maps one job's event.
func (s *service) transformJob(job *ciotransformerv1.Job, dest *transform.Destination) transform.Result {
	if s.cfg.jobHook != nil {
		s.cfg.jobHook(job.GetJobId())
	}
	ev, perr := eventValue(job)
	if perr != nil {
		return transform.Result{Err: perr}
	}
	return transform.Transform(ev, dest)
}
