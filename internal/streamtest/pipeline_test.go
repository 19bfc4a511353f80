package streamtest

import (
	"io"
	"strings"
	"testing"

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
	want      int
}

func (s *scripted) Send(r *ciotransformerv1.TransformBatchRequest) error {
	s.sent <- r
	return nil
}

func (s *scripted) CloseSend() error { return nil }

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
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := &scripted{sent: make(chan *ciotransformerv1.TransformBatchRequest, len(reqs)), responses: tt.responses, end: tt.end, want: len(reqs)}
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
