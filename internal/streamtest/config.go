package streamtest

import (
	"time"

	ciotransformerv1 "github.com/cio-transformer/cio-transformer/gen/ciotransformer/v1"
)

// Request is what a Pipeline reads of a request message it sends: its id.
// A request message that also lists its jobs (a GetJobs method, as the
// generated message has) has their answers checked, when its responses
// list theirs (GetResults).
type Request interface {
	GetRequestId() uint64
}

// Response is what a Pipeline reads of a response message.
type Response interface {
	GetRequestId() uint64
	GetFinal() bool
}

// jobsLister is a request message that lists its jobs.
type jobsLister interface {
	GetJobs() []*ciotransformerv1.Job
}

// resultsLister is a response message that lists its results.
type resultsLister interface {
	GetResults() []*ciotransformerv1.JobResult
}

// Stream is the client side of a TransformBatch stream that sends Req and
// receives Resp: the generated client stream, or a
// grpc.GenericClientStream over a codec of the caller's own.
type Stream[Req Request, Resp Response] interface {
	Send(Req) error
	Recv() (Resp, error)
	CloseSend() error
}

// Endless is the Config.Requests of a Pipeline that sends until Stop.
const Endless = -1

// Config says what a Pipeline sends and keeps.
type Config[Req Request, Resp Response] struct {
	// Requests is how many request messages to send, or Endless.
	Requests int
	// Request builds request message i (from 0) when it is its turn to be
	// sent; request ids must differ.
	Request func(i int) Req
	// Window is the most request messages sent and not yet answered in
	// full; 0 sends without waiting for answers at all.
	Window int
	// KeepResults keeps every result for Results. Without it only the
	// jobs the results cover are counted, so that long runs hold little.
	KeepResults bool
	// Answered, when set, is called from the receiving goroutine at the
	// final response to request message i, with the time the message was
	// due (when the Pipeline turned to it, before waiting for room in the
	// window) and the time the final response was read.
	Answered func(i int, due, at time.Time)
	// Received, when set, is called from the receiving goroutine with
	// every response that answers as the contract says. What it records is
	// complete, and safe to read, once Done is closed.
	Received func(Resp)
	// Hold, when set, holds off receiving until it is closed: until then
	// the Pipeline only sends, as far as its window and the stream's flow
	// control let it, as a client that stalls does.
	Hold <-chan struct{}
}

// Typed is the Config of the generated client stream.
type Typed = Config[*ciotransformerv1.TransformBatchRequest, *ciotransformerv1.TransformBatchResponse]

// Of is the Config that sends reqs and keeps their results.
func Of(reqs []*ciotransformerv1.TransformBatchRequest) Typed {
	return Typed{Requests: len(reqs), Request: func(i int) *ciotransformerv1.TransformBatchRequest { return reqs[i] }, KeepResults: true}
}
