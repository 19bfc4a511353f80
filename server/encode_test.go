package server

import (
	"bytes"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	ciotransformerv1 "github.com/cio-transformer/cio-transformer/gen/ciotransformer/v1"
	"google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/grpc/mem"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/known/anypb"
	"google.golang.org/protobuf/types/known/structpb"
)

// encodeOracle is what the server's encoding must equal: protobuf's
// deterministic encoding.
var encodeOracle = proto.MarshalOptions{Deterministic: true}

// testCodec is a server codec for encoding tests.
var testCodec = newRequestCodec(DefaultMaxJobsPerRequest, 1<<30, nil)

// checkEncode fails t unless the server's codec encodes m, a transform
// response, to the bytes of encodeOracle, on its own path rather than
// through protobuf, and the bytes decode to what the oracle's do. A
// message the oracle refuses must be refused.
func checkEncode(t *testing.T, m proto.Message) []byte {
	t.Helper()
	want, wantErr := encodeOracle.Marshal(m)
	out, err := testCodec.Marshal(m)
	if wantErr != nil {
		if err == nil {
			out.Free()
			t.Fatalf("encoded a message protobuf refuses (%v)", wantErr)
		}
		return nil
	}
	if err != nil {
		t.Fatalf("Marshal: %v", err)
	}
	got := out.Materialize()
	out.Free()
	if !bytes.Equal(got, want) {
		t.Fatalf("encoded %d bytes, protobuf %d; first difference at byte %d", len(got), len(want), firstDifference(got, want))
	}
	e := new(responseEncoder)
	size, ok := e.measure(m)
	if !ok || size != len(want) {
		t.Fatalf("measured %d bytes (ok %v), protobuf encodes %d", size, ok, len(want))
	}
	if direct := e.write(nil, m); !bytes.Equal(direct, want) {
		t.Fatalf("the encoder's own bytes differ from protobuf's at byte %d", firstDifference(direct, want))
	}
	back, wantBack := m.ProtoReflect().New().Interface(), m.ProtoReflect().New().Interface()
	if err := proto.Unmarshal(got, back); err != nil {
		t.Fatalf("decoding the encoded message: %v", err)
	}
	if err := proto.Unmarshal(want, wantBack); err != nil {
		t.Fatal(err)
	}
	if !proto.Equal(back, wantBack) {
		t.Fatal("the encoded message decodes to another message than protobuf's encoding")
	}
	return got
}

