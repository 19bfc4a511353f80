package main

import (
	"context"
	"errors"
	"io"

	ciotransformerv1 "github.com/cio-transformer/cio-transformer/gen/ciotransformer/v1"
	"github.com/cio-transformer/cio-transformer/server"
	"google.golang.org/grpc"
	"google.golang.org/grpc/keepalive"
)

// echoServerOptions are the echo server's options: the transport settings
// server.New gives the service with a default Config (receive size limit,
// concurrent streams, keepalive policy, connection age), and no
// interceptors, so that the baseline is gRPC and protobuf alone. The
// service's codec is the protobuf codec with its own handling of
// undecodable requests; the echo uses the protobuf codec itself.
func echoServerOptions() []grpc.ServerOption {
	return []grpc.ServerOption{
		grpc.MaxRecvMsgSize(server.DefaultMaxRecvMsgSize),
		grpc.MaxConcurrentStreams(server.DefaultMaxConcurrentStreams),
		grpc.KeepaliveEnforcementPolicy(keepalive.EnforcementPolicy{MinTime: server.DefaultKeepaliveMinTime, PermitWithoutStream: true}),
		grpc.KeepaliveParams(keepalive.ServerParameters{MaxConnectionAge: server.DefaultMaxConnectionAge}),
	}
}

// echoResultsPerResponse is how many results an echo TransformBatch
// response carries at most, as the service's responses do.
const echoResultsPerResponse = 500

// The fixed parts of an echo request, shaped like the service's track
// requests.
const (
	echoMethod       = "POST"
	echoURL          = "https://track.customer.io/api/v1/customers/echo/events"
	echoEndpointPath = "v1/customers/events"
	echoAuth         = "Basic c2l0ZS04ZjNhOmtleS01ZDFlOWM="
	// echoTypedBody is the body of a typed job's request: a typed event has
	// no JSON text to pass through, and making one would be transforming.
	echoTypedBody = `{"name":"echo","type":"event"}`
)

// echoService answers every job with one request of the service's shape
// without reading its event: the body is the raw JSON as it came, or a
// fixed small body for a typed event.
type echoService struct {
	ciotransformerv1.UnimplementedTransformerServiceServer
}

// Transform answers one job.
func (echoService) Transform(_ context.Context, req *ciotransformerv1.TransformRequest) (*ciotransformerv1.TransformResponse, error) {
	return &ciotransformerv1.TransformResponse{Result: echoResult(req.GetJob())}, nil
}

// TransformBatch answers each request message in order, as the service
// does: one result per job, split over responses of at most
// echoResultsPerResponse results, the last one final.
func (echoService) TransformBatch(stream grpc.BidiStreamingServer[ciotransformerv1.TransformBatchRequest, ciotransformerv1.TransformBatchResponse]) error {
	for {
		req, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		resp := &ciotransformerv1.TransformBatchResponse{RequestId: req.GetRequestId()}
		for _, job := range req.GetJobs() {
			resp.Results = append(resp.Results, echoResult(job))
			if len(resp.Results) == echoResultsPerResponse {
				if err := stream.Send(resp); err != nil {
					return err
				}
				resp = &ciotransformerv1.TransformBatchResponse{RequestId: req.GetRequestId()}
			}
		}
		resp.Final = true
		if err := stream.Send(resp); err != nil {
			return err
		}
	}
}

// echoResult is a job's echo: a request covering the job.
func echoResult(job *ciotransformerv1.Job) *ciotransformerv1.JobResult {
	body := echoTypedBody
	if raw := job.GetRawEvent(); raw != nil {
		body = string(raw)
	}
	return &ciotransformerv1.JobResult{
		Jobs: []*ciotransformerv1.JobRef{{JobId: job.GetJobId(), Metadata: job.GetMetadata()}},
		Outcome: &ciotransformerv1.JobResult_Request{Request: &ciotransformerv1.TrackRequest{
			Method:       echoMethod,
			Url:          echoURL,
			EndpointPath: echoEndpointPath,
			Headers:      map[string]string{"Authorization": echoAuth},
			Body:         body,
		}},
	}
}
