package server

import (
	"context"
	"io"
	"testing"

	ciotransformerv1 "github.com/cio-transformer/cio-transformer/gen/ciotransformer/v1"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/mem"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/structpb"
)

// fuzzMaxJobs is the job cap of the fuzzed server, low enough that the
// fuzzer reaches it.
const fuzzMaxJobs = 64

// envelopeSeeds are request messages, as the wire carries them, that
// exercise the envelope rules and the per-job paths. They are valid as
// TransformBatchRequest; many also decode as TransformRequest.
func envelopeSeeds(tb testing.TB) [][]byte {
	tb.Helper()
	traits, err := structpb.NewStruct(map[string]any{"email": "a@example.com", "plan": "pro", "nested": map[string]any{"x": []any{1, "two", nil, true}}})
	if err != nil {
		tb.Fatal(err)
	}
	typed := func(id uint64, typ string) *ciotransformerv1.Job {
		return typedJob(id, &ciotransformerv1.Event{Type: typ, UserId: "u1", GroupId: "g1", Event: "Clicked", Traits: traits, Properties: traits})
	}
	msgs := []proto.Message{
		&ciotransformerv1.TransformBatchRequest{RequestId: 1, Destination: testDestination, Jobs: []*ciotransformerv1.Job{
			rawJob(1, `{"type":"identify","userId":"u1","traits":{"email":"a@example.com"}}`),
			rawJob(2, `{"type":"group","userId":"u1","groupId":"g1","traits":{"name":"Acme"}}`),
			rawJob(3, `{"type":"group","userId":"u2","groupId":"g1"}`),
			rawJob(4, `{"type":"track","userId":"u1","event":"Clicked"}`),
			rawJob(5, `{"type":"page","userId":"u1","name":"Home"}`),
			rawJob(6, `{"type":"alias","userId":"u3","previousId":"u1"}`),
			rawJob(7, `{"type":"screen","anonymousId":"a1","name":"Main"}`),
			rawJob(8, `{"type":"identify"`),
			rawJob(9, `[1]`),
			rawJob(10, `{"type":"IDENTIFY\ud83d","userId":"u1"}`),
			rawJob(11, `{"type":"track","anonymousId":"a\udc00","event":"e\ud800","properties":{"k\uDFFF":"\ud83d"}}`),
			rawJob(12, `{"type":"alias","userId":"u\ud83d","previousId":"u1"}`),
			rawJob(13, `{"type":"group","userId":"u1","groupId":"g\udc00"}`),
			rawJob(14, `null`),
		}},
		&ciotransformerv1.TransformBatchRequest{RequestId: 2, Destination: &ciotransformerv1.Destination{SiteId: "s", ApiKey: "k", Datacenter: ciotransformerv1.Datacenter_DATACENTER_EU},
			Jobs: []*ciotransformerv1.Job{typed(1, "identify"), typed(2, "group"), typed(3, "track"), typed(4, "unknown"), typed(5, "")}},
		&ciotransformerv1.TransformBatchRequest{RequestId: 3, Destination: testDestination, Jobs: []*ciotransformerv1.Job{rawJob(1, `{}`), rawJob(1, `{}`)}},
		&ciotransformerv1.TransformBatchRequest{RequestId: 4, Destination: testDestination, Jobs: []*ciotransformerv1.Job{{JobId: 1}}},
		&ciotransformerv1.TransformBatchRequest{RequestId: 5, Destination: testDestination},
		&ciotransformerv1.TransformBatchRequest{RequestId: 6, Jobs: []*ciotransformerv1.Job{rawJob(1, `{}`)}},
		&ciotransformerv1.TransformBatchRequest{RequestId: 7, Destination: &ciotransformerv1.Destination{}, Jobs: []*ciotransformerv1.Job{rawJob(1, `{"type":"identify","userId":"u"}`)}},
		&ciotransformerv1.TransformRequest{Destination: testDestination, Job: rawJob(1, `{"type":"identify","userId":42}`)},
		&ciotransformerv1.TransformRequest{Destination: testDestination, Job: typed(1, "group")},
		&ciotransformerv1.TransformRequest{Destination: testDestination},
	}
	var seeds [][]byte
	for _, m := range msgs {
		b, err := proto.Marshal(m)
		if err != nil {
			tb.Fatal(err)
		}
		seeds = append(seeds, b)
	}
	return append(seeds, nil, []byte{0xff}, []byte("garbage"))
}

