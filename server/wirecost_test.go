package server

import (
	"runtime"
	"testing"

	ciotransformerv1 "github.com/cio-transformer/cio-transformer/gen/ciotransformer/v1"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/mem"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/structpb"
)

func TestScanWire(t *testing.T) {
	t.Parallel()
	md, err := structpb.NewStruct(map[string]any{"a": 1, "b": "x"})
	if err != nil {
		t.Fatal(err)
	}
	jobs := identifyJobs(1, 3)
	for _, j := range jobs {
		j.Metadata = md
	}
	b, err := proto.Marshal(&ciotransformerv1.TransformBatchRequest{RequestId: 42, Destination: testDestination, Jobs: jobs})
	if err != nil {
		t.Fatal(err)
	}
	got := scanWire(b, (&ciotransformerv1.TransformBatchRequest{}).ProtoReflect().Descriptor())
	// The destination, and per job: the job, its metadata Struct, two map
	// entries and their two Values.
	want := wireCost{nodes: 1 + 3*6, jobs: 3, requestID: 42}
	if got != want {
		t.Errorf("scanWire = %+v, want %+v", got, want)
	}
}

// emptyValues is an encoded TransformBatchRequest whose one job's metadata
// holds a list of n empty values: 2 bytes each on the wire.
func emptyValues(n int) []byte {
	var list []byte
	for range n {
		list = protowire.AppendTag(list, 1, protowire.BytesType) // ListValue.values
		list = protowire.AppendVarint(list, 0)
	}
	var value []byte // Value{list_value}
	value = protowire.AppendTag(value, 6, protowire.BytesType)
	value = protowire.AppendBytes(value, list)
	var entry []byte // Struct.fields entry "k" -> value
	entry = protowire.AppendTag(entry, 1, protowire.BytesType)
	entry = protowire.AppendString(entry, "k")
	entry = protowire.AppendTag(entry, 2, protowire.BytesType)
	entry = protowire.AppendBytes(entry, value)
	var st []byte
	st = protowire.AppendTag(st, 1, protowire.BytesType)
	st = protowire.AppendBytes(st, entry)
	var job []byte
	job = protowire.AppendTag(job, 1, protowire.VarintType)
	job = protowire.AppendVarint(job, 1)
	job = protowire.AppendTag(job, 2, protowire.BytesType)
	job = protowire.AppendBytes(job, st)
	var req []byte
	req = protowire.AppendTag(req, 1, protowire.VarintType)
	req = protowire.AppendVarint(req, 9)
	req = protowire.AppendTag(req, 3, protowire.BytesType)
	return protowire.AppendBytes(req, job)
}

// emptyJobs is an encoded TransformBatchRequest of n empty jobs.
func emptyJobs(n int) []byte {
	req := protowire.AppendTag(nil, 1, protowire.VarintType)
	req = protowire.AppendVarint(req, 9)
	for range n {
		req = protowire.AppendTag(req, 3, protowire.BytesType)
		req = protowire.AppendVarint(req, 0)
	}
	return req
}

// TestCodecRefusesBeforeDecoding feeds the codec messages whose decoding
// would cost far more than their size: they are refused from a scan of the
// wire, with their request_id, and the refusal allocates a small part of
// what decoding would.
//
// Not parallel: it measures the process's allocations.
func TestCodecRefusesBeforeDecoding(t *testing.T) {
	const wire = 2 << 20
	codec := newRequestCodec(DefaultMaxJobsPerRequest, wire*decodedBytesPerWireByte, nil)
	cases := []struct {
		name string
		data []byte
		code codes.Code
	}{
		{name: "a million empty jobs", data: emptyJobs(wire / 2), code: codes.InvalidArgument},
		{name: "a million empty values", data: emptyValues(wire / 2), code: codes.ResourceExhausted},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var req ciotransformerv1.TransformBatchRequest
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			err := codec.Unmarshal(mem.BufferSlice{mem.SliceBuffer(c.data)}, &req)
			runtime.ReadMemStats(&after)
			if err != nil {
				t.Fatal(err)
			}
			cm := checkNote(&req)
			if cm.refusal.Code() != c.code || req.GetRequestId() != 9 || len(req.GetJobs()) != 0 {
				t.Fatalf("got %v for request %d with %d jobs, want a %s refusal of request 9", cm.refusal, req.GetRequestId(), len(req.GetJobs()), c.code)
			}
			// Decoded, a million empty jobs or values take over 100 MB.
			if grown := after.TotalAlloc - before.TotalAlloc; grown > 8<<20 {
				t.Errorf("refusing allocated %d bytes", grown)
			}
		})
	}
	// A realistic message decodes and carries its cost.
	good, err := proto.Marshal(&ciotransformerv1.TransformBatchRequest{RequestId: 3, Destination: testDestination, Jobs: identifyJobs(1, 100)})
	if err != nil {
		t.Fatal(err)
	}
	var req ciotransformerv1.TransformBatchRequest
	if err := codec.Unmarshal(mem.BufferSlice{mem.SliceBuffer(good)}, &req); err != nil {
		t.Fatal(err)
	}
	if cm := checkNote(&req); cm.refusal != nil || cm.cost < int64(len(good)) || len(req.GetJobs()) != 100 || len(req.ProtoReflect().GetUnknown()) != 0 {
		t.Errorf("good message: %v, cost %d, %d jobs, unknown %d bytes", cm.refusal, cm.cost, len(req.GetJobs()), len(req.ProtoReflect().GetUnknown()))
	}
}
