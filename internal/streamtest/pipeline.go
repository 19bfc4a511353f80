package streamtest

import (
	"errors"
	"fmt"
	"io"
	"maps"
	"sync"

	ciotransformerv1 "github.com/cio-transformer/cio-transformer/gen/ciotransformer/v1"
	"google.golang.org/grpc"
)

// Stream is the client side of a TransformBatch stream.
type Stream = grpc.BidiStreamingClient[ciotransformerv1.TransformBatchRequest, ciotransformerv1.TransformBatchResponse]

// Config says what a Pipeline sends and keeps.
type Config struct {
	// Requests is how many request messages to send.
	Requests int
	// Request builds request message i (from 0) when it is its turn to be
	// sent; request ids must differ.
	Request func(i int) *ciotransformerv1.TransformBatchRequest
	// KeepResults keeps every result for Results. Without it only the
	// jobs the results cover are counted, so that long runs hold little.
	KeepResults bool
}

// Of is the Config that sends reqs and keeps their results.
func Of(reqs []*ciotransformerv1.TransformBatchRequest) Config {
	return Config{Requests: len(reqs), Request: func(i int) *ciotransformerv1.TransformBatchRequest { return reqs[i] }, KeepResults: true}
}

// sentRequest is what a Pipeline keeps of a request message it sent.
type sentRequest struct {
	id   uint64
	jobs []uint64
	// answered counts how often each job id was answered.
	answered map[uint64]int
	results  []*ciotransformerv1.JobResult
	// responses counts the responses to it, final included.
	responses int
	final     bool
}

// Pipeline is one pipelining client on a TransformBatch stream. Its
// methods are safe to call while it runs; what it received is complete once
// Done is closed.
type Pipeline struct {
	cfg  Config
	done chan struct{}

	mu sync.Mutex
	// reqs are the request messages handed to Send, in order; index maps
	// their ids to their place.
	reqs  []*sentRequest
	index map[uint64]int
	// sent is how many request messages were sent.
	sent int
	// finals counts the final responses; they come in request order, so
	// reqs[finals] is the one being answered.
	finals int
	// violation is the first breach of the stream's contract seen.
	violation error
	// end is the error that ended the stream, nil when it ended with OK.
	end error
	// closeErr is the error of closing the send side.
	closeErr error
}

// Start sends cfg's request messages on stream from a goroutine of its own
// without waiting for answers and then closes the send side, while a
// second goroutine receives every response until the stream ends. It stops
// sending at the first failed Send: the stream's status then comes from
// its end.
func Start(stream Stream, cfg Config) *Pipeline {
	p := &Pipeline{cfg: cfg, done: make(chan struct{}), index: make(map[uint64]int, cfg.Requests)}
	go p.send(stream)
	go p.receive(stream)
	return p
}

// send sends every request message, then closes the send side.
func (p *Pipeline) send(stream Stream) {
	for i := range p.cfg.Requests {
		r := p.cfg.Request(i)
		sr := &sentRequest{id: r.GetRequestId(), jobs: make([]uint64, len(r.GetJobs()))}
		for k, j := range r.GetJobs() {
			sr.jobs[k] = j.GetJobId()
		}
		// Filed before it is sent: its answer may come before Send returns.
		p.mu.Lock()
		p.index[sr.id] = len(p.reqs)
		p.reqs = append(p.reqs, sr)
		p.mu.Unlock()
		if err := stream.Send(r); err != nil {
			return
		}
		p.mu.Lock()
		p.sent++
		p.mu.Unlock()
	}
	err := stream.CloseSend()
	p.mu.Lock()
	p.closeErr = err
	p.mu.Unlock()
}

// receive records every response until the stream ends.
func (p *Pipeline) receive(stream Stream) {
	defer close(p.done)
	for {
		resp, err := stream.Recv()
		p.mu.Lock()
		if err != nil {
			if !errors.Is(err, io.EOF) {
				p.end = err
			}
			p.mu.Unlock()
			return
		}
		p.record(resp)
		p.mu.Unlock()
	}
}