// firstDifference returns the index of the first byte where a and b
// differ.
func firstDifference(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// TestEncodeCoversContract walks the response messages the codec encodes
// itself and fails on a field it does not write: a field added to the
// contract must be added to the encoder (and to encodedFields).
func TestEncodeCoversContract(t *testing.T) {
	t.Parallel()
	seen := map[protoreflect.FullName]bool{}
	var visit func(md protoreflect.MessageDescriptor)
	visit = func(md protoreflect.MessageDescriptor) {
		if seen[md.FullName()] || slices.Contains(delegatedMessages, md.FullName()) {
			return
		}
		seen[md.FullName()] = true
		written, ok := encodedFields[md.FullName()]
		if !ok {
			t.Errorf("%s is part of a response, but the encoder does not write it", md.FullName())
			return
		}
		var contract []protowire.Number
		for i := range md.Fields().Len() {
			fd := md.Fields().Get(i)
			contract = append(contract, fd.Number())
			switch {
			case fd.IsMap():
				if fd.MapKey().Kind() != protoreflect.StringKind || fd.MapValue().Kind() != protoreflect.StringKind {
					t.Errorf("%s: the encoder writes maps of strings only", fd.FullName())
				}
			case fd.Message() != nil:
				visit(fd.Message())
			case fd.IsList() && fd.Kind() != protoreflect.MessageKind:
				t.Errorf("%s: the encoder writes no repeated scalars", fd.FullName())
			}
		}
		if slices.ContainsFunc(written, func(n protowire.Number) bool { return n >= 16 }) {
			t.Errorf("%s: the encoder writes one-byte tags, of fields numbered below 16 only", md.FullName())
		}
		if !slices.Equal(contract, written) {
			t.Errorf("%s has fields %v, the encoder writes %v", md.FullName(), contract, written)
		}
	}
	visit((&ciotransformerv1.TransformBatchResponse{}).ProtoReflect().Descriptor())
	visit((&ciotransformerv1.TransformResponse{}).ProtoReflect().Descriptor())
	for name := range encodedFields {
		if !seen[name] {
			t.Errorf("encodedFields lists %s, which no response holds", name)
		}
	}
}

// checkEncodeAnswers answers each TransformRequest (encoded) with
// Transform and the TransformBatchRequests (encoded) as one TransformBatch
// stream, in process, and checks the encoding of every response with
// checkEncode. It returns the number of responses and results checked.
func checkEncodeAnswers(t *testing.T, unary, batches [][]byte) (responses, results int) {
	t.Helper()
	cfg := Config{}.withDefaults()
	srv := &service{cfg: cfg, validator: validator{maxJobs: cfg.MaxJobsPerRequest}, stores: newStores()}
	for _, data := range unary {
		var req ciotransformerv1.TransformRequest
		if err := testCodec.Unmarshal(mem.BufferSlice{mem.SliceBuffer(data)}, &req); err != nil {
			t.Fatal(err)
		}
		if cm := checkNote(&req); cm.refusal != nil {
			t.Fatal(cm.refusal.Err())
		}
		resp, err := srv.Transform(t.Context(), &req)
		if err != nil {
			t.Fatal(err)
		}
		checkEncode(t, resp)
		responses++
		results++
	}
	ss := &fuzzStream{ctx: t.Context(), in: batches}
	if err := ciotransformerv1.TransformerService_ServiceDesc.Streams[0].Handler(srv, ss); err != nil {
		t.Fatal(err)
	}
	ss.checkAnswers(t, true)
	for _, resp := range ss.out {
		checkEncode(t, resp)
		responses++
		results += len(resp.GetResults())
	}
	return responses, results
}

// marshal encodes m with protobuf.
func marshal(t testing.TB, m proto.Message) []byte {
	t.Helper()
	b, err := proto.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestEncodeRandom encodes random responses with every field, oneof
// choice and nested message set by turns, in any contract version, from
// the descriptors: a field the encoder misses fails the comparison.
func TestEncodeRandom(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 400 {
		for _, m := range []proto.Message{&ciotransformerv1.TransformBatchResponse{}, &ciotransformerv1.TransformResponse{}} {
			fillRandom(r, m.ProtoReflect(), 0)
			got := checkEncode(t, m)
			back := m.ProtoReflect().New().Interface()
			if err := proto.Unmarshal(got, back); err != nil {
				t.Fatal(err)
			}
			if !proto.Equal(back, m) {
				t.Fatalf("message %d does not survive encoding and decoding", i)
			}
		}
	}
}

// fillRandom sets a random selection of m's fields, recursively, and
// unknown fields of numbers the contract does not use.
func fillRandom(r *rand.Rand, m protoreflect.Message, depth int) {
	md := m.Descriptor()
	chosen := map[protoreflect.FullName]protoreflect.FieldDescriptor{}
	for i := range md.Oneofs().Len() {
		od := md.Oneofs().Get(i)
		if k := r.IntN(od.Fields().Len() + 1); k < od.Fields().Len() {
			chosen[od.FullName()] = od.Fields().Get(k)
		}
	}
	for i := range md.Fields().Len() {
		fd := md.Fields().Get(i)
		if od := fd.ContainingOneof(); od != nil {
			if chosen[od.FullName()] != fd {
				continue
			}
		} else if r.IntN(5) == 0 {
			continue
		}
		switch {
		case fd.IsMap():
			mp := m.Mutable(fd).Map()
			for range r.IntN(5) {
				k := randomScalar(r, fd.MapKey()).MapKey()
				if fd.MapValue().Message() != nil {
					v := mp.NewValue()
					fillRandom(r, v.Message(), depth+1)
					mp.Set(k, v)
				} else {
					mp.Set(k, randomScalar(r, fd.MapValue()))
				}
			}
		case fd.IsList():
			l := m.Mutable(fd).List()
			for range r.IntN(4) {
				if fd.Message() != nil {
					fillRandom(r, l.AppendMutable().Message(), depth+1)
				} else {
					l.Append(randomScalar(r, fd))
				}
			}
		case fd.Message() != nil:
			// Deep enough, a message is set but empty.
			sub := m.Mutable(fd).Message()
			if depth < 4 {
				fillRandom(r, sub, depth+1)
			}
		default:
			m.Set(fd, randomScalar(r, fd))
		}
	}
	if r.IntN(4) == 0 {
		var raw []byte
		for range 1 + r.IntN(3) {
			num := protowire.Number(1000 + r.IntN(1000))
			switch r.IntN(4) {
			case 0:
				raw = protowire.AppendVarint(protowire.AppendTag(raw, num, protowire.VarintType), r.Uint64())
			case 1:
				raw = protowire.AppendString(protowire.AppendTag(raw, num, protowire.BytesType), randomString(r))
			case 2:
				raw = protowire.AppendFixed32(protowire.AppendTag(raw, num, protowire.Fixed32Type), r.Uint32())
			default:
				raw = protowire.AppendFixed64(protowire.AppendTag(raw, num, protowire.Fixed64Type), r.Uint64())
			}
		}
		m.SetUnknown(raw)
	}
}

// randomScalar returns a random value of a scalar field.
func randomScalar(r *rand.Rand, fd protoreflect.FieldDescriptor) protoreflect.Value {
	edge := r.IntN(3) == 0
	switch fd.Kind() {
	case protoreflect.StringKind:
		return protoreflect.ValueOfString(randomString(r))
	case protoreflect.BytesKind:
		return protoreflect.ValueOfBytes([]byte(randomString(r)))
	case protoreflect.BoolKind:
		return protoreflect.ValueOfBool(r.IntN(2) == 0)
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind:
		if edge {
			return protoreflect.ValueOfInt32([]int32{0, -1, math.MinInt32, math.MaxInt32}[r.IntN(4)])
		}
		return protoreflect.ValueOfInt32(int32(r.Uint32()))
	case protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind:
		return protoreflect.ValueOfInt64(int64(r.Uint64() >> r.IntN(64)))
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind:
		return protoreflect.ValueOfUint32(r.Uint32() >> r.IntN(32))
	case protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		if edge {
			return protoreflect.ValueOfUint64([]uint64{0, 1, 127, 128, math.MaxUint64}[r.IntN(5)])
		}
		return protoreflect.ValueOfUint64(r.Uint64() >> r.IntN(64))
	case protoreflect.DoubleKind:
		return protoreflect.ValueOfFloat64(r.NormFloat64() * 1e6)
	case protoreflect.FloatKind:
		return protoreflect.ValueOfFloat32(float32(r.NormFloat64()))
	case protoreflect.EnumKind:
		values := fd.Enum().Values()
		return protoreflect.ValueOfEnum(values.Get(r.IntN(values.Len())).Number())
	}
	panic("no random value for " + fd.Kind().String())
}

// randomString returns a valid UTF-8 string: empty, short, of several
// scripts, or long enough for two- and three-byte lengths.
func randomString(r *rand.Rand) string {
	pieces := []string{"a", "Basic c2l0ZS0xOmtleS0x", "é", "世界", "😀", `{"k":"v"}`, "\x00", "\u2028", "\ufffd"}
	n := r.IntN(20)
	switch r.IntN(8) {
	case 0:
		return ""
	case 1:
		n = 100 + r.IntN(200)
	case 2:
		n = 4000 + r.IntN(8000)
	}
	var sb strings.Builder
	for range n {
		sb.WriteString(pieces[r.IntN(len(pieces))])
	}
	return sb.String()
}

// TestEncodeEdges encodes responses whose shape only code can build: nil
// elements, a oneof holding a nil message, a response past the pool's
// largest tier, and metadata both echoed and decoded.
func TestEncodeEdges(t *testing.T) {
	t.Parallel()
	big := strings.Repeat("x", 2<<20)
	md, err := structpb.NewStruct(map[string]any{"jobId": 1.0, "nested": map[string]any{"a": []any{"b", 2.0, true, nil}}})
	if err != nil {
		t.Fatal(err)
	}
	echoed := &ciotransformerv1.JobRef{JobId: 2}
	echoed.ProtoReflect().SetUnknown(protowire.AppendBytes(protowire.AppendTag(nil, 2, protowire.BytesType), marshal(t, md)))
	detail, err := anypb.New(md)
	if err != nil {
		t.Fatal(err)
	}
	for name, m := range map[string]proto.Message{
		"empty batch":       &ciotransformerv1.TransformBatchResponse{},
		"empty unary":       &ciotransformerv1.TransformResponse{},
		"empty result":      &ciotransformerv1.TransformResponse{Result: &ciotransformerv1.JobResult{}},
		"nil result":        &ciotransformerv1.TransformBatchResponse{Results: []*ciotransformerv1.JobResult{nil, {}}},
		"nil ref":           &ciotransformerv1.TransformResponse{Result: &ciotransformerv1.JobResult{Jobs: []*ciotransformerv1.JobRef{nil}}},
		"nil request":       &ciotransformerv1.TransformResponse{Result: &ciotransformerv1.JobResult{Outcome: &ciotransformerv1.JobResult_Request{}}},
		"nil error":         &ciotransformerv1.TransformResponse{Result: &ciotransformerv1.JobResult{Outcome: &ciotransformerv1.JobResult_Error{}}},
		"nil oneof wrapper": &ciotransformerv1.TransformResponse{Result: &ciotransformerv1.JobResult{Outcome: (*ciotransformerv1.JobResult_Request)(nil)}},
		"negative status":   &ciotransformerv1.TransformResponse{Result: &ciotransformerv1.JobResult{Outcome: &ciotransformerv1.JobResult_Error{Error: &ciotransformerv1.JobError{StatusCode: -1}}}},
		"empty header":      &ciotransformerv1.TransformResponse{Result: &ciotransformerv1.JobResult{Outcome: &ciotransformerv1.JobResult_Request{Request: &ciotransformerv1.TrackRequest{Headers: map[string]string{"": ""}}}}},
		"metadata": &ciotransformerv1.TransformBatchResponse{RequestId: math.MaxUint64, Final: true, Results: []*ciotransformerv1.JobResult{
			{Jobs: []*ciotransformerv1.JobRef{{JobId: 1, Metadata: md}, echoed}},
		}},
		"refusal": &ciotransformerv1.TransformBatchResponse{RequestId: 3, Final: true, Error: &status.Status{Code: 3, Message: "invalid request", Details: []*anypb.Any{detail}}},
		"larger than the pool": &ciotransformerv1.TransformBatchResponse{Results: []*ciotransformerv1.JobResult{
			{Outcome: &ciotransformerv1.JobResult_Request{Request: &ciotransformerv1.TrackRequest{Body: big}}},
		}},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			checkEncode(t, m)
		})
	}
}

