package server

import (
	"bytes"
	"context"
	"io"
	"runtime"
	"testing"

	ciotransformerv1 "github.com/cio-transformer/cio-transformer/gen/ciotransformer/v1"
	"github.com/cio-transformer/cio-transformer/transform"
	"google.golang.org/protobuf/proto"
)

// encodingStream is a TransformBatch stream that encodes each response as it
// is sent, as gRPC does, and keeps the bytes.
type encodingStream struct {
	discardStream
	sent [][]byte
}

// SendMsg encodes m and keeps the bytes.
func (s *encodingStream) SendMsg(m any) error {
	b, err := proto.MarshalOptions{Deterministic: true}.Marshal(m.(proto.Message))
	if err != nil {
		return err
	}
	s.sent = append(s.sent, b)
	return s.discardStream.SendMsg(m)
}

// TestResultsStayUntilSent checks the contract answer relies on: the
// results of a request message, mapped and built in a store that the next
// message reuses, and whose strings the responses share (bodyString), are
// what they were mapped as until the message's last response is sent,
// whatever the messages answered before them. In API mode v1 and v2, each
// message is answered by a service of its own without stores, then by one
// with stores, in one stream between the others: the responses, encoded
// as they are sent, as gRPC encodes them, must be the same bytes.
func TestResultsStayUntilSent(t *testing.T) {
	t.Parallel()
	v2 := proto.CloneOf(testDestination)
	v2.ApiMode = ciotransformerv1.ApiMode_API_MODE_V2_BATCH
	ctx := t.Context()
	dests := []*ciotransformerv1.Destination{testDestination, v2, testDestination, v2, testDestination}
	sizes := []int{300, 300, 7, 120, 1}
	want := make([][][]byte, len(dests))
	for i, d := range dests {
		s := &service{mapping: make(chan struct{}, 1)}
		stream := &encodingStream{}
		if _, err := s.answer(ctx, stream, transform.NewBatcher(nil, transform.DefaultLimits()), answerRequest(t, d, sizes[i])); err != nil {
			t.Fatal(err)
		}
		want[i] = stream.sent
	}
	s := &service{mapping: make(chan struct{}, 1), stores: newStores()}
	b := transform.NewBatcher(nil, transform.DefaultLimits())
	for round := range 3 {
		for i, d := range dests {
			req := answerRequest(t, d, sizes[i])
			stream := &encodingStream{}
			if _, err := s.answer(ctx, stream, b, req); err != nil {
				t.Fatal(err)
			}
			if len(stream.sent) != len(want[i]) {
				t.Fatalf("round %d, message %d: %d responses, alone %d", round, i, len(stream.sent), len(want[i]))
			}
			for k := range want[i] {
				if !bytes.Equal(stream.sent[k], want[i][k]) {
					logFirstDifference(t, stream.sent[k], want[i][k])
					t.Fatalf("round %d, message %d (%s, %d jobs): response %d differs from the message's answered alone", round, i, d.GetApiMode(), sizes[i], k)
				}
			}
		}
		runtime.GC()
	}
}

// logFirstDifference logs the first result that differs between the
// encoded responses got and want.
func logFirstDifference(t *testing.T, got, want []byte) {
	t.Helper()
	var g, w ciotransformerv1.TransformBatchResponse
	if proto.Unmarshal(got, &g) != nil || proto.Unmarshal(want, &w) != nil {
		return
	}
	for r := range min(len(g.Results), len(w.Results)) {
		if !proto.Equal(g.Results[r], w.Results[r]) {
			t.Logf("result %d:\n%v\nwant:\n%v", r, g.Results[r], w.Results[r])
			return
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
		s := &service{mapping: make(chan struct{}, 1), stores: newStores()}
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
