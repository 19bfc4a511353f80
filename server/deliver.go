package server

import (
	"context"
	"errors"
	"io"

	ciotransformerv1 "github.com/cio-transformer/cio-transformer/gen/ciotransformer/v1"
	"github.com/cio-transformer/cio-transformer/server/delivery"
	"github.com/cio-transformer/cio-transformer/transform"
	"google.golang.org/grpc"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"
)

// Deliver sends one request to Customer.io and answers every job it covers.
func (s *service) Deliver(ctx context.Context, req *ciotransformerv1.DeliverRequest) (*ciotransformerv1.DeliverResponse, error) {
	d := s.deliver(ctx, req.GetDestination(), req.GetRequest(), req.GetJobs(), req.GetParams())
	return &ciotransformerv1.DeliverResponse{Delivery: d}, nil
}

// DeliverBatch sends each request message's request in turn and answers it
// before reading the next, so that requests reach Customer.io in the order
// the client sent them and a slow reader or a slow Customer.io holds the
// stream back. A request message refused as a whole (an invalid envelope,
// undecodable bytes, a spent in-flight budget) is answered with the
// refusal's status in error, and the stream goes on with the next message.
func (s *service) DeliverBatch(stream grpc.BidiStreamingServer[ciotransformerv1.DeliverBatchRequest, ciotransformerv1.DeliverBatchResponse]) error {
	ctx := stream.Context()
	for {
		req, err := recvGated(ctx, s.receiving, stream.Recv)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return status.FromContextError(err).Err()
		}
		n, refusal := s.admit(req, 0)
		if refusal != nil {
			if err := stream.Send(&ciotransformerv1.DeliverBatchResponse{RequestId: req.GetRequestId(), Error: refusal.Proto()}); err != nil {
				return err
			}
			continue
		}
		d := s.deliver(ctx, req.GetDestination(), req.GetRequest(), req.GetJobs(), req.GetParams())
		s.inflight.release(n)
		if err := stream.Send(&ciotransformerv1.DeliverBatchResponse{RequestId: req.GetRequestId(), Delivery: d}); err != nil {
			return err
		}
	}
}

// deliver performs one delivery and converts its outcome.
func (s *service) deliver(ctx context.Context, dest *ciotransformerv1.Destination, r *ciotransformerv1.TrackRequest, jobs []*ciotransformerv1.JobRef, params map[string]string) *ciotransformerv1.Delivery {
	d := s.delivery.Deliver(ctx, delivery.Request{
		Method:       r.GetMethod(),
		URL:          r.GetUrl(),
		Headers:      r.GetHeaders(),
		Body:         r.GetBody(),
		Params:       params,
		EndpointPath: r.GetEndpointPath(),
		Site:         dest.GetSiteId(),
		Jobs:         len(jobs),
	})
	addJobs(ctx, len(jobs))
	return deliveryResult(d, jobs)
}

// deliveryResult converts a delivery outcome; jobs are answered in order.
func deliveryResult(d transform.Delivery, jobs []*ciotransformerv1.JobRef) *ciotransformerv1.Delivery {
	out := &ciotransformerv1.Delivery{
		Status:            int32(d.Status),
		Message:           d.Message,
		Jobs:              make([]*ciotransformerv1.JobDelivery, len(jobs)),
		ErrorType:         d.ErrorType,
		ErrorCategory:     d.ErrorCategory,
		AuthErrorCategory: d.AuthErrorCategory,
		DestinationStatus: int32(d.DestinationStatus),
	}
	if d.RetryAfter > 0 {
		out.RetryAfter = durationpb.New(d.RetryAfter)
	}
	for i, j := range jobs {
		out.Jobs[i] = &ciotransformerv1.JobDelivery{Job: j, StatusCode: int32(d.Jobs[i].StatusCode), Error: d.Jobs[i].Error}
	}
	return out
}
