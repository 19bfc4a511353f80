package server

import (
	"context"
	"io"
	"runtime"
	"strings"
	"testing"

	ciotransformerv1 "github.com/cio-transformer/cio-transformer/gen/ciotransformer/v1"
	"github.com/cio-transformer/cio-transformer/transform"
	"google.golang.org/protobuf/proto"
)

// keptStream is a TransformBatch stream that keeps its responses.
type keptStream struct {
	discardStream
	sent []*ciotransformerv1.TransformBatchResponse
}

// SendMsg keeps m.
func (s *keptStream) SendMsg(m any) error {
	s.sent = append(s.sent, m.(*ciotransformerv1.TransformBatchResponse))
	return s.discardStream.SendMsg(m)
}

// TestResultBodiesStay checks the contract bodyString relies on: the body
// of a result, which shares the bytes of its transform.Request's Body, is
// unchanged once the request message's bytes are written over (gRPC reuses
// its buffers) and the Batcher has built the batches of further messages
// in its own buffers, in API mode v1 and v2.
func TestResultBodiesStay(t *testing.T) {
	t.Parallel()
	v2 := proto.CloneOf(testDestination)
	v2.ApiMode = ciotransformerv1.ApiMode_API_MODE_V2_BATCH
	s := &service{mapping: make(chan struct{}, 1)}
	b := transform.NewBatcher(nil, transform.DefaultLimits())
	ctx := t.Context()
	for _, dest := range []*ciotransformerv1.Destination{testDestination, v2} {
		req := answerRequest(t, dest, 300)
		stream := &keptStream{}
		if _, err := s.answer(ctx, stream, b, req); err != nil {
			t.Fatal(err)
		}
		var bodies, want []string
		for _, resp := range stream.sent {
			for _, r := range resp.GetResults() {
				if body := r.GetRequest().GetBody(); body != "" {
					bodies = append(bodies, body)
					want = append(want, strings.Clone(body))
				}
			}
		}
		if len(bodies) == 0 {
			t.Fatalf("%s: no body in the answer of 300 jobs", dest.GetApiMode())
		}
		for _, job := range req.GetJobs() {
			raw := job.GetRawEvent()
			for i := range raw {
				raw[i] = ' '
			}
		}
		for _, d := range []*ciotransformerv1.Destination{testDestination, v2} {
			if _, err := s.answer(ctx, &discardStream{}, b, answerRequest(t, d, 300)); err != nil {
				t.Fatal(err)
			}
		}
		runtime.GC()
		for i := range bodies {
			if bodies[i] != want[i] {
				t.Fatalf("%s: body %d changed after its request was reused:\n%s\nwas\n%s", dest.GetApiMode(), i, bodies[i], want[i])
			}
		}
	}
}

// TestTurn checks that a turn holds one slot for up to jobsPerTurn jobs,
// then gives it back and takes one again, and that release gives back
// only what is held.
func TestTurn(t *testing.T) {
	t.Parallel()
	s := &service{mapping: make(chan struct{}, 2)}
	tn := s.turn()
	tn.release()
	if len(s.mapping) != 0 {
		t.Fatalf("a turn not held released a slot: %d held", len(s.mapping))
	}
	for i := range 3*jobsPerTurn + 1 {
		tn.take()
		if len(s.mapping) != 1 {
			t.Fatalf("job %d: %d slots held, want 1", i, len(s.mapping))
		}
		if want := i%jobsPerTurn + 1; tn.jobs != want {
			t.Fatalf("job %d: %d jobs in the turn, want %d", i, tn.jobs, want)
		}
	}
	other := s.turn()
	other.take()
	if len(s.mapping) != 2 {
		t.Fatalf("two turns hold %d slots", len(s.mapping))
	}
	tn.release()
	tn.release()
	other.release()
	if len(s.mapping) != 0 {
		t.Fatalf("%d slots held after both turns were released", len(s.mapping))
	}
	var none turn
	none.take()
	none.release()
	unbounded := (&service{}).turn()
	unbounded.take()
	unbounded.release()
}

// turnCheckStream fails a test when a response is sent while a mapping
// slot is held, and can fail its sends.
type turnCheckStream struct {
	discardStream
	t       *testing.T
	mapping chan struct{}
	sends   int
	failAt  int
}

// SendMsg checks that no slot is held.
func (s *turnCheckStream) SendMsg(m any) error {
	if n := len(s.mapping); n != 0 {
		s.t.Errorf("send %d with %d mapping slots held", s.sends, n)
	}
	s.sends++
	if s.sends == s.failAt {
		return io.ErrClosedPipe
	}
	return s.discardStream.SendMsg(m)
}

// TestAnswerReleasesTurn checks that answer sends no response while it
// holds its mapping turn, and gives the turn back however it ends: after
// its last response, on a failed send, and on a cancelled context.
func TestAnswerReleasesTurn(t *testing.T) {
	t.Parallel()
	const jobs = 3*resultsPerResponse + 7
	req := answerRequest(t, testDestination, jobs)
	for _, tc := range []struct {
		name   string
		failAt int
		cancel bool
	}{{name: "answered"}, {name: "failed send", failAt: 2}, {name: "cancelled", cancel: true}} {
		s := &service{mapping: make(chan struct{}, 1)}
		stream := &turnCheckStream{t: t, mapping: s.mapping, failAt: tc.failAt}
		ctx, cancel := context.WithCancel(t.Context())
		if tc.cancel {
			cancel()
		}
		_, err := s.answer(ctx, stream, transform.NewBatcher(nil, transform.DefaultLimits()), req)
		cancel()
		switch {
		case tc.failAt == 0 && !tc.cancel && (err != nil || stream.sends < 2):
			t.Errorf("%s: %v after %d sends", tc.name, err, stream.sends)
		case (tc.failAt != 0 || tc.cancel) && err == nil:
			t.Errorf("%s: no error", tc.name)
		}
		if n := len(s.mapping); n != 0 {
			t.Errorf("%s: %d mapping slots held after answer returned", tc.name, n)
		}
	}
}
