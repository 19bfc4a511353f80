package server

import (
	"bytes"
	"fmt"
	"math"
	"testing"

	ciotransformerv1 "github.com/cio-transformer/cio-transformer/gen/ciotransformer/v1"
	"github.com/cio-transformer/cio-transformer/transform"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"google.golang.org/grpc/mem"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/testing/protocmp"
	"google.golang.org/protobuf/types/known/structpb"
)

// Limits of the codec under test: small enough that the fuzzer meets them.
const (
	testCodecJobs    = 50
	testCodecDecoded = 1 << 20
)

// checkCodec decodes data as a request message of m's type with the
// server's codec and with legacyDecode, and fails t unless both refuse it
// alike or both yield the same jobs, and the responses echoing the jobs
// decode to the same message.
func checkCodec(t *testing.T, data []byte, m proto.Message) {
	t.Helper()
	codec := newRequestCodec(testCodecJobs, testCodecDecoded, nil)
	got := m.ProtoReflect().New().Interface()
	if err := codec.Unmarshal(mem.BufferSlice{mem.SliceBuffer(data)}, got); err != nil {
		t.Fatalf("codec: %v", err)
	}
	gotKind, gotText := takeNote(got)
	want := m.ProtoReflect().New().Interface()
	wantKind, wantText := legacyDecode(data, want, testCodecJobs, testCodecDecoded)
	if gotKind != wantKind || string(gotText) != wantText {
		t.Fatalf("codec noted %d %q, want %d %q", gotKind, gotText, wantKind, wantText)
	}
	if gotKind != noteCost {
		return
	}
	var gotJobs, wantJobs []*ciotransformerv1.Job
	switch g := got.(type) {
	case *ciotransformerv1.TransformBatchRequest:
		w := want.(*ciotransformerv1.TransformBatchRequest)
		if g.GetRequestId() != w.GetRequestId() {
			t.Errorf("request_id %d, want %d", g.GetRequestId(), w.GetRequestId())
		}
		if diff := cmp.Diff(w.GetDestination(), g.GetDestination(), protocmp.Transform(), cmpopts.EquateNaNs()); diff != "" {
			t.Errorf("destination (-want +got):\n%s", diff)
		}
		gotJobs, wantJobs = g.GetJobs(), w.GetJobs()
	case *ciotransformerv1.TransformRequest:
		w := want.(*ciotransformerv1.TransformRequest)
		if diff := cmp.Diff(w.GetDestination(), g.GetDestination(), protocmp.Transform(), cmpopts.EquateNaNs()); diff != "" {
			t.Errorf("destination (-want +got):\n%s", diff)
		}
		if (g.GetJob() == nil) != (w.GetJob() == nil) {
			t.Fatalf("job %v, want %v", g.GetJob(), w.GetJob())
		}
		if g.GetJob() != nil {
			gotJobs, wantJobs = []*ciotransformerv1.Job{g.GetJob()}, []*ciotransformerv1.Job{w.GetJob()}
		}
	default:
		return
	}
	if len(gotJobs) != len(wantJobs) {
		t.Fatalf("%d jobs, want %d", len(gotJobs), len(wantJobs))
	}
	for i := range gotJobs {
		checkJob(t, gotJobs[i], wantJobs[i])
	}
	// The responses echo the metadata: the codec's verbatim, the old way
	// re-encoded from the Struct.
	gotResp, wantResp := echoResponse(t, codec, gotJobs), echoResponse(t, codec, wantJobs)
	if diff := cmp.Diff(wantResp, gotResp, protocmp.Transform(), cmpopts.EquateNaNs()); diff != "" {
		t.Errorf("response (-want +got):\n%s", diff)
	}
}

