package server

import (
	"runtime"
	"strings"
	"testing"

	ciotransformerv1 "github.com/cio-transformer/cio-transformer/gen/ciotransformer/v1"
	"github.com/cio-transformer/cio-transformer/internal/cputime"
	"github.com/cio-transformer/cio-transformer/internal/eventmix"
	"github.com/cio-transformer/cio-transformer/transform"
	"google.golang.org/grpc"
	"google.golang.org/grpc/mem"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/structpb"
)

// discardStream is a TransformBatch stream whose responses go nowhere; it
// counts the results sent.
type discardStream struct {
	grpc.ServerStream
	results int
}

// SendMsg counts m's results.
func (s *discardStream) SendMsg(m any) error {
	s.results += len(m.(*ciotransformerv1.TransformBatchResponse).GetResults())
	return nil
}

// answerRequest returns a request message for dest of n jobs of the
// seeded event mix, with job metadata as a router sends it, decoded by the
// server's codec as a stream's messages are.
func answerRequest(tb testing.TB, dest *ciotransformerv1.Destination, n int) *ciotransformerv1.TransformBatchRequest {
	tb.Helper()
	events := eventmix.Generate(1, n)
	meta, err := structpb.NewStruct(map[string]any{
		"jobId": float64(1000000), "sourceId": "2Xo8QyFzR1mF0u9c1V4kTz7yBqP",
		"destinationId": "2Xo8R3aQk0bN7c5dE1fG9hJ2iLm", "workspaceId": "2Xo8Pa1bC3dE5fG7hJ9kL1mN3oP",
	})
	if err != nil {
		tb.Fatal(err)
	}
	req := &ciotransformerv1.TransformBatchRequest{RequestId: 1, Destination: dest}
	for i, e := range events {
		job := rawJob(uint64(i+1), string(e.JSON))
		job.Metadata = meta
		req.Jobs = append(req.Jobs, job)
	}
	return decodedRequest(tb, req)
}

// decodedRequest returns req as the server's codec decodes it from the
// wire, as a stream's messages are.
func decodedRequest(tb testing.TB, req *ciotransformerv1.TransformBatchRequest) *ciotransformerv1.TransformBatchRequest {
	tb.Helper()
	// Deterministic, so that the metadata every result echoes is the same
	// bytes in every message made of the same jobs.
	wire, err := proto.MarshalOptions{Deterministic: true}.Marshal(req)
	if err != nil {
		tb.Fatal(err)
	}
	decoded := &ciotransformerv1.TransformBatchRequest{}
	codec := newRequestCodec(DefaultMaxJobsPerRequest, 1<<30, nil)
	if err := codec.Unmarshal(mem.BufferSlice{mem.SliceBuffer(wire)}, decoded); err != nil {
		tb.Fatal(err)
	}
	if cm := checkNote(decoded); cm.refusal != nil {
		tb.Fatal(cm.refusal.Message())
	}
	return decoded
}

// BenchmarkAnswer answers a request message of 100 jobs of the event mix
// in API mode v1, as a TransformBatch stream does once the message is
// decoded: each job is converted, mapped under the service's mapping
// bound, batched and turned into its result, and the responses are handed
// to a stream that drops them. Its figures are per message.
func BenchmarkAnswer(b *testing.B) {
	benchAnswer(b, testDestination)
}

// BenchmarkAnswerV2 is BenchmarkAnswer in API mode v2, where every job's
// object joins a /api/v2/batch request.
func BenchmarkAnswerV2(b *testing.B) {
	dest := proto.CloneOf(testDestination)
	dest.ApiMode = ciotransformerv1.ApiMode_API_MODE_V2_BATCH
	benchAnswer(b, dest)
}

// benchAnswer answers a request message of 100 jobs of the event mix for
// dest, per BenchmarkAnswer.
func benchAnswer(b *testing.B, dest *ciotransformerv1.Destination) {
	req := answerRequest(b, dest, 100)
	s := &service{mapping: make(chan struct{}, runtime.GOMAXPROCS(0)), stores: newStores()}
	bt := transform.NewBatcher(nil, transform.DefaultLimits())
	stream := &discardStream{}
	ctx := b.Context()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.answer(ctx, stream, bt, req); err != nil {
			b.Fatal(err)
		}
	}
	if stream.results == 0 {
		b.Fatal("no results")
	}
}

// BenchmarkAnswerGrowing answers, one after another, request messages of
// 1, 2, 4, ... 512 and then seven of 1,000 jobs, each a device event whose
// properties are one 800-character string: a request body of about 8 KB,
// upstream spreading the string one key per character. Its figures are
// per run of the 17 messages; cpu-ns/op is the process's CPU, the
// collector's and the kernel's page faults included, which is where
// storage reused across messages of this shape showed its cost (see
// maxStoredResults).
func BenchmarkAnswerGrowing(b *testing.B) {
	var reqs []*ciotransformerv1.TransformBatchRequest
	for n := 1; n <= 1000; n *= 2 {
		reqs = append(reqs, deviceRequest(b, n))
	}
	for range 7 {
		reqs = append(reqs, deviceRequest(b, 1000))
	}
	s := &service{mapping: make(chan struct{}, runtime.GOMAXPROCS(0)), stores: newStores()}
	ctx := b.Context()
	b.ReportAllocs()
	cpu := cputime.Process()
	for b.Loop() {
		for _, req := range reqs {
			if _, err := s.answer(ctx, &discardStream{}, transform.NewBatcher(nil, transform.DefaultLimits()), req); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64((cputime.Process()-cpu).Nanoseconds())/float64(b.N), "cpu-ns/op")
}

// deviceRequest returns a request message of n device events of 1,000
// bytes, decoded by the server's codec, per BenchmarkAnswerGrowing.
func deviceRequest(tb testing.TB, n int) *ciotransformerv1.TransformBatchRequest {
	tb.Helper()
	head := `{"type":"track","event":"Application Installed","userId":"user-1","messageId":"m-1",` +
		`"context":{"device":{"token":"token-1","type":"ios"}},"properties":"`
	event := head + strings.Repeat("p", 1000-len(head)-2) + `"}`
	req := &ciotransformerv1.TransformBatchRequest{RequestId: 1, Destination: testDestination}
	for i := range n {
		req.Jobs = append(req.Jobs, rawJob(uint64(i+1), event))
	}
	return decodedRequest(tb, req)
}
