package server

import (
	"context"
	"errors"
	"io"
	"runtime/debug"
	"sync"
	"time"

	ciotransformerv1 "github.com/cio-transformer/cio-transformer/gen/ciotransformer/v1"
	"github.com/cio-transformer/cio-transformer/server/delivery"
	"github.com/cio-transformer/cio-transformer/transform"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// bytesPerResponse is about the most bytes of results a TransformBatch
// response carries, well under gRPC's default 4 MiB limit on a received
// message, so that clients need no special settings. Only a single result
// larger than this makes a larger response.
const bytesPerResponse = 1 << 20

// service implements TransformerService.
type service struct {
	ciotransformerv1.UnimplementedTransformerServiceServer
	cfg      Config
	metrics  *metrics
	inflight *inflight
	// receiving bounds the stream request messages received at once.
	receiving *receiving
	validator validator
	delivery  *delivery.Client
	// mapping bounds the jobs mapped at once to the processors: however
	// many calls are open, at most that many goroutines compete for CPU
	// with health checks, which then answer promptly. Nil is no bound.
	mapping chan struct{}
	// stores lends the storage TransformBatch builds a request message's
	// results in (resultStore, see answer); nil builds every result in
	// allocations of its own.
	stores *sync.Pool
}

// Transform transforms one job.
func (s *service) Transform(ctx context.Context, req *ciotransformerv1.TransformRequest) (*ciotransformerv1.TransformResponse, error) {
	job := req.GetJob()
	dest := destination(req.GetDestination())
	tally := s.metrics.tally(methodTransform)
	t := s.turn()
	// A call of one event needs no bound beyond the per-event cap.
	r := s.transformJob(ctx, job, dest, mode(req.GetDestination(), s.cfg.MaxEventBytes), nil, &transform.Output{}, &tally, &t)
	t.release()
	if ctx.Err() != nil {
		// The client has gone or given up: the call ends with the
		// context's code, so that it is logged and counted as such.
		tally.flush()
		return nil, contextStatus(ctx)
	}
	addJobs(ctx, 1)
	e := transform.Alone(dest, r)
	tally.entry(e)
	tally.flush()
	return &ciotransformerv1.TransformResponse{Result: newResultArena([]*ciotransformerv1.Job{job}).jobResult(e)}, nil
}

// TransformBatch answers each request message with results covering all of
// its jobs, in order, before reading the next one; they are split over
// responses of at most resultsPerResponse results and about
// bytesPerResponse bytes, the last one marked final. Send blocks while the
// client does not read, so a slow client holds back the server's reading
// instead of growing its buffers.
//
// A request message that is refused as a whole (an invalid envelope, more
// jobs than allowed, undecodable bytes, a spent in-flight budget) gets one
// final response carrying the refusal's status in error, and the stream
// goes on with the next message.
func (s *service) TransformBatch(stream grpc.BidiStreamingServer[ciotransformerv1.TransformBatchRequest, ciotransformerv1.TransformBatchResponse]) error {
	ctx := stream.Context()
	b := transform.NewBatcher(nil, transform.DefaultLimits())
	qs := &queuedStream{ServerStream: stream, inflight: s.inflight}
	defer qs.releaseQueued()
	for {
		req, err := recvGated(ctx, s.receiving, stream.Recv)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		n, refusal := s.admit(req, qs.held)
		if refusal != nil {
			if err := qs.SendMsg(&ciotransformerv1.TransformBatchResponse{RequestId: req.GetRequestId(), Final: true, Error: refusal.Proto()}); err != nil {
				return err
			}
			continue
		}
		if err := s.answerCharged(ctx, qs, b, req, n); err != nil {
			return err
		}
	}
}

// admit checks a stream's request message as the codec noted it and as the
// envelope rules have it, and charges its cost n to the in-flight budget,
// beside the charge own the stream holds for its queued response; the
// caller returns n with s.inflight.release. A refused message charges
// nothing and comes back with the status refusing it.
func (s *service) admit(req any, own int64) (n int64, refusal *status.Status) {
	cm := checkNote(req)
	if cm.refusal == nil {
		cm.refusal = s.validator.check(req)
	}
	n = Charge(cm.cost)
	if cm.refusal == nil && !s.inflight.acquireBeside(n, own) {
		cm.refusal = errInflightSpent
	}
	if cm.refusal == errInflightSpent {
		s.metrics.refused(refusedInflight)
	}
	if cm.refusal != nil {
		return 0, cm.refusal
	}
	return n, nil
}

// answerCharged answers req, whose charge n it returns to the budget
// however answering ends, a recovered panic included. Once the last
// response is handed to gRPC, the charge becomes that response's: qs holds
// it while the response may still be queued (see queuedStream).
func (s *service) answerCharged(ctx context.Context, qs *queuedStream, b *transform.Batcher, req *ciotransformerv1.TransformBatchRequest, n int64) error {
	var last int64
	defer func() { qs.holdInstead(n, last) }()
	var err error
	last, err = s.answer(ctx, qs, b, req)
	return err
}

// answer transforms one request message and sends its results. It returns
// the estimated size of its last response once that is handed to gRPC.
func (s *service) answer(ctx context.Context, stream grpc.ServerStream, b *transform.Batcher, req *ciotransformerv1.TransformBatchRequest) (int64, error) {
	dest := destination(req.GetDestination())
	jobs := req.GetJobs()
	m := mode(req.GetDestination(), s.cfg.MaxEventBytes)
	b.Reset(dest, m.Limits())
	// The message's results are mapped and built in a store whose storage
	// the next message reuses: once the last response is handed to gRPC,
	// which has encoded it by then, nothing reads them. The Batcher stores
	// its batches there too, and lets go of them and of their ordering keys
	// first.
	arena := newResultArena(jobs)
	var mapped *transform.Arena
	if s.stores != nil {
		store := s.stores.Get().(*resultStore)
		mapped = &store.mapped
		arena.use(store)
		b.UseArena(mapped)
		defer func() {
			b.Reset(dest, m.Limits())
			store.reset()
			s.stores.Put(store)
		}()
	}
	newResponse := func() *ciotransformerv1.TransformBatchResponse {
		// Results never outnumber the jobs, nor one response's cap.
		return &ciotransformerv1.TransformBatchResponse{
			RequestId: req.GetRequestId(),
			Results:   make([]*ciotransformerv1.JobResult, 0, min(len(jobs), resultsPerResponse)),
		}
	}
	resp := newResponse()
	tally := s.metrics.tally(methodTransformBatch)
	defer tally.flush()
	size := 0
	var sendErr error
	// The mapping turn is held for up to jobsPerTurn jobs, and never while
	// a response is sent: a client that does not read must not keep others
	// from mapping.
	t := s.turn()
	defer t.release()
	// A full response goes out only when the next result is at hand, so
	// that the last results of a message carry final themselves.
	emit := func(e transform.Entry) {
		tally.entry(e)
		r, meta := arena.sizedResult(e)
		n := entrySize(e, meta)
		if len(resp.Results) > 0 && sendErr == nil &&
			(len(resp.Results) >= resultsPerResponse || size+n > bytesPerResponse) {
			t.release()
			sendErr = stream.SendMsg(resp)
			resp = newResponse()
			size = 0
		}
		resp.Results = append(resp.Results, r)
		size += n
	}
	// The message's events together produce at most the per-event cap
	// and a few times their size (see transform.Output).
	produced := m.NewOutput()
	for i, job := range jobs {
		if ctx.Err() != nil {
			// As a status, so that interceptors log and count the call
			// as Canceled or DeadlineExceeded rather than Unknown.
			return 0, contextStatus(ctx)
		}
		b.Add(i, s.transformJob(ctx, job, dest, m, mapped, &produced, &tally, &t), emit)
		if sendErr != nil {
			return 0, sendErr
		}
	}
	b.Flush(emit)
	if sendErr != nil {
		return 0, sendErr
	}
	addJobs(ctx, len(jobs))
	resp.Final = true
	t.release()
	if err := stream.SendMsg(resp); err != nil {
		return 0, err
	}
	return int64(size + responseOverhead), nil
}

// newStores returns a pool of result stores (see service.stores).
func newStores() *sync.Pool {
	return &sync.Pool{New: func() any { return new(resultStore) }}
}

// transformJob maps one job in mode m, within what its request message
// may still produce, under turn t, which it takes if needed, and counts
// its outcome in tally. A panic while mapping becomes the job's
// transform.InternalError; the stack goes to the log.
func (s *service) transformJob(ctx context.Context, j *ciotransformerv1.Job, dest *transform.Destination, m transform.Mode, a *transform.Arena, produced *transform.Output, tally *jobTally, t *turn) (r transform.Result) {
	defer func() {
		if p := recover(); p != nil {
			s.cfg.Logger.ErrorContext(ctx, "recovered from panic while mapping a job", "job_id", j.GetJobId(), "panic", panicText(p), "stack", string(debug.Stack()))
			s.metrics.panicked()
			r = transform.Result{Err: transform.InternalError()}
			tally.mapped(r)
		}
	}()
	if s.cfg.jobHook != nil {
		// A hook may block (in tests): not while holding a turn.
		t.release()
		s.cfg.jobHook(j.GetJobId())
	}
	t.take()
	r = mapJob(m, a, j, dest, produced)
	tally.mapped(r)
	return r
}

// jobsPerTurn is the most jobs mapped in one turn (see turn).
const jobsPerTurn = 16

// turn is a caller's hold on one of the service's mapping slots (see
// service.mapping). It is taken for a job and kept for up to jobsPerTurn
// jobs, rather than taken and given back for every job, which cost two
// channel operations and a deferred call per job; it is then given back
// and taken again, behind whoever waits. Its holder releases it before
// anything that may block, sending a response above all, and when done.
// The zero turn, or one of a service without slots, bounds nothing.
type turn struct {
	slots chan struct{}
	// jobs counts the jobs mapped in the turn held; zero when none is.
	jobs int
}

// turn returns a turn of s, not held yet.
func (s *service) turn() turn { return turn{slots: s.mapping} }

// take holds the turn for one more job, waiting for a slot when the turn
// is not held or its jobs are spent.
func (t *turn) take() {
	if t.slots == nil {
		return
	}
	if t.jobs > 0 && t.jobs < jobsPerTurn {
		t.jobs++
		return
	}
	t.release()
	t.slots <- struct{}{}
	t.jobs = 1
}

// release gives the turn's slot back, if held.
func (t *turn) release() {
	if t.jobs > 0 {
		<-t.slots
		t.jobs = 0
	}
}

// entrySize estimates the encoded size of e's result from its strings, each
// with room for a field tag and length, and from meta, the encoded size of
// the metadata of the jobs it covers, which the result echoes: a client
// may attach as much metadata to a job as to its event.
func entrySize(e transform.Entry, meta int) int {
	const field = 6
	n := field + len(e.Jobs)*(2*field+10) + meta
	if r := e.Request; r != nil {
		n += len(r.Method) + len(r.Endpoint) + len(r.EndpointPath) + len(r.Body) + len(r.UserID) + 6*field
		for _, h := range r.Headers {
			n += len(h.Name) + len(h.Value) + 3*field
		}
	}
	if err := e.Err; err != nil {
		n += len(err.Message) + len(err.Category) + len(err.Type) + 5*field
	}
	return n
}

// contextStatus is the status of a call whose context ended: Canceled, or
// DeadlineExceeded once its deadline has passed. gRPC closes the stream of
// a call at its deadline, which can cancel the context before the
// deadline's own timer marks it DeadlineExceeded.
func contextStatus(ctx context.Context) error {
	if d, ok := ctx.Deadline(); ok && !time.Now().Before(d) {
		return status.Error(codes.DeadlineExceeded, context.DeadlineExceeded.Error())
	}
	return status.FromContextError(ctx.Err()).Err()
}