// checkJob compares a job the codec built with the one protobuf decoded.
func checkJob(t *testing.T, got, want *ciotransformerv1.Job) {
	t.Helper()
	if got.GetJobId() != want.GetJobId() {
		t.Errorf("job_id %d, want %d", got.GetJobId(), want.GetJobId())
	}
	if diff := cmp.Diff(want.GetConnection(), got.GetConnection(), protocmp.Transform(), cmpopts.EquateNaNs()); diff != "" {
		t.Errorf("job %d connection (-want +got):\n%s", want.GetJobId(), diff)
	}
	// The keys the service reads, as dontBatch and the tracing read them.
	for _, k := range metadataReadKeys {
		g, gok := got.GetMetadata().GetFields()[k]
		w, wok := want.GetMetadata().GetFields()[k]
		if gok != wok || cmp.Diff(w, g, protocmp.Transform(), cmpopts.EquateNaNs()) != "" {
			t.Errorf("job %d metadata %q = %v, want %v", want.GetJobId(), k, g, w)
		}
	}
	switch w := want.GetPayload().(type) {
	case *ciotransformerv1.Job_RawEvent:
		g, ok := got.GetPayload().(*ciotransformerv1.Job_RawEvent)
		if !ok || !bytes.Equal(g.RawEvent, w.RawEvent) {
			t.Errorf("job %d payload %v, want raw %q", want.GetJobId(), got.GetPayload(), w.RawEvent)
		}
	case *ciotransformerv1.Job_Event:
		g, ok := got.GetPayload().(*ciotransformerv1.Job_Event)
		if !ok {
			t.Fatalf("job %d payload %T, want an event", want.GetJobId(), got.GetPayload())
		}
		// The member order is part of the output: compared as bytes.
		gotJSON := typedValue(eventWire(g.Event)).AppendJSON(nil)
		wantJSON := typedEvent(w.Event).AppendJSON(nil)
		if !bytes.Equal(gotJSON, wantJSON) {
			t.Errorf("job %d event\n got %s\nwant %s", want.GetJobId(), gotJSON, wantJSON)
		}
	case nil:
		if got.GetPayload() != nil {
			t.Errorf("job %d payload %v, want none", want.GetJobId(), got.GetPayload())
		}
	}
}

// echoResponse is the response whose results cover each of jobs with an
// error, encoded by codec and decoded by protobuf.
func echoResponse(t *testing.T, codec requestCodec, jobs []*ciotransformerv1.Job) *ciotransformerv1.TransformBatchResponse {
	t.Helper()
	arena := newResultArena(jobs)
	resp := &ciotransformerv1.TransformBatchResponse{Final: true}
	for i := range jobs {
		resp.Results = append(resp.Results, arena.jobResult(transform.Entry{Jobs: []int{i}, Err: transform.InternalError()}))
	}
	if len(jobs) > 1 {
		resp.Results = append(resp.Results, arena.jobResult(transform.Entry{Jobs: []int{0, len(jobs) - 1}, Request: &benchEntry}))
	}
	out, err := codec.Marshal(resp)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Free()
	var back ciotransformerv1.TransformBatchResponse
	if err := proto.Unmarshal(out.Materialize(), &back); err != nil {
		t.Fatal(err)
	}
	return &back
}

