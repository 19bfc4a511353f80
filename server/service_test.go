package server

import (
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
