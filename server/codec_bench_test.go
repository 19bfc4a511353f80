package server

import (
	"testing"

	ciotransformerv1 "github.com/cio-transformer/cio-transformer/gen/ciotransformer/v1"
	"github.com/cio-transformer/cio-transformer/internal/cputime"
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
// message of 100 jobs: decoding it, reading each typed event into JSON,
// and encoding the response that echoes every job's metadata. Mapping is
// left out: every job gets the same prepared request. The legacy rows
// decode with protobuf and convert decoded Structs, as legacyDecode and
// typedEvent do.
func BenchmarkCodec(b *testing.B) {
	for _, bc := range []struct {
		name  string
		typed bool
	}{{"json", false}, {"typed", true}} {
		wire := benchRequest(b, 100, bc.typed)
		codec := newRequestCodec(DefaultMaxJobsPerRequest, 1<<30, nil)
		for _, impl := range []struct {
			name   string
			decode func(*ciotransformerv1.TransformBatchRequest) *transform.Error
			event  func(*ciotransformerv1.Job) *transform.Error
		}{
			{"legacy", func(req *ciotransformerv1.TransformBatchRequest) *transform.Error {
				if kind, text := legacyDecode(wire, req, DefaultMaxJobsPerRequest, 1<<30); kind != noteCost {
					return badEvent(text)
				}
				return nil
			}, func(job *ciotransformerv1.Job) *transform.Error {
				if e, ok := job.GetPayload().(*ciotransformerv1.Job_Event); ok {
					typedEvent(e.Event)
					return nil
				}
				_, err := eventValue(job)
				return err
			}},
			{"codec", func(req *ciotransformerv1.TransformBatchRequest) *transform.Error {
				if err := codec.Unmarshal(mem.BufferSlice{mem.SliceBuffer(wire)}, req); err != nil {
					return badEvent(err.Error())
				}
				if cm := checkNote(req); cm.refusal != nil {
					return badEvent(cm.refusal.Message())
				}
				return nil
			}, func(job *ciotransformerv1.Job) *transform.Error {
				_, err := eventValue(job)
				return err
			}},
		} {
			b.Run(bc.name+"/impl="+impl.name, func(b *testing.B) {
				b.SetBytes(int64(len(wire)))
				b.ReportAllocs()
				// CPU time, the garbage collector's included, is steadier
				// than wall time on a busy machine.
				cpu := cputime.Process()
				for b.Loop() {
					var req ciotransformerv1.TransformBatchRequest
					if err := impl.decode(&req); err != nil {
						b.Fatal(err.Message)
					}
					jobs := req.GetJobs()
					arena := newResultArena(jobs)
					resp := &ciotransformerv1.TransformBatchResponse{RequestId: req.GetRequestId(), Final: true}
					for i, job := range jobs {
						// Parsing raw JSON is the JSON model's cost, the
						// same either way: only typed events are read.
						if bc.typed {
							if err := impl.event(job); err != nil {
								b.Fatal(err.Message)
							}
						}
						resp.Results = append(resp.Results, arena.jobResult(transform.Entry{Jobs: []int{i}, Request: &benchEntry}))
					}
					out, err := codec.Marshal(resp)
					if err != nil {
						b.Fatal(err)
					}
					out.Free()
				}
				b.ReportMetric(float64(cputime.Process()-cpu)/float64(b.N)/1e3/100, "cpu-µs/job")
			})
		}
	}
}

// BenchmarkTypedStructWire splits the server's cost of a typed identify
// whose traits Struct holds 40,000 keys and one key path (an 829 KB event)
// into its steps as the codec takes them: the walk and build of the
// request message, reading the event into JSON, and mapping it.
func BenchmarkTypedStructWire(b *testing.B) {
	job := scalingJobs[3].job(40_000 * 22)
	wire, err := proto.Marshal(&ciotransformerv1.TransformRequest{Destination: testDestination, Job: job})
	if err != nil {
		b.Fatal(err)
	}
	codec := newRequestCodec(DefaultMaxJobsPerRequest, 1<<30, nil)
	decode := func(b *testing.B) *ciotransformerv1.Job {
		var req ciotransformerv1.TransformRequest
		if err := codec.Unmarshal(mem.BufferSlice{mem.SliceBuffer(wire)}, &req); err != nil {
			b.Fatal(err)
		}
		return req.GetJob()
	}
	dest := destination(testDestination)
	for _, step := range []struct {
		name string
		run  func(b *testing.B, j *ciotransformerv1.Job)
	}{
		{"decode", func(b *testing.B, _ *ciotransformerv1.Job) { decode(b) }},
		{"read", func(b *testing.B, j *ciotransformerv1.Job) { releaseEvent(eventJSON(eventWire(j.GetEvent()))) }},
		{"all", func(b *testing.B, _ *ciotransformerv1.Job) {
			m := mode(testDestination, 0)
			if r := mapJob(m, nil, decode(b), dest, &transform.Output{}); r.Err != nil {
				b.Fatal(r.Err.Message)
			}
		}},
	} {
		b.Run(step.name, func(b *testing.B) {
			j := decode(b)
			b.SetBytes(int64(len(wire)))
			b.ReportAllocs()
			cpu := cputime.Process()
			for b.Loop() {
				step.run(b, j)
			}
			b.ReportMetric(float64(cputime.Process()-cpu)/float64(b.N)/1e6, "cpu-ms/op")
		})
	}
}

// BenchmarkTypedStructCall sends the event of BenchmarkTypedStructWire as
// a Transform call through the whole server over bufconn; client and
// server share the process and its CPU figure.
func BenchmarkTypedStructCall(b *testing.B) {
	job := scalingJobs[3].job(40_000 * 22)
	conn := benchConn(b)
	client := ciotransformerv1.NewTransformerServiceClient(conn)
	req := &ciotransformerv1.TransformRequest{Destination: testDestination, Job: job}
	b.ReportAllocs()
	cpu := cputime.Process()
	for b.Loop() {
		resp, err := client.Transform(b.Context(), req)
		if err != nil || resp.GetResult().GetRequest() == nil {
			b.Fatal(err, resp.GetResult().GetError())
		}
	}
	b.ReportMetric(float64(cputime.Process()-cpu)/float64(b.N)/1e6, "cpu-ms/op")
}

// BenchmarkMarshalBatchResponse encodes the response to a request message
// of 100 mixed events, each job's metadata echoed, with the server's codec
// and with gRPC's protobuf codec it wraps.
func BenchmarkMarshalBatchResponse(b *testing.B) {
	codec := newRequestCodec(DefaultMaxJobsPerRequest, 1<<30, nil)
	var req ciotransformerv1.TransformBatchRequest
	if err := codec.Unmarshal(mem.BufferSlice{mem.SliceBuffer(benchRequest(b, 100, false))}, &req); err != nil {
		b.Fatal(err)
	}
	checkNote(&req)
	jobs := req.GetJobs()
	dest, m := destination(req.GetDestination()), mode(req.GetDestination(), 0)
	arena := newResultArena(jobs)
	resp := &ciotransformerv1.TransformBatchResponse{RequestId: req.GetRequestId(), Final: true}
	for i, j := range jobs {
		e := transform.Alone(dest, mapJob(m, nil, j, dest, &transform.Output{}))
		e.Jobs = []int{i}
		resp.Results = append(resp.Results, arena.jobResult(e))
	}
	for _, impl := range []struct {
		name    string
		marshal func(any) (mem.BufferSlice, error)
	}{{"proto", codec.CodecV2.Marshal}, {"fast", codec.Marshal}} {
		b.Run("impl="+impl.name, func(b *testing.B) {
			b.ReportAllocs()
			cpu := cputime.Process()
			for b.Loop() {
				out, err := impl.marshal(resp)
				if err != nil {
					b.Fatal(err)
				}
				out.Free()
			}
			b.ReportMetric(float64(cputime.Process()-cpu)/float64(b.N)/100, "cpu-ns/job")
		})
	}
}
