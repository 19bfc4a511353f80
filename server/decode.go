package server

import (
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"runtime"
	"strings"
	"unsafe"

	ciotransformerv1 "github.com/cio-transformer/cio-transformer/gen/ciotransformer/v1"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/encoding"
	protoencoding "google.golang.org/grpc/encoding/proto"
	"google.golang.org/grpc/mem"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// batchRequestName is the full name of TransformBatchRequest.
var batchRequestName = (&ciotransformerv1.TransformBatchRequest{}).ProtoReflect().Descriptor().FullName()

// requestCodec is the server's codec: protobuf, with checks on
// TransformerService request messages before and after decoding.
//
// Before anything is decoded, one walk of the wire bytes (wireWalk) counts
// the message's jobs and nested messages and checks what protobuf's
// decoding checks. A TransformBatchRequest of more jobs than maxJobs, or a
// message whose decoded form would take more than maxDecodedBytes, is not
// decoded at all: the attacker's message costs a walk, not the gigabyte a
// 16 MiB message of empty values takes decoded.
//
// A TransformBatchRequest or TransformRequest that passes is built from
// the walk's notes (buildRequest), not decoded by protobuf: each job's
// metadata stays wire bytes, echoed verbatim into its results, and a typed
// event stays wire bytes until it is read into JSON for mapping. Other
// messages, and any message the walk doubts, are decoded by protobuf.
//
// A message that cannot be decoded (bytes that are not protobuf, invalid
// UTF-8 in a string field, nesting past the protobuf recursion limit) is
// not a decoding error either: grpc-go would answer those with INTERNAL,
// the code of a server bug, and end a TransformBatch stream.
//
// In both cases the message is left empty but for its request_id (read
// from the wire) and a note of the refusal, and the server answers
// INVALID_ARGUMENT or RESOURCE_EXHAUSTED for that message (see
// refusalOf). A decoded message carries a note of its estimated decoded
// size instead, which the in-flight budget charges (see takeCost).
//
// Notes live in the message itself, as an unknown field, so that a message
// grpc-go discards after decoding (a second message on a unary call) leaves
// nothing behind.
type requestCodec struct {
	encoding.CodecV2
	maxJobs         int
	maxDecodedBytes int64
	// inflight, when the budget cannot take a message, spares its
	// decoding.
	inflight *inflight
	// decoding bounds the request messages copied, scanned and decoded at
	// once, and so the memory that takes, whatever the number of calls.
	decoding chan struct{}
}

// newRequestCodec wraps the registered protobuf codec.
func newRequestCodec(maxJobs int, maxDecodedBytes int64, f *inflight) requestCodec {
	return requestCodec{
		CodecV2:         encoding.GetCodecV2(protoencoding.Name),
		maxJobs:         maxJobs,
		maxDecodedBytes: maxDecodedBytes,
		inflight:        f,
		decoding:        make(chan struct{}, max(2, runtime.GOMAXPROCS(0))),
	}
}

// decodeNoteField is the field number of a note: the largest valid one,
// which the contract never uses.
const decodeNoteField = protowire.MaxValidNumber

// Kinds of notes.
const (
	noteNotProtobuf byte = iota + 1
	noteTooManyJobs
	noteTooCostly
	noteInflight
	noteCost
)

// decodeNonce starts every note, so that an unknown field a client sends
// under the same number is never taken for one.
var decodeNonce = func() (n [16]byte) {
	_, _ = rand.Read(n[:])
	return n
}()

// Unmarshal decodes data into v, checking TransformerService requests.
func (c requestCodec) Unmarshal(data mem.BufferSlice, v any) error {
	var md protoreflect.MessageDescriptor
	switch m := v.(type) {
	case *ciotransformerv1.TransformRequest, *ciotransformerv1.TransformBatchRequest,
		*ciotransformerv1.DeliverRequest, *ciotransformerv1.DeliverBatchRequest:
		md = m.(proto.Message).ProtoReflect().Descriptor()
	default:
		return c.CodecV2.Unmarshal(data, v)
	}
	pm := v.(proto.Message)
	// The slot covers the contiguous copy, the scan and the decoding.
	c.decoding <- struct{}{}
	defer func() { <-c.decoding }()
	// One walk of the bytes finds the message's cost and whether protobuf
	// would refuse it and, for a transform request, where its jobs lie.
	var w wireWalk
	shape, build := requestShapes[md.FullName()]
	var b []byte
	if build {
		// The jobs built share this copy of the bytes, the only one.
		b = readOnlyCopy(data)
	} else {
		buf := data.MaterializeToBuffer(mem.DefaultBufferPool())
		defer buf.Free()
		b = buf.ReadOnlyData()
	}
	if build {
		w.capture, w.destField, w.jobField, w.maxParts = true, shape.destField, shape.jobField, max(c.maxJobs, 1)
	}
	w.message(b, wireTypeOf(md), 0)
	cost := w.wireCost
	decoded := cost.decodedBytes(len(b))
	refuse := func(kind byte, text string) error {
		proto.Reset(pm)
		switch r := pm.(type) {
		case *ciotransformerv1.TransformBatchRequest:
			r.RequestId = cost.requestID
		case *ciotransformerv1.DeliverBatchRequest:
			r.RequestId = cost.requestID
		}
		addNote(pm, kind, []byte(text))
		return nil
	}
	switch {
	case md.FullName() == batchRequestName && cost.jobs > c.maxJobs:
		return refuse(noteTooManyJobs, fmt.Sprintf("%d jobs exceed the limit of %d per request message", cost.jobs, c.maxJobs))
	case c.maxDecodedBytes > 0 && decoded > c.maxDecodedBytes:
		return refuse(noteTooCostly, fmt.Sprintf("the request message would take about %d bytes decoded (%d nested messages), more than the limit of %d: send fewer or smaller jobs", decoded, cost.nodes, c.maxDecodedBytes))
	case !c.inflight.fits(Charge(decoded)):
		return refuse(noteInflight, "")
	}
	built := false
	if build && !w.suspect && !w.overflow {
		if err := buildRequest(b, &w, pm); err == nil {
			built = true
		} else {
			proto.Reset(pm)
		}
	}
	if !built {
		// Protobuf tells whether, and why, a message the walk doubts
		// decodes; other messages are not built from the walk.
		if err := proto.Unmarshal(b, pm); err != nil {
			return refuse(noteNotProtobuf, err.Error())
		}
	}
	var note [binary.MaxVarintLen64]byte
	addNote(pm, noteCost, protowire.AppendVarint(note[:0], uint64(decoded)))
	return nil
}

// addNote appends a note of kind to m's unknown fields, in one new
// allocation that holds them all: the unknown fields m had are copied,
// never appended to in place.
func addNote(m proto.Message, kind byte, payload []byte) {
	r := m.ProtoReflect()
	raw := r.GetUnknown()
	n := len(decodeNonce) + 1 + len(payload)
	out := make([]byte, 0, len(raw)+protowire.SizeTag(decodeNoteField)+protowire.SizeBytes(n))
	out = protowire.AppendTag(append(out, raw...), decodeNoteField, protowire.BytesType)
	out = protowire.AppendVarint(out, uint64(n))
	out = append(append(append(out, decodeNonce[:]...), kind), payload...)
	r.SetUnknown(out)
}

// takeNote removes the server's note from m and returns its kind and
// payload; kind is 0 when m has none.
func takeNote(m any) (kind byte, payload []byte) {
	pm, ok := m.(proto.Message)
	if !ok {
		return 0, nil
	}
	r := pm.ProtoReflect()
	raw := r.GetUnknown()
	for fs := (fields{b: raw}); fs.next(); {
		if fs.num != decodeNoteField || fs.typ != protowire.BytesType {
			continue
		}
		body := fs.bytes()
		if len(body) > len(decodeNonce) && bytes.Equal(body[:len(decodeNonce)], decodeNonce[:]) {
			kind, payload = body[len(decodeNonce)], body[len(decodeNonce)+1:]
			rest := append(raw[:fs.start:fs.start], raw[fs.pos:]...)
			if len(rest) == 0 {
				rest = nil
			}
			r.SetUnknown(rest)
			return kind, payload
		}
	}
	return 0, nil
}

// checkedMessage is what the codec's note says of a received request
// message: the status refusing it, or its estimated decoded size.
type checkedMessage struct {
	refusal *status.Status
	cost    int64
}

// checkNote takes the codec's note from m.
func checkNote(m any) checkedMessage {
	kind, payload := takeNote(m)
	switch kind {
	case noteCost:
		v, n := protowire.ConsumeVarint(payload)
		if n < 0 {
			return checkedMessage{}
		}
		return checkedMessage{cost: int64(v)}
	case noteNotProtobuf:
		// Protobuf's decoding errors name the problem, never the data.
		desc := "the request message is not valid protobuf: " + string(payload)
		return checkedMessage{refusal: badRequest(desc, &errdetails.BadRequest_FieldViolation{Description: desc})}
	case noteTooManyJobs:
		desc := string(payload)
		return checkedMessage{refusal: badRequest("jobs: "+desc, &errdetails.BadRequest_FieldViolation{Field: "jobs", Description: desc})}
	case noteTooCostly:
		return checkedMessage{refusal: status.New(codes.ResourceExhausted, "request message too costly: "+string(payload))}
	case noteInflight:
		return checkedMessage{refusal: errInflightSpent}
	}
	return checkedMessage{}
}

// badRequest is the INVALID_ARGUMENT status "invalid request: text" with
// the violations as a BadRequest detail.
func badRequest(text string, violations ...*errdetails.BadRequest_FieldViolation) *status.Status {
	st := status.New(codes.InvalidArgument, "invalid request: "+text)
	if d, err := st.WithDetails(&errdetails.BadRequest{FieldViolations: violations}); err == nil {
		st = d
	}
	return st
}

// readOnlyCopy returns the bytes of data in one new slice, as
// data.Materialize does but without first zeroing the memory the bytes are
// copied over: a strings.Builder grows without zeroing. The slice is the
// string's memory, so nothing may ever write to it; the jobs built from it
// only read it (see buildRequest).
func readOnlyCopy(data mem.BufferSlice) []byte {
	var sb strings.Builder
	sb.Grow(data.Len())
	for _, buf := range data {
		sb.Write(buf.ReadOnlyData())
	}
	s := sb.String()
	return unsafe.Slice(unsafe.StringData(s), len(s))
}