// FuzzEnvelope sends arbitrary bytes as a request message through the
// server's codec, interceptor chain and handlers, in process: once as a
// TransformBatch request message followed by a good one, once as a
// Transform request. Properties: the call is refused with
// INVALID_ARGUMENT and field violations, or every job of every request
// message is answered exactly once, in responses of at most 500 results of
// which the last and only the last is final; never another code (a
// recovered panic is INTERNAL).
func FuzzEnvelope(f *testing.F) {
	for _, s := range envelopeSeeds(f) {
		f.Add(s)
	}
	cfg := Config{MaxJobsPerRequest: fuzzMaxJobs}.withDefaults()
	unary, stream := interceptors(cfg, nil, nil)
	srv := &service{cfg: cfg, validator: validator{maxJobs: cfg.MaxJobsPerRequest}, stores: newStores()}
	desc := ciotransformerv1.TransformerService_ServiceDesc
	good, err := proto.Marshal(&ciotransformerv1.TransformBatchRequest{RequestId: 99, Destination: testDestination,
		Jobs: []*ciotransformerv1.Job{rawJob(1, `{"type":"group","userId":"u","groupId":"g"}`), rawJob(2, `{"type":"identify","userId":"u"}`)}})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		ss := &fuzzStream{ctx: context.Background(), in: [][]byte{data, good}}
		info := &grpc.StreamServerInfo{FullMethod: ciotransformerv1.TransformerService_TransformBatch_FullMethodName, IsClientStream: true, IsServerStream: true}
		err := chainStream(stream, info, desc.Streams[0].Handler)(srv, ss)
		if err != nil {
			assertFuzzRefusal(t, err)
		}
		ss.checkAnswers(t, err == nil)

		var req *ciotransformerv1.TransformRequest
		dec := func(m any) error { return fuzzCodec.Unmarshal(mem.BufferSlice{mem.SliceBuffer(data)}, m) }
		resp, err := desc.Methods[0].Handler(srv, context.Background(), func(m any) error {
			if err := dec(m); err != nil {
				return err
			}
			req = proto.Clone(m.(proto.Message)).(*ciotransformerv1.TransformRequest)
			return nil
		}, chainUnary(unary))
		if err != nil {
			assertFuzzRefusal(t, err)
			return
		}
		r := resp.(*ciotransformerv1.TransformResponse).GetResult()
		if len(r.GetJobs()) != 1 || r.GetJobs()[0].GetJobId() != req.GetJob().GetJobId() {
			t.Fatalf("Transform answered jobs %v, want job %d", r.GetJobs(), req.GetJob().GetJobId())
		}
		checkOutcome(t, r)
	})
}

// fuzzCodec is the server's codec as FuzzEnvelope configures it.
var fuzzCodec = newRequestCodec(fuzzMaxJobs, int64(DefaultMaxRecvMsgSize)*decodedBytesPerWireByte, nil)

// assertFuzzRefusal checks that err refuses a request message as a whole
// in the one documented way.
func assertFuzzRefusal(t *testing.T, err error) {
	t.Helper()
	st := status.Convert(err)
	if st.Code() != codes.InvalidArgument {
		t.Fatalf("refused with %v, want InvalidArgument", err)
	}
	for _, d := range st.Details() {
		if br, ok := d.(*errdetails.BadRequest); ok && len(br.GetFieldViolations()) > 0 {
			return
		}
	}
	t.Fatalf("InvalidArgument without field violations: %v", err)
}

// checkOutcome checks that a result has exactly one outcome, and a 400 when
// it is an error.
func checkOutcome(t *testing.T, r *ciotransformerv1.JobResult) {
	t.Helper()
	// Protobuf strings hold valid UTF-8 only: a result that does not
	// marshal would fail the whole call.
	if _, err := proto.Marshal(r); err != nil {
		t.Fatalf("result does not marshal: %v", err)
	}
	switch {
	case r.GetRequest() != nil && r.GetError() == nil:
		if r.GetRequest().GetUrl() == "" || r.GetRequest().GetMethod() == "" {
			t.Fatalf("incomplete request %v", r.GetRequest())
		}
	case r.GetError() != nil && r.GetRequest() == nil:
		if r.GetError().GetStatusCode() != 400 || r.GetError().GetMessage() == "" {
			t.Fatalf("error %v, want a 400 with a message", r.GetError())
		}
	default:
		t.Fatalf("result without exactly one outcome: %v", r)
	}
}

// chainStream composes stream interceptors around handler as grpc-go does.
func chainStream(chain []grpc.StreamServerInterceptor, info *grpc.StreamServerInfo, handler grpc.StreamHandler) grpc.StreamHandler {
	for i := len(chain) - 1; i >= 0; i-- {
		next, ic := handler, chain[i]
		handler = func(srv any, ss grpc.ServerStream) error { return ic(srv, ss, info, next) }
	}
	return handler
}