// codecSeeds are request messages of the shapes the codec reads by hand.
func codecSeeds(tb testing.TB) [][]byte {
	tb.Helper()
	md := benchMetadata(tb, 1)
	md.Fields["dontBatch"] = structpb.NewBoolValue(true)
	md.Fields["traceparent"] = structpb.NewStringValue("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
	traits, err := structpb.NewStruct(map[string]any{
		"email": "a@example.com", "n": 1.5, "big": 1e21, "neg": math.Copysign(0, -1), "null": nil, "yes": true,
		"list": []any{1.0, "x", nil, false, map[string]any{"b": 2.0, "a": []any{}}},
		"obj":  map[string]any{"z": 1.0, "y": map[string]any{}},
	})
	if err != nil {
		tb.Fatal(err)
	}
	typed := &ciotransformerv1.Job{JobId: 9, Metadata: md, Payload: &ciotransformerv1.Job_Event{Event: &ciotransformerv1.Event{
		Type: "identify", UserId: "u1", Traits: traits, Context: &structpb.Struct{}, Action: "x",
	}}, Connection: &ciotransformerv1.Connection{SourceId: "s", Config: traits}}
	batch := &ciotransformerv1.TransformBatchRequest{RequestId: 5, Destination: testDestination, Jobs: []*ciotransformerv1.Job{
		typed, rawJob(2, `{"type":"track"}`), {JobId: 3}, {JobId: 4, Metadata: &structpb.Struct{}},
	}}
	var seeds [][]byte
	for _, m := range []proto.Message{batch, &ciotransformerv1.TransformRequest{Destination: testDestination, Job: typed}} {
		b, err := proto.Marshal(m)
		if err != nil {
			tb.Fatal(err)
		}
		seeds = append(seeds, b)
	}
	seeds = append(seeds, benchRequest(tb, 3, true), benchRequest(tb, 3, false))
	// Occurrences that merge or replace, keys given twice, a key the
	// service reads given twice.
	entry := func(key string, v *structpb.Value) []byte {
		vb, _ := proto.Marshal(v)
		e := protowire.AppendTag(nil, entryKeyField, protowire.BytesType)
		e = protowire.AppendString(e, key)
		e = protowire.AppendTag(e, entryValueField, protowire.BytesType)
		e = protowire.AppendBytes(e, vb)
		s := protowire.AppendTag(nil, structFieldsField, protowire.BytesType)
		return protowire.AppendBytes(s, e)
	}
	st := append(entry("b", structpb.NewNumberValue(1)), entry("a", structpb.NewStringValue("x"))...)
	st = append(st, entry("b", structpb.NewStringValue("last"))...)
	st = append(st, entry("dontBatch", structpb.NewBoolValue(false))...)
	st = append(st, entry("dontBatch", structpb.NewBoolValue(true))...)
	field := func(b []byte, num protowire.Number, v []byte) []byte {
		b = protowire.AppendTag(b, num, protowire.BytesType)
		return protowire.AppendBytes(b, v)
	}
	ev := field(nil, 15, st)
	ev = field(ev, 1, []byte("identify"))
	ev = field(ev, 15, entry("c", structpb.NewNullValue()))
	var job []byte
	job = field(job, jobMetadataField, st)
	job = field(job, jobEventField, ev)
	job = field(job, jobMetadataField, entry("z", structpb.NewNumberValue(2)))
	job = field(job, jobEventField, field(nil, 3, []byte("user")))
	// A Struct large enough to be sorted by radix, out of order, keys
	// sharing long prefixes, short ones, an empty one, and keys given
	// twice.
	var wide []byte
	for i := range 700 {
		k := fmt.Sprintf("key-with-a-long-prefix-%d", (i*7919)%600)
		switch i % 5 {
		case 1:
			k = fmt.Sprintf("%x", i%40)
		case 2:
			k = fmt.Sprintf("é%d", i%13)
		case 3:
			k = ""
		}
		wide = append(wide, entry(k, structpb.NewNumberValue(float64(i)))...)
	}
	seeds = append(seeds, field(nil, 3, field(field(nil, jobMetadataField, wide), jobEventField, field(nil, 16, wide))))
	twice := field(field(nil, 3, job), 3, append(field(nil, jobRawEventField, []byte("{}")), field(nil, jobEventField, ev)...))
	seeds = append(seeds, twice)
	return seeds
}

func TestCodecMatchesProtobuf(t *testing.T) {
	t.Parallel()
	for _, seed := range codecSeeds(t) {
		for _, m := range []proto.Message{&ciotransformerv1.TransformBatchRequest{}, &ciotransformerv1.TransformRequest{}} {
			checkCodec(t, seed, m)
			// Cut short, and with a byte changed, it must still agree.
			checkCodec(t, seed[:len(seed)/2], m)
			bad := bytes.Clone(seed)
			bad[len(bad)*2/3] ^= 0x80
			checkCodec(t, bad, m)
		}
	}
}

func TestCodecKeepsMetadataBytes(t *testing.T) {
	t.Parallel()
	wire := benchRequest(t, 4, false)
	codec := newRequestCodec(testCodecJobs, testCodecDecoded, nil)
	var req ciotransformerv1.TransformBatchRequest
	if err := codec.Unmarshal(mem.BufferSlice{mem.SliceBuffer(wire)}, &req); err != nil {
		t.Fatal(err)
	}
	for _, j := range req.GetJobs() {
		raw := metadataWire(j)
		if raw == nil || !bytes.Contains(wire, raw) {
			t.Fatalf("job %d: metadata %x is not the bytes received", j.GetJobId(), raw)
		}
		if j.GetMetadata() != nil {
			t.Errorf("job %d: metadata decoded: %v", j.GetJobId(), j.GetMetadata())
		}
	}
	// The response carries each job's metadata bytes as received.
	arena := newResultArena(req.GetJobs())
	resp := &ciotransformerv1.TransformBatchResponse{RequestId: req.GetRequestId(), Final: true}
	for i := range req.GetJobs() {
		resp.Results = append(resp.Results, arena.jobResult(transform.Entry{Jobs: []int{i}, Request: &benchEntry}))
	}
	out, err := codec.Marshal(resp)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Free()
	sent := out.Materialize()
	for _, j := range req.GetJobs() {
		if !bytes.Contains(sent, metadataWire(j)) {
			t.Errorf("job %d: metadata not echoed verbatim", j.GetJobId())
		}
	}
}

// wideTraits is the wire bytes of an identify whose traits Struct holds n
// number members, encoded in protobuf's (unordered) map order.
func wideTraits(tb testing.TB, n int) []byte {
	tb.Helper()
	fields := make(map[string]*structpb.Value, n)
	for i := range n {
		fields[fmt.Sprintf("k%d", i)] = structpb.NewNumberValue(float64(i))
	}
	b, err := proto.Marshal(&ciotransformerv1.Event{Type: "identify", UserId: "u", Traits: &structpb.Struct{Fields: fields}})
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// TestEventJSONAllocations counts allocations, not time: reading a Struct
// of n members allocates a few blocks, sized once or grown by doubling,
// never one per member as decoding it into structpb maps does: 2 at
// 1,000 members, about 10 at 10,000 and 13 to 18 at 100,000.
func TestEventJSONAllocations(t *testing.T) {
	narrow, wide, wider := wideTraits(t, 1_000), wideTraits(t, 10_000), wideTraits(t, 100_000)
	at := func(b []byte) float64 { return testing.AllocsPerRun(2, func() { releaseEvent(eventJSON(b)) }) }
	// An event's text, entries and parse index are reused up to a size
	// (maxPooledText) and taken at once beyond it, so the count steps up
	// between 1,000 and 10,000 members, then grows only with the doubling
	// of a few buffers and with what a collection empties of the pools:
	// a few dozen at most at every size, where an allocation per member
	// would be a thousand and more.
	const most = 32
	a, b, c := at(narrow), at(wide), at(wider)
	if a > most || b > most || c > most {
		t.Errorf("allocations grow with the members: %v at 1,000, %v at 10,000, %v at 100,000 (at most %d each)", a, b, c, most)
	}
	// And the members come out sorted, each once.
	members := typedValue(wide).Get("traits").Members()
	if len(members) != 10_000 {
		t.Fatalf("%d members, want 10000", len(members))
	}
	for i := 1; i < len(members); i++ {
		if members[i-1].Key >= members[i].Key {
			t.Fatalf("members %q and %q out of order", members[i-1].Key, members[i].Key)
		}
	}
}

func FuzzCodec(f *testing.F) {
	for _, s := range codecSeeds(f) {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, data []byte, unary bool) {
		var m proto.Message = &ciotransformerv1.TransformBatchRequest{}
		if unary {
			m = &ciotransformerv1.TransformRequest{}
		}
		checkCodec(t, data, m)
	})
}

// TestReadOnlyCopy checks that readOnlyCopy holds the bytes of every
// buffer of a slice, in order, in one allocation.
func TestReadOnlyCopy(t *testing.T) {
	var data mem.BufferSlice
	var want []byte
	for i, n := range []int{0, 1, 7, 16384, 3, 70000} {
		b := bytes.Repeat([]byte{byte('a' + i)}, n)
		data = append(data, mem.SliceBuffer(b))
		want = append(want, b...)
	}
	if got := readOnlyCopy(data); !bytes.Equal(got, want) {
		t.Fatalf("readOnlyCopy holds %d bytes, want the %d of the buffers", len(got), len(want))
	}
	if got := readOnlyCopy(nil); len(got) != 0 {
		t.Errorf("readOnlyCopy(nil) = %q, want nothing", got)
	}
	if allocs := testing.AllocsPerRun(10, func() { readOnlyCopy(data) }); allocs != 1 {
		t.Errorf("readOnlyCopy made %v allocations, want 1", allocs)
	}
}
