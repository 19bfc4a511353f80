package server

import (
	"testing"

	ciotransformerv1 "github.com/cio-transformer/cio-transformer/gen/ciotransformer/v1"
	"github.com/cio-transformer/cio-transformer/internal/eventmix"
	"github.com/cio-transformer/cio-transformer/transform"
	"google.golang.org/grpc/mem"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/structpb"
)

// benchMetadata is a job's metadata as a RudderStack router sends it.
func benchMetadata(tb testing.TB, i int) *structpb.Struct {
	tb.Helper()
	md, err := structpb.NewStruct(map[string]any{
		"jobId":         float64(1000000 + i),
		"sourceId":      "2Xo8QyFzR1mF0u9c1V4kTz7yBqP",
		"destinationId": "2Xo8R3aQk0bN7c5dE1fG9hJ2iLm",
		"workspaceId":   "2Xo8Pa1bC3dE5fG7hJ9kL1mN3oP",
	})
	if err != nil {
		tb.Fatal(err)
	}
	return md
}

// benchRequest is a TransformBatchRequest of n mixed events with
// RudderStack-like metadata, as raw JSON or as typed events.
func benchRequest(tb testing.TB, n int, typed bool) []byte {
	tb.Helper()
	req := &ciotransformerv1.TransformBatchRequest{RequestId: 7, Destination: testDestination}
	unmarshal := protojson.UnmarshalOptions{DiscardUnknown: true}
	for i, e := range eventmix.Generate(1, n) {
		job := &ciotransformerv1.Job{JobId: uint64(i + 1), Metadata: benchMetadata(tb, i)}
		if typed {
			ev := &ciotransformerv1.Event{}
			if err := unmarshal.Unmarshal(e.JSON, ev); err != nil {
				tb.Fatal(err)
			}
			job.Payload = &ciotransformerv1.Job_Event{Event: ev}
		} else {
			job.Payload = &ciotransformerv1.Job_RawEvent{RawEvent: e.JSON}
		}
		req.Jobs = append(req.Jobs, job)
	}
	b, err := proto.Marshal(req)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// benchEntry is the result every job of the benchmarks gets: a request of
// typical size.
var benchEntry = transform.Request{
	Method:       "PUT",
	Endpoint:     "https://track.customer.io/api/v1/customers/user-1",
	EndpointPath: "v1/customers",
	Headers:      []transform.Header{{Name: "Authorization", Value: "Basic c2l0ZS0xOmtleS0x"}},
	Body:         []byte(`{"email":"user-1@example.com","created_at":1700000000,"plan":"pro"}`),
	UserID:       "user-1",
}

// BenchmarkCodec measures the server's side of the wire for one request
// message of 100 jobs: decoding it with the server's codec, reading each
// job's event, and encoding the response that echoes every job's metadata.
// Mapping is left out: every job gets the same prepared request.
func BenchmarkCodec(b *testing.B) {
	for _, bc := range []struct {
		name  string
		typed bool
	}{{"json", false}, {"typed", true}} {
		b.Run(bc.name, func(b *testing.B) {
			wire := benchRequest(b, 100, bc.typed)
			codec := newRequestCodec(DefaultMaxJobsPerRequest, 1<<30, nil)
			b.SetBytes(int64(len(wire)))
			b.ReportAllocs()
			for b.Loop() {
				codecRoundTrip(b, codec, wire)
			}
		})
	}
}

// codecRoundTrip decodes wire with codec, reads every job's event and
// encodes the response.
func codecRoundTrip(tb testing.TB, codec requestCodec, wire []byte) {
	var req ciotransformerv1.TransformBatchRequest
	if err := codec.Unmarshal(mem.BufferSlice{mem.SliceBuffer(wire)}, &req); err != nil {
		tb.Fatal(err)
	}
	if cm := checkNote(&req); cm.refusal != nil {
		tb.Fatal(cm.refusal.Err())
	}
	jobs := req.GetJobs()
	arena := newResultArena(jobs)
	resp := &ciotransformerv1.TransformBatchResponse{RequestId: req.GetRequestId(), Final: true}
	for i, job := range jobs {
		if _, err := eventValue(job); err != nil {
			tb.Fatal(err.Message)
		}
		resp.Results = append(resp.Results, arena.jobResult(transform.Entry{Jobs: []int{i}, Request: &benchEntry}))
	}
	out, err := codec.Marshal(resp)
	if err != nil {
		tb.Fatal(err)
	}
	out.Free()
}
