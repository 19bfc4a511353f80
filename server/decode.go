package server

import (
	"bytes"
	"crypto/rand"

	ciotransformerv1 "github.com/cio-transformer/cio-transformer/gen/ciotransformer/v1"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/encoding"
	protoencoding "google.golang.org/grpc/encoding/proto"
	"google.golang.org/grpc/mem"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
)

// requestCodec is the server's codec: protobuf, except that a
// TransformerService request message that cannot be decoded (bytes that are
// not protobuf, invalid UTF-8 in a string field, nesting past the protobuf
// recursion limit) is not a decoding error. grpc-go would answer those with
// INTERNAL, the code of a server bug; instead the message is left empty but
// for a note of the error, and the unary validation interceptor and
// checkDecodedStream answer INVALID_ARGUMENT.
//
// The note lives in the message itself, as an unknown field, so that a
// message grpc-go discards after decoding (a second message on a unary
// call) leaves nothing behind.
type requestCodec struct {
	encoding.CodecV2
}

// newRequestCodec wraps the registered protobuf codec.
func newRequestCodec() requestCodec {
	return requestCodec{CodecV2: encoding.GetCodecV2(protoencoding.Name)}
}

// decodeNoteField is the field number of the note: the largest valid one,
// which the contract never uses.
const decodeNoteField = protowire.MaxValidNumber

// decodeNonce starts every note, so that an unknown field a client sends
// under the same number is never taken for one.
var decodeNonce = func() (n [16]byte) {
	_, _ = rand.Read(n[:])
	return n
}()

// Unmarshal decodes data into v, noting instead of failing when v is a
// TransformerService request.
func (c requestCodec) Unmarshal(data mem.BufferSlice, v any) error {
	err := c.CodecV2.Unmarshal(data, v)
	if err == nil {
		return nil
	}
	switch m := v.(type) {
	case *ciotransformerv1.TransformRequest, *ciotransformerv1.TransformBatchRequest,
		*ciotransformerv1.DeliverRequest, *ciotransformerv1.DeliverBatchRequest:
		pm := m.(proto.Message)
		proto.Reset(pm)
		note := protowire.AppendTag(nil, decodeNoteField, protowire.BytesType)
		note = protowire.AppendBytes(note, append(decodeNonce[:], err.Error()...))
		pm.ProtoReflect().SetUnknown(note)
		return nil
	}
	return err
}

// decodeError returns the INVALID_ARGUMENT status of m when the codec could
// not decode it.
func decodeError(m any) error {
	pm, ok := m.(proto.Message)
	if !ok {
		return nil
	}
	raw := pm.ProtoReflect().GetUnknown()
	if len(raw) == 0 {
		return nil
	}
	// After a failed decoding the note is the message's only content.
	num, typ, n := protowire.ConsumeTag(raw)
	if n < 0 || num != decodeNoteField || typ != protowire.BytesType {
		return nil
	}
	note, n := protowire.ConsumeBytes(raw[n:])
	if n < 0 || len(note) < len(decodeNonce) || !bytes.Equal(note[:len(decodeNonce)], decodeNonce[:]) {
		return nil
	}
	// Protobuf's decoding errors name the problem, never the data.
	desc := "the request message is not valid protobuf: " + string(note[len(decodeNonce):])
	st := status.New(codes.InvalidArgument, "invalid request: "+desc)
	if d, err := st.WithDetails(&errdetails.BadRequest{FieldViolations: []*errdetails.BadRequest_FieldViolation{{Description: desc}}}); err == nil {
		st = d
	}
	return st.Err()
}

// checkDecodedStream ends a stream whose next request message could not be
// decoded.
func checkDecodedStream(srv any, ss grpc.ServerStream, _ *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
	return handler(srv, &decodeCheckedStream{ServerStream: ss})
}

// decodeCheckedStream checks every received message.
type decodeCheckedStream struct {
	grpc.ServerStream
}

// RecvMsg receives the next message and fails if it could not be decoded.
func (s *decodeCheckedStream) RecvMsg(m any) error {
	if err := s.ServerStream.RecvMsg(m); err != nil {
		return err
	}
	return decodeError(m)
}
