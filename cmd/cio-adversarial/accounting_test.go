package main

import (
	"testing"

	ciotransformerv1 "github.com/cio-transformer/cio-transformer/gen/ciotransformer/v1"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/dynamicpb"

	_ "google.golang.org/genproto/googleapis/rpc/status" // registers google/rpc/status.proto
)

func jobsWithIDs(ids ...uint64) []*ciotransformerv1.Job {
	jobs := make([]*ciotransformerv1.Job, len(ids))
	for i, id := range ids {
		jobs[i] = &ciotransformerv1.Job{JobId: id}
	}
	return jobs
}

func answer(requestID uint64, final bool, ids ...uint64) *ciotransformerv1.TransformBatchResponse {
	resp := &ciotransformerv1.TransformBatchResponse{RequestId: requestID, Final: final}
	for _, id := range ids {
		resp.Results = append(resp.Results, &ciotransformerv1.JobResult{Jobs: []*ciotransformerv1.JobRef{{JobId: id}}})
	}
	return resp
}

func TestLedgerVerdict(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		responses []*ciotransformerv1.TransformBatchResponse
		except    []jobKey
		want      tally
	}{
		{
			name:      "all once",
			responses: []*ciotransformerv1.TransformBatchResponse{answer(1, false, 1, 2), answer(1, true, 3), answer(2, true, 1)},
			want:      tally{expected: 4, once: 4},
		},
		{
			name:      "missing, repeated and unexpected",
			responses: []*ciotransformerv1.TransformBatchResponse{answer(1, true, 1, 1, 2, 9)},
			want:      tally{expected: 4, once: 1, missing: 2, repeated: 1, unexpected: 1},
		},
		{
			name:      "skipped job answered or not",
			responses: []*ciotransformerv1.TransformBatchResponse{answer(1, true, 1, 2, 3), answer(2, true, 1)},
			except:    []jobKey{{2, 1}},
			want:      tally{expected: 3, once: 3},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			l := newLedger()
			l.expect(1, jobsWithIDs(1, 2, 3))
			l.expect(2, jobsWithIDs(1))
			for _, r := range tt.responses {
				l.record(r)
			}
			got := l.verdict(tt.except...)
			if got != tt.want {
				t.Errorf("verdict() = %+v, want %+v", got, tt.want)
			}
			if got.ok() != (tt.want.missing == 0 && tt.want.repeated == 0 && tt.want.unexpected == 0) {
				t.Errorf("ok() = %t for %+v", got.ok(), got)
			}
		})
	}
}

// responseWithStatus builds, at run time, a TransformBatchResponse-like
// message type with a google.rpc.Status field of the given name, as a
// later contract may have.
func responseWithStatus(t *testing.T, field string) protoreflect.MessageType {
	t.Helper()
	fdp := &descriptorpb.FileDescriptorProto{
		Name:       proto.String("test/response.proto"),
		Package:    proto.String("test"),
		Syntax:     proto.String("proto3"),
		Dependency: []string{"google/rpc/status.proto"},
		MessageType: []*descriptorpb.DescriptorProto{{
			Name: proto.String("Response"),
			Field: []*descriptorpb.FieldDescriptorProto{
				{Name: proto.String("request_id"), Number: proto.Int32(1), Type: descriptorpb.FieldDescriptorProto_TYPE_UINT64.Enum(), Label: descriptorpb.FieldDescriptorProto_LABEL_OPTIONAL.Enum()},
				{Name: proto.String(field), Number: proto.Int32(4), Type: descriptorpb.FieldDescriptorProto_TYPE_MESSAGE.Enum(), TypeName: proto.String(".google.rpc.Status"), Label: descriptorpb.FieldDescriptorProto_LABEL_OPTIONAL.Enum()},
			},
		}},
	}
	fd, err := protodesc.NewFile(fdp, protoregistry.GlobalFiles)
	if err != nil {
		t.Fatal(err)
	}
	return dynamicpb.NewMessageType(fd.Messages().Get(0))
}

func TestInBandStatus(t *testing.T) {
	t.Parallel()
	if _, ok := inBandStatus(answer(1, true, 1).ProtoReflect()); ok {
		t.Error("a response without a status field reports one")
	}
	for _, field := range []string{"error", "status"} {
		mt := responseWithStatus(t, field)
		m := mt.New()
		if _, ok := inBandStatus(m); ok {
			t.Errorf("%s unset: reported as set", field)
		}
		fd := m.Descriptor().Fields().ByName(protoreflect.Name(field))
		st := m.Mutable(fd).Message()
		st.Set(st.Descriptor().Fields().ByName("code"), protoreflect.ValueOfInt32(int32(codes.InvalidArgument)))
		st.Set(st.Descriptor().Fields().ByName("message"), protoreflect.ValueOfString("job_id 1 is repeated"))
		got, ok := inBandStatus(m)
		if want := "InvalidArgument: job_id 1 is repeated"; !ok || got != want {
			t.Errorf("%s: inBandStatus() = %q, %t, want %q", field, got, ok, want)
		}
	}
}
