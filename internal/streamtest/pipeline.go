package streamtest

import (
	"errors"
	"fmt"
	"io"
	"maps"
	"sync"
	"time"

	ciotransformerv1 "github.com/cio-transformer/cio-transformer/gen/ciotransformer/v1"
)

// sentRequest is what a Pipeline keeps of a request message it sent.
type sentRequest struct {
	id uint64
	// due is when the Pipeline turned to it, for Config.Answered.
	due time.Time
	// jobs are its job ids, when they are checked.
	jobs []uint64
	// answered counts how often each job id was answered.
	answered map[uint64]int
	results  []*ciotransformerv1.JobResult
	// responses counts the responses to it, final included.
	responses int
}

// Pipeline is one pipelining client on a TransformBatch stream. Its
// methods are safe to call while it runs; what it sent and received is
// complete once Done is closed.
type Pipeline struct {
	requests int
	keep     bool
	// checkJobs is whether request messages list their jobs and responses
	// their results, so that each job's answers are counted.
	checkJobs bool
	// sendDone is closed once sending ended and the send side is closed,
	// ended once the stream ended, done once both are.
	sendDone chan struct{}
	ended    chan struct{}
	done     chan struct{}
	stop     chan struct{}
	stopOnce sync.Once
	// slots holds a token per request message sent and not answered in
	// full, when there is a window.
	slots chan struct{}

	mu sync.Mutex
	// pending are the request messages handed to Send and not answered in
	// full, in order: the first is the one being answered.
	pending []sentRequest
	// kept are, with KeepResults, the request messages answered in full,
	// in order.
	kept []sentRequest
	// sent is how many request messages were sent.
	sent int
	// finals counts the final responses.
	finals int
	// jobs counts the distinct jobs the results covered.
	jobs int
	// stopped is whether sending stopped before Requests.
	stopped bool
	// violation is the first breach of the stream's contract seen.
	violation error
	// uncovered are the breaches of request messages answered in full
	// whose results did not cover each of their jobs exactly once.
	uncovered []error
	// end is the error that ended the stream, nil when it ended with OK.
	end error
	// closeErr is the error of closing the send side.
	closeErr error
}

// Start sends cfg's request messages on stream from a goroutine of its own,
// without waiting for answers beyond cfg's window, and then closes the send
// side, while a second goroutine receives every response until the stream
// ends (from when cfg's Hold is closed, if it has one). It stops sending at
// the first failed Send (the stream's status then comes from its end), at
// the first breach of the contract, at the stream's end, and at Stop.
func Start[Req Request, Resp Response](stream Stream[Req, Resp], cfg Config[Req, Resp]) *Pipeline {
	var req Req
	var resp Resp
	_, lists := any(req).(jobsLister)
	_, answers := any(resp).(resultsLister)
	p := &Pipeline{
		requests:  cfg.Requests,
		keep:      cfg.KeepResults,
		checkJobs: lists && answers,
		sendDone:  make(chan struct{}),
		ended:     make(chan struct{}),
		done:      make(chan struct{}),
		stop:      make(chan struct{}),
	}
	if cfg.Window > 0 {
		p.slots = make(chan struct{}, cfg.Window)
	}
	go send(p, stream, cfg)
	go receive(p, stream, cfg)
	return p
}