// TestEncodeRefusesInvalidUTF8 puts a string that is not valid UTF-8 in
// each string of a response: the codec refuses it, as protobuf does.
func TestEncodeRefusesInvalidUTF8(t *testing.T) {
	t.Parallel()
	const bad = "ok\xff"
	track := func(f func(*ciotransformerv1.TrackRequest)) proto.Message {
		tr := &ciotransformerv1.TrackRequest{Method: "POST", Headers: map[string]string{"Authorization": "Basic x"}, Body: "{}"}
		f(tr)
		return &ciotransformerv1.TransformBatchResponse{Results: []*ciotransformerv1.JobResult{{Outcome: &ciotransformerv1.JobResult_Request{Request: tr}}}}
	}
	jobErr := func(f func(*ciotransformerv1.JobError)) proto.Message {
		je := &ciotransformerv1.JobError{StatusCode: 400}
		f(je)
		return &ciotransformerv1.TransformResponse{Result: &ciotransformerv1.JobResult{Outcome: &ciotransformerv1.JobResult_Error{Error: je}}}
	}
	for name, m := range map[string]proto.Message{
		"method":         track(func(r *ciotransformerv1.TrackRequest) { r.Method = bad }),
		"url":            track(func(r *ciotransformerv1.TrackRequest) { r.Url = bad }),
		"endpoint_path":  track(func(r *ciotransformerv1.TrackRequest) { r.EndpointPath = bad }),
		"header name":    track(func(r *ciotransformerv1.TrackRequest) { r.Headers[bad] = "v" }),
		"header value":   track(func(r *ciotransformerv1.TrackRequest) { r.Headers["Content-Type"] = bad }),
		"body":           track(func(r *ciotransformerv1.TrackRequest) { r.Body = bad }),
		"user_id":        track(func(r *ciotransformerv1.TrackRequest) { r.UserId = bad }),
		"message":        jobErr(func(e *ciotransformerv1.JobError) { e.Message = bad }),
		"error_category": jobErr(func(e *ciotransformerv1.JobError) { e.ErrorCategory = bad }),
		"error_type":     jobErr(func(e *ciotransformerv1.JobError) { e.ErrorType = bad }),
		"metadata": &ciotransformerv1.TransformResponse{Result: &ciotransformerv1.JobResult{Jobs: []*ciotransformerv1.JobRef{
			{Metadata: &structpb.Struct{Fields: map[string]*structpb.Value{"k": structpb.NewStringValue(bad)}}},
		}}},
		"status": &ciotransformerv1.TransformBatchResponse{Error: &status.Status{Message: bad}},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if _, err := encodeOracle.Marshal(m); err == nil {
				t.Fatal("protobuf encodes the message: the case tests nothing")
			}
			if out, err := testCodec.Marshal(m); err == nil {
				out.Free()
				t.Fatal("the codec encoded a string that is not valid UTF-8")
			}
		})
	}
}

// TestMarshalOtherMessages checks that messages other than the transform
// responses go through protobuf.
func TestMarshalOtherMessages(t *testing.T) {
	t.Parallel()
	m := &ciotransformerv1.DeliverBatchResponse{RequestId: 5, Delivery: &ciotransformerv1.Delivery{Status: 200, Message: "ok"}}
	out, err := testCodec.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Free()
	if want := marshal(t, m); !bytes.Equal(out.Materialize(), want) {
		t.Fatal("DeliverBatchResponse encoded otherwise than by protobuf")
	}
}

// FuzzEncode decodes arbitrary bytes as transform responses and encodes
// them again: the bytes equal protobuf's deterministic encoding. Unknown
// fields of any number come from the input.
func FuzzEncode(f *testing.F) {
	r := rand.New(rand.NewPCG(3, 4))
	for range 8 {
		m := &ciotransformerv1.TransformBatchResponse{}
		fillRandom(r, m.ProtoReflect(), 2)
		f.Add(marshal(f, m))
	}
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, m := range []proto.Message{&ciotransformerv1.TransformBatchResponse{}, &ciotransformerv1.TransformResponse{}} {
			if proto.Unmarshal(data, m) == nil {
				checkEncode(t, m)
			}
		}
	})
}
