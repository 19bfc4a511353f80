package server

import (
	"testing"

	ciotransformerv1 "github.com/cio-transformer/cio-transformer/gen/ciotransformer/v1"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/known/structpb"
)

// TestWireTypeOf checks the wireTypes of the request messages, and of
// every message type they reach, against their descriptors: each field
// number up to past the table reads as the descriptor has it.
func TestWireTypeOf(t *testing.T) {
	seen := make(map[protoreflect.MessageDescriptor]bool)
	var check func(md protoreflect.MessageDescriptor)
	check = func(md protoreflect.MessageDescriptor) {
		if seen[md] {
			return
		}
		seen[md] = true
		wt := wireTypeOf(md)
		if wt.md != md {
			t.Fatalf("%s: wireType of %s", md.FullName(), wt.md.FullName())
		}
		if want := map[protoreflect.MessageDescriptor]wireForm{structDesc: formStruct, valueDesc: formValue, listDesc: formList}[md]; wt.form != want {
			t.Errorf("%s: form %d, want %d", md.FullName(), wt.form, want)
		}
		if wt.batch != (md.FullName() == batchRequestName) {
			t.Errorf("%s: batch %v", md.FullName(), wt.batch)
		}
		for num := protowire.Number(0); num <= maxTableField+2; num++ {
			f, fd := wt.field(num), md.Fields().ByNumber(num)
			if fd == nil {
				if f != (wireField{}) {
					t.Errorf("%s field %d: %+v, but it has none", md.FullName(), num, f)
				}
				continue
			}
			if f.kind != fd.Kind() || f.requestID != isRequestID(fd) || (f.msg == nil) != (fd.Message() == nil) {
				t.Errorf("%s field %d: %+v, want kind %v", md.FullName(), num, f, fd.Kind())
			}
			if fd.Message() != nil {
				if f.msg.md != fd.Message() {
					t.Errorf("%s field %d: type %s, want %s", md.FullName(), num, f.msg.md.FullName(), fd.Message().FullName())
				}
				check(fd.Message())
			}
		}
	}
	for _, m := range []proto.Message{
		&ciotransformerv1.TransformRequest{}, &ciotransformerv1.TransformBatchRequest{},
		&ciotransformerv1.DeliverRequest{}, &ciotransformerv1.DeliverBatchRequest{},
		&structpb.Struct{},
	} {
		check(m.ProtoReflect().Descriptor())
	}
	if !seen[structDesc] || !seen[valueDesc] || !seen[listDesc] {
		t.Error("the request messages reach no Struct, Value or ListValue")
	}
}
