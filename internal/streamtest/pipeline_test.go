package streamtest

import (
	"errors"
	"io"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	ciotransformerv1 "github.com/cio-transformer/cio-transformer/gen/ciotransformer/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// scripted is a stream whose responses are fixed in advance and come once
// every request message was sent.
type scripted struct {
	grpc.ClientStream
	sent      chan *ciotransformerv1.TransformBatchRequest
	responses []*ciotransformerv1.TransformBatchResponse
	end       error
	closeErr  error
	want      int
}

func (s *scripted) Send(r *ciotransformerv1.TransformBatchRequest) error {
	s.sent <- r
	return nil
}

func (s *scripted) CloseSend() error { return s.closeErr }

func (s *scripted) Recv() (*ciotransformerv1.TransformBatchResponse, error) {
	for ; s.want > 0; s.want-- {
		<-s.sent
	}
	if len(s.responses) == 0 {
		return nil, s.end
	}
	r := s.responses[0]
	s.responses = s.responses[1:]
	return r, nil
}

func request(id uint64, jobs ...uint64) *ciotransformerv1.TransformBatchRequest {
	r := &ciotransformerv1.TransformBatchRequest{RequestId: id}
	for _, j := range jobs {
		r.Jobs = append(r.Jobs, &ciotransformerv1.Job{JobId: j})
	}
	return r
}

func response(id uint64, final bool, jobs ...uint64) *ciotransformerv1.TransformBatchResponse {
	res := &ciotransformerv1.JobResult{}
	for _, j := range jobs {
		res.Jobs = append(res.Jobs, &ciotransformerv1.JobRef{JobId: j})
	}
	return &ciotransformerv1.TransformBatchResponse{RequestId: id, Final: final, Results: []*ciotransformerv1.JobResult{res}}
}

func TestPipeline(t *testing.T) {
	t.Parallel()
	reqs := []*ciotransformerv1.TransformBatchRequest{request(7, 1, 2), request(8, 3)}
	tests := []struct {
		name      string
		responses []*ciotransformerv1.TransformBatchResponse
		end       error
		closeErr  error
		wantErr   string
		wantCheck string
	}{
		{name: "answered in order", responses: []*ciotransformerv1.TransformBatchResponse{
			response(7, false, 1), response(7, true, 2), response(8, true, 3)}, end: io.EOF},
		{name: "out of order", responses: []*ciotransformerv1.TransformBatchResponse{
			response(8, true, 3), response(7, true, 1, 2)}, end: io.EOF, wantErr: "answers must come in order", wantCheck: "answers must come in order"},
		{name: "unknown id", responses: []*ciotransformerv1.TransformBatchResponse{
			response(9, true)}, end: io.EOF, wantErr: "unknown request_id 9", wantCheck: "unknown request_id 9"},
		{name: "after final", responses: []*ciotransformerv1.TransformBatchResponse{
			response(7, true, 1, 2), response(7, true), response(8, true, 3)}, end: io.EOF, wantErr: "after its final response", wantCheck: "after its final response"},
		{name: "job twice", responses: []*ciotransformerv1.TransformBatchResponse{
			response(7, true, 1, 1, 2), response(8, true, 3)}, end: io.EOF, wantCheck: "job 1 answered 2 times"},
		{name: "job missing", responses: []*ciotransformerv1.TransformBatchResponse{
			response(7, true, 1), response(8, true, 3)}, end: io.EOF, wantCheck: "job 2 answered 0 times"},
		{name: "ended early", responses: []*ciotransformerv1.TransformBatchResponse{
			response(7, true, 1, 2)}, end: status.Error(codes.Unavailable, "shutting down"), wantErr: "Unavailable"},
		{name: "close fails", responses: []*ciotransformerv1.TransformBatchResponse{
			response(7, true, 1, 2), response(8, true, 3)}, end: io.EOF, closeErr: errors.New("closing failed"), wantErr: "closing failed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := &scripted{sent: make(chan *ciotransformerv1.TransformBatchRequest, len(reqs)), responses: tt.responses, end: tt.end, closeErr: tt.closeErr, want: len(reqs)}
			p := Start(s, Of(reqs))
			err := p.Wait()
			if (err != nil) != (tt.wantErr != "") || (err != nil && !strings.Contains(err.Error(), tt.wantErr)) {
				t.Errorf("Wait() = %v, want an error with %q", err, tt.wantErr)
			}
			check := p.CheckAnswered()
			if (check != nil) != (tt.wantCheck != "") || (check != nil && !strings.Contains(check.Error(), tt.wantCheck)) {
				t.Errorf("CheckAnswered() = %v, want an error with %q", check, tt.wantCheck)
			}
			if sent, _ := p.Progress(); sent != len(reqs) {
				t.Errorf("sent %d, want %d", sent, len(reqs))
			}
		})
	}
}

// echo is a stream that answers each request message with one final
// response covering its jobs, as soon as it is sent, and counts the
// request messages it holds unanswered.
type echo struct {
	grpc.ClientStream
	sent       chan *ciotransformerv1.TransformBatchRequest
	unanswered atomic.Int64
	most       atomic.Int64
}

func newEcho() *echo {
	return &echo{sent: make(chan *ciotransformerv1.TransformBatchRequest, 1000)}
}