// record files one response under its request message, noting the first
// breach of the contract.
func (p *Pipeline) record(resp *ciotransformerv1.TransformBatchResponse) {
	id := resp.GetRequestId()
	i, ok := p.index[id]
	var breach error
	switch {
	case !ok:
		breach = fmt.Errorf("response to unknown request_id %d", id)
	case p.reqs[i].final:
		breach = fmt.Errorf("response to request_id %d after its final response", id)
	case i != p.finals:
		breach = fmt.Errorf("response to request_id %d while request_id %d is not answered: answers must come in order", id, p.reqs[p.finals].id)
	}
	if breach != nil {
		if p.violation == nil {
			p.violation = breach
		}
		return
	}
	r := p.reqs[i]
	r.responses++
	if r.answered == nil {
		r.answered = make(map[uint64]int, len(r.jobs))
	}
	for _, res := range resp.GetResults() {
		for _, j := range res.GetJobs() {
			r.answered[j.GetJobId()]++
		}
	}
	if p.cfg.KeepResults {
		r.results = append(r.results, resp.GetResults()...)
	}
	if resp.GetFinal() {
		r.final = true
		p.finals++
	}
}

// Done is closed once the stream has ended.
func (p *Pipeline) Done() <-chan struct{} { return p.done }

// Wait waits until the stream has ended and returns Err.
func (p *Pipeline) Wait() error {
	<-p.done
	return p.Err()
}

// Progress returns how many request messages were sent and how many got
// their final response so far.
func (p *Pipeline) Progress() (sent, finals int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.sent, p.finals
}

// End returns the status that ended the stream: nil when it ended with OK
// (and its send side closed cleanly), else the error.
func (p *Pipeline) End() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.end != nil {
		return p.end
	}
	return p.closeErr
}

// Violation returns the first breach of the stream's contract seen, nil
// when none.
func (p *Pipeline) Violation() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.violation
}

// Results returns the results received for request message i (with
// KeepResults) and whether its final response came.
func (p *Pipeline) Results(i int) ([]*ciotransformerv1.JobResult, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if i >= len(p.reqs) {
		return nil, false
	}
	return p.reqs[i].results, p.reqs[i].final
}

// Err returns, for a stream that has ended, the first of: a breach of the
// contract, the stream's ending error, a request message left without its
// final response. It is nil when every request message was answered in
// full and the stream ended with OK.
func (p *Pipeline) Err() error {
	if err := p.Violation(); err != nil {
		return err
	}
	if err := p.End(); err != nil {
		return fmt.Errorf("stream ended: %w", err)
	}
	if _, finals := p.Progress(); finals < p.cfg.Requests {
		return fmt.Errorf("stream ended after %d of %d request messages were answered", finals, p.cfg.Requests)
	}
	return nil
}

// CheckAnswered checks the stream's contract (see Violation) and every
// request message that got any answer: it must have its final response,
// and its results must cover each of its jobs exactly once and no other
// job. It returns one error per breach, joined; request messages the
// server never answered (after a shutdown, say) are not breaches.
func (p *Pipeline) CheckAnswered() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	var errs []error
	if p.violation != nil {
		errs = append(errs, p.violation)
	}
	for _, r := range p.reqs {
		if r.responses == 0 {
			continue
		}
		if !r.final {
			errs = append(errs, fmt.Errorf("request %d: %d responses but no final one", r.id, r.responses))
		}
		count := maps.Clone(r.answered)
		for _, j := range r.jobs {
			if n := count[j]; n != 1 {
				errs = append(errs, fmt.Errorf("request %d: job %d answered %d times", r.id, j, n))
			}
			delete(count, j)
		}
		for j := range count {
			errs = append(errs, fmt.Errorf("request %d: job %d answered but not sent", r.id, j))
		}
	}
	return errors.Join(errs...)
}

// AnsweredJobs returns how many distinct jobs the results covered so far,
// over all request messages.
func (p *Pipeline) AnsweredJobs() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for _, r := range p.reqs {
		n += len(r.answered)
	}
	return n
}