// chainUnary composes unary interceptors into one, as grpc-go does.
func chainUnary(chain []grpc.UnaryServerInterceptor) grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
		for i := len(chain) - 1; i >= 0; i-- {
			next, ic := handler, chain[i]
			handler = func(ctx context.Context, req any) (any, error) { return ic(ctx, req, info, next) }
		}
		return handler(ctx, req)
	}
}

// fuzzStream is a TransformBatch stream in memory: it delivers the request
// messages in, decoded by the server's codec, then io.EOF, and records the
// request messages the handler read and the responses it sent.
type fuzzStream struct {
	ctx  context.Context
	in   [][]byte
	read []*ciotransformerv1.TransformBatchRequest
	out  []*ciotransformerv1.TransformBatchResponse
}

// RecvMsg decodes the next request message into m.
func (s *fuzzStream) RecvMsg(m any) error {
	if len(s.in) == 0 {
		return io.EOF
	}
	data := s.in[0]
	s.in = s.in[1:]
	if err := fuzzCodec.Unmarshal(mem.BufferSlice{mem.SliceBuffer(data)}, m); err != nil {
		return err
	}
	// The handler may see the message only after the checks; recorded now,
	// it is compared with the answers only when the call succeeded.
	s.read = append(s.read, proto.Clone(m.(proto.Message)).(*ciotransformerv1.TransformBatchRequest))
	return nil
}

// SendMsg records a copy of a response, encoded and decoded as gRPC
// would: the strings of a response are its request message's results',
// which the next message's reuse (see service.answer).
func (s *fuzzStream) SendMsg(m any) error {
	b, err := proto.Marshal(m.(proto.Message))
	if err != nil {
		return err
	}
	out := new(ciotransformerv1.TransformBatchResponse)
	if err := proto.Unmarshal(b, out); err != nil {
		return err
	}
	s.out = append(s.out, out)
	return nil
}

func (s *fuzzStream) Context() context.Context     { return s.ctx }
func (s *fuzzStream) SetHeader(metadata.MD) error  { return nil }
func (s *fuzzStream) SendHeader(metadata.MD) error { return nil }
func (s *fuzzStream) SetTrailer(metadata.MD)       {}

// checkAnswers checks the responses against the request messages read:
// when the call succeeded all of them, otherwise those before the refused
// one.
func (s *fuzzStream) checkAnswers(t *testing.T, ok bool) {
	t.Helper()
	answered := s.read
	if !ok && len(answered) > 0 {
		answered = answered[:len(answered)-1]
	}
	out := s.out
	for _, req := range answered {
		seen := map[uint64]int{}
		for {
			if len(out) == 0 {
				t.Fatalf("request %d: no final response", req.GetRequestId())
			}
			resp := out[0]
			out = out[1:]
			if resp.GetRequestId() != req.GetRequestId() {
				t.Fatalf("response to request %d while answering %d", resp.GetRequestId(), req.GetRequestId())
			}
			if resp.GetError() != nil {
				// Refused in band: the only response, final, no results.
				if !resp.GetFinal() || len(resp.GetResults()) != 0 {
					t.Fatalf("refusal %v not alone and final", resp)
				}
				assertFuzzRefusal(t, status.ErrorProto(resp.GetError()))
				seen = nil
				break
			}
			if len(resp.GetResults()) > resultsPerResponse {
				t.Fatalf("response of %d results", len(resp.GetResults()))
			}
			for _, r := range resp.GetResults() {
				if len(r.GetJobs()) == 0 {
					t.Fatal("result covering no job")
				}
				for _, j := range r.GetJobs() {
					seen[j.GetJobId()]++
				}
				checkOutcome(t, r)
			}
			if resp.GetFinal() {
				break
			}
		}
		if seen == nil {
			continue
		}
		for _, j := range req.GetJobs() {
			if seen[j.GetJobId()] != 1 {
				t.Fatalf("request %d: job %d answered %d times", req.GetRequestId(), j.GetJobId(), seen[j.GetJobId()])
			}
		}
		if len(seen) != len(req.GetJobs()) {
			t.Fatalf("request %d: %d job ids answered, %d jobs", req.GetRequestId(), len(seen), len(req.GetJobs()))
		}
	}
	if len(out) != 0 {
		t.Fatalf("%d responses beyond the answered request messages", len(out))
	}
}