func (s *echo) Send(r *ciotransformerv1.TransformBatchRequest) error {
	n := s.unanswered.Add(1)
	for m := s.most.Load(); n > m && !s.most.CompareAndSwap(m, n); m = s.most.Load() {
	}
	s.sent <- r
	return nil
}

func (s *echo) CloseSend() error {
	close(s.sent)
	return nil
}

func (s *echo) Recv() (*ciotransformerv1.TransformBatchResponse, error) {
	r, ok := <-s.sent
	if !ok {
		return nil, io.EOF
	}
	var jobs []uint64
	for _, j := range r.GetJobs() {
		jobs = append(jobs, j.GetJobId())
	}
	s.unanswered.Add(-1)
	return response(r.GetRequestId(), true, jobs...), nil
}

func TestPipelineWindow(t *testing.T) {
	t.Parallel()
	const window = 3
	s := newEcho()
	var answered []int
	p := Start(s, Typed{
		Requests: 50,
		Window:   window,
		Request:  func(i int) *ciotransformerv1.TransformBatchRequest { return request(uint64(i)+1, 1, 2) },
		Answered: func(i int, due, at time.Time) {
			if at.Before(due) {
				t.Errorf("request message %d answered at %v, before it was due at %v", i, at, due)
			}
			answered = append(answered, i)
		},
	})
	if err := p.Wait(); err != nil {
		t.Fatal(err)
	}
	if err := p.CheckAnswered(); err != nil {
		t.Error(err)
	}
	if most := s.most.Load(); most > window {
		t.Errorf("%d request messages unanswered at once, want at most %d", most, window)
	}
	if len(answered) != 50 || answered[0] != 0 || answered[49] != 49 {
		t.Errorf("Answered called for %v, want 0 to 49 in order", answered)
	}
	if got := p.AnsweredJobs(); got != 100 {
		t.Errorf("AnsweredJobs() = %d, want 100", got)
	}
}

func TestPipelineEndlessStops(t *testing.T) {
	t.Parallel()
	s := newEcho()
	var received atomic.Int64
	p := Start(s, Typed{
		Requests: Endless,
		Window:   2,
		Request:  func(i int) *ciotransformerv1.TransformBatchRequest { return request(uint64(i)+1, 1) },
		Received: func(*ciotransformerv1.TransformBatchResponse) { received.Add(1) },
	})
	for _, finals := p.Progress(); finals < 20; _, finals = p.Progress() {
		time.Sleep(time.Millisecond)
	}
	p.Stop()
	if err := p.Wait(); err != nil {
		t.Fatal(err)
	}
	sent, finals := p.Progress()
	if sent != finals || int64(finals) != received.Load() {
		t.Errorf("sent %d, %d answered, %d responses received: want all the same", sent, finals, received.Load())
	}
}

func TestPipelineHold(t *testing.T) {
	t.Parallel()
	s := newEcho()
	hold := make(chan struct{})
	var received atomic.Int64
	p := Start(s, Typed{
		Requests: 20,
		Request:  func(i int) *ciotransformerv1.TransformBatchRequest { return request(uint64(i)+1, 1) },
		Received: func(*ciotransformerv1.TransformBatchResponse) { received.Add(1) },
		Hold:     hold,
	})
	<-p.SendDone()
	if sent, finals := p.Progress(); sent != 20 || finals != 0 || received.Load() != 0 {
		t.Errorf("before the hold ends: sent %d, %d answered, %d responses received; want 20, 0, 0", sent, finals, received.Load())
	}
	close(hold)
	if err := p.Wait(); err != nil {
		t.Fatal(err)
	}
	if got := received.Load(); got != 20 {
		t.Errorf("%d responses received, want 20", got)
	}
}

// frame and reply are messages of a codec of the caller's own, which
// carry no jobs: only ids and order are checked.
type frame struct{ id uint64 }

func (f *frame) GetRequestId() uint64 { return f.id }

type reply struct {
	id    uint64
	final bool
}

func (r *reply) GetRequestId() uint64 { return r.id }
func (r *reply) GetFinal() bool       { return r.final }

// frames answers its request messages last to first, once the send side
// is closed.
type frames struct {
	sent   []uint64
	closed chan struct{}
}

func (s *frames) Send(f *frame) error {
	s.sent = append(s.sent, f.id)
	return nil
}

func (s *frames) CloseSend() error {
	close(s.closed)
	return nil
}

func (s *frames) Recv() (*reply, error) {
	<-s.closed
	if len(s.sent) == 0 {
		return nil, io.EOF
	}
	id := s.sent[len(s.sent)-1]
	s.sent = s.sent[:len(s.sent)-1]
	return &reply{id: id, final: true}, nil
}

func TestPipelineFrames(t *testing.T) {
	t.Parallel()
	p := Start(&frames{closed: make(chan struct{})}, Config[*frame, *reply]{
		Requests: 2,
		Request:  func(i int) *frame { return &frame{id: uint64(i) + 1} },
	})
	err := p.Wait()
	if err == nil || !strings.Contains(err.Error(), "answers must come in order") {
		t.Errorf("Wait() = %v, want an error saying answers must come in order", err)
	}
}