// send sends the request messages, then closes the send side.
func send[Req Request, Resp Response](p *Pipeline, stream Stream[Req, Resp], cfg Config[Req, Resp]) {
	defer close(p.sendDone)
	for i := 0; cfg.Requests == Endless || i < cfg.Requests; i++ {
		var due time.Time
		if cfg.Answered != nil {
			due = time.Now()
		}
		if !p.await() {
			break
		}
		r := cfg.Request(i)
		sr := sentRequest{id: r.GetRequestId(), due: due}
		if p.checkJobs {
			jobs := any(r).(jobsLister).GetJobs()
			sr.jobs = make([]uint64, len(jobs))
			for k, j := range jobs {
				sr.jobs[k] = j.GetJobId()
			}
		}
		// Filed before it is sent: its answer may come before Send returns.
		p.mu.Lock()
		p.pending = append(p.pending, sr)
		p.mu.Unlock()
		if err := stream.Send(r); err != nil {
			break
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

// await waits for room in the window, and reports false when sending is to
// stop instead.
func (p *Pipeline) await() bool {
	if p.slots == nil {
		select {
		case <-p.stop:
		case <-p.ended:
		default:
			return true
		}
	} else {
		select {
		case p.slots <- struct{}{}:
			return true
		case <-p.stop:
		case <-p.ended:
		}
	}
	p.mu.Lock()
	p.stopped = true
	p.mu.Unlock()
	return false
}

// receive records every response until the stream ends, then waits for
// sending to end too.
func receive[Req Request, Resp Response](p *Pipeline, stream Stream[Req, Resp], cfg Config[Req, Resp]) {
	defer close(p.done)
	if cfg.Hold != nil {
		<-cfg.Hold
	}
	for {
		resp, err := stream.Recv()
		if err != nil {
			p.mu.Lock()
			if !errors.Is(err, io.EOF) {
				p.end = err
			}
			p.mu.Unlock()
			close(p.ended)
			<-p.sendDone
			return
		}
		var at time.Time
		if cfg.Answered != nil && resp.GetFinal() {
			at = time.Now()
		}
		var results []*ciotransformerv1.JobResult
		if p.checkJobs {
			results = any(resp).(resultsLister).GetResults()
		}
		p.mu.Lock()
		i, ok := p.record(resp.GetRequestId(), results)
		var answered sentRequest
		final := ok && resp.GetFinal()
		if final {
			answered = p.finish()
		}
		p.mu.Unlock()
		if !ok {
			p.Stop()
			continue
		}
		if final && p.slots != nil {
			<-p.slots
		}
		if cfg.Received != nil {
			cfg.Received(resp)
		}
		if final && cfg.Answered != nil {
			cfg.Answered(i, answered.due, at)
		}
	}
}

// record files the results of one response under the request message being
// answered and returns that message's index, or notes the breach of the
// contract and reports false when the response answers another.
func (p *Pipeline) record(id uint64, results []*ciotransformerv1.JobResult) (int, bool) {
	if len(p.pending) == 0 || p.pending[0].id != id {
		if p.violation == nil {
			p.violation = p.breach(id)
		}
		return 0, false
	}
	r := &p.pending[0]
	r.responses++
	if p.checkJobs && r.answered == nil {
		r.answered = make(map[uint64]int, len(r.jobs))
	}
	for _, res := range results {
		for _, j := range res.GetJobs() {
			if r.answered[j.GetJobId()]++; r.answered[j.GetJobId()] == 1 {
				p.jobs++
			}
		}
	}
	if p.keep {
		r.results = append(r.results, results...)
	}
	return p.finals, true
}

// breach describes a response to request id while another is being
// answered.
func (p *Pipeline) breach(id uint64) error {
	for _, r := range p.pending[min(1, len(p.pending)):] {
		if r.id == id {
			return fmt.Errorf("response to request_id %d while request_id %d is not answered: answers must come in order", id, p.pending[0].id)
		}
	}
	if !p.keep {
		return fmt.Errorf("response to request_id %d, which awaits no answer: unknown, or after its final response", id)
	}
	for _, r := range p.kept {
		if r.id == id {
			return fmt.Errorf("response to request_id %d after its final response", id)
		}
	}
	return fmt.Errorf("response to unknown request_id %d", id)
}

// finish ends the request message being answered at its final response,
// noting whether its results covered its jobs, and returns it.
func (p *Pipeline) finish() sentRequest {
	r := p.pending[0]
	p.pending[0] = sentRequest{}
	p.pending = p.pending[1:]
	p.finals++
	if p.checkJobs {
		p.uncovered = append(p.uncovered, r.uncovered()...)
	}
	if p.keep {
		p.kept = append(p.kept, r)
	}
	return r
}

// uncovered returns a breach for each of r's jobs not answered exactly once
// and each job answered that r did not carry.
func (r *sentRequest) uncovered() []error {
	var errs []error
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
	return errs
}

// Stop ends sending: the Pipeline sends no more request messages, closes
// the send side, and goes on receiving the answers to those sent.
func (p *Pipeline) Stop() {
	p.stopOnce.Do(func() { close(p.stop) })
}

// Done is closed once the stream has ended and sending with it.
func (p *Pipeline) Done() <-chan struct{} { return p.done }

// SendDone is closed once the Pipeline has stopped sending and closed the
// send side.
func (p *Pipeline) SendDone() <-chan struct{} { return p.sendDone }

// Wait waits until the stream has ended, and sending with it, and returns
// Err.
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
	switch {
	case i < len(p.kept):
		return p.kept[i].results, true
	case i < p.finals:
		return nil, true
	case i-p.finals < len(p.pending):
		return p.pending[i-p.finals].results, false
	}
	return nil, false
}

// Err returns, for a stream that has ended, the first of: a breach of the
// contract, the stream's ending error, a request message left without its
// final response. It is nil when every request message due was answered
// in full and the stream ended with OK; after Stop, those sent are due.
func (p *Pipeline) Err() error {
	if err := p.Violation(); err != nil {
		return err
	}
	if err := p.End(); err != nil {
		return fmt.Errorf("stream ended: %w", err)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	due := p.requests
	if p.stopped || due == Endless {
		due = p.sent
	}
	if p.finals < due {
		return fmt.Errorf("stream ended after %d of %d request messages were answered", p.finals, due)
	}
	return nil
}

// CheckAnswered checks the stream's contract (see Violation) and every
// request message that got any answer: it must have its final response,
// and its results must cover each of its jobs exactly once and no other
// job (when its jobs are checked). It returns one error per breach,
// joined; request messages the server never answered (after a shutdown,
// say) are not breaches.
func (p *Pipeline) CheckAnswered() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	var errs []error
	if p.violation != nil {
		errs = append(errs, p.violation)
	}
	errs = append(errs, p.uncovered...)
	for _, r := range p.pending {
		if r.responses == 0 {
			continue
		}
		errs = append(errs, fmt.Errorf("request %d: %d responses but no final one", r.id, r.responses))
		if p.checkJobs {
			errs = append(errs, r.uncovered()...)
		}
	}
	return errors.Join(errs...)
}

// AnsweredJobs returns how many distinct jobs the results covered so far,
// over all request messages, when their jobs are checked.
func (p *Pipeline) AnsweredJobs() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.jobs
}
