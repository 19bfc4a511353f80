package server

import (
	"reflect"
	"slices"
	"sync"

	ciotransformerv1 "github.com/cio-transformer/cio-transformer/gen/ciotransformer/v1"
	"github.com/cio-transformer/cio-transformer/internal/jsvalue"
	"google.golang.org/grpc/mem"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// Marshal encodes v. The service's transform responses, the bulk of what
// the server writes, are written by a responseEncoder straight into a
// buffer of the gRPC pool; any other message goes through protobuf.
//
// The bytes are those of protobuf's deterministic encoding: fields in
// number order, headers in sorted key order, each message's unknown fields
// (a job's echoed metadata) after its known ones. A string that is not
// valid UTF-8, which protobuf refuses, sends the message through protobuf,
// which returns its error.
func (c requestCodec) Marshal(v any) (mem.BufferSlice, error) {
	switch v.(type) {
	case *ciotransformerv1.TransformBatchResponse, *ciotransformerv1.TransformResponse:
	default:
		return c.CodecV2.Marshal(v)
	}
	e := encoders.Get().(*responseEncoder)
	defer e.release()
	size, ok := e.measure(v.(proto.Message))
	if !ok {
		return c.CodecV2.Marshal(v)
	}
	if mem.IsBelowBufferPoolingThreshold(size) {
		b := e.write(make([]byte, 0, size), v.(proto.Message))
		if len(b) != size {
			return c.CodecV2.Marshal(v)
		}
		return mem.BufferSlice{mem.SliceBuffer(b)}, nil
	}
	pool := mem.DefaultBufferPool()
	buf := pool.Get(size)
	// Appending exactly size bytes to an empty buffer of capacity size
	// writes every byte of buf in place.
	if b := e.write((*buf)[:0], v.(proto.Message)); len(b) != size {
		pool.Put(buf)
		return c.CodecV2.Marshal(v)
	}
	return mem.BufferSlice{mem.NewBuffer(buf, pool)}, nil
}

// encodedFields lists the field numbers responseEncoder writes of each
// message it writes itself. Messages it hands whole to protobuf
// (delegatedMessages) are not listed. A test checks the list against the
// contract, so that a field added to a response message cannot go unsent.
var encodedFields = map[protoreflect.FullName][]protowire.Number{
	"ciotransformer.v1.TransformBatchResponse": {1, 2, 3, 4},
	"ciotransformer.v1.TransformResponse":      {1},
	"ciotransformer.v1.JobResult":              {1, 2, 3},
	"ciotransformer.v1.JobRef":                 {1, 2},
	"ciotransformer.v1.TrackRequest":           {1, 2, 3, 4, 5, 6},
	"ciotransformer.v1.JobError":               {1, 2, 3, 4},
}

// delegatedMessages are the messages of a response that responseEncoder
// has protobuf encode, deterministically: a job's metadata when it was
// decoded rather than echoed, and a refusal's status. Neither is on the
// path of a successful batch.
var delegatedMessages = []protoreflect.FullName{"google.protobuf.Struct", "google.rpc.Status"}

// deterministic is how delegated messages are encoded.
var deterministic = proto.MarshalOptions{Deterministic: true}

// responseEncoder encodes transform responses in two passes: measure finds
// the size and unknown fields of every nested message, in the order write
// writes them, and checks the strings; write appends the bytes. Neither
// allocates once the encoder's slices have grown; encoders are reused.
type responseEncoder struct {
	// nested holds each nested message's size and unknown fields, in
	// pre-order.
	nested []nestedMessage
	// next is the index in nested of the next message write writes.
	next int
	// headers holds the encoded fields of the last headers maps met:
	// requests share their maps (see resultArena), which are then sorted,
	// checked and encoded once per response.
	headers [2]encodedHeaders
	// keys holds the sorted keys of one headers map while it is encoded.
	keys []string
	// invalid is set by measure on a string that is not valid UTF-8.
	invalid bool
}

// nestedMessage is what measure notes of a nested message for write.
type nestedMessage struct {
	size    int
	unknown []byte
	// headers is the identity of a TrackRequest's headers map, which
	// write looks for among the maps encoded without taking it again.
	headers uintptr
}

// encodedHeaders is a headers map, known by its identity, and its encoded
// entries.
type encodedHeaders struct {
	m     uintptr
	field []byte
}

// encoders are reused response encoders.
var encoders = sync.Pool{New: func() any { return new(responseEncoder) }}

// An encoder keeps room for at most maxKeptNested nested messages and
// maxKeptHeaders bytes of headers, so that one huge response does not pin
// its memory for good.
const (
	maxKeptNested  = 1 << 12
	maxKeptHeaders = 4 << 10
)

// release resets e and returns it to encoders. A map's identity means
// nothing once its message may have changed or gone, after Marshal.
func (e *responseEncoder) release() {
	if cap(e.nested) > maxKeptNested {
		e.nested = nil
	}
	clear(e.nested)
	e.nested, e.next, e.invalid = e.nested[:0], 0, false
	for i, h := range e.headers {
		if cap(h.field) > maxKeptHeaders {
			h.field = nil
		}
		e.headers[i] = encodedHeaders{field: h.field[:0]}
	}
	encoders.Put(e)
}

// tag returns the tag of field num of wire type t in its one byte: the
// encoder writes fields numbered below 16 only.
func tag(n protowire.Number, t protowire.Type) byte { return byte(n)<<3 | byte(t) }

// measure returns the encoded size of m, a TransformBatchResponse or a
// TransformResponse, and false if one of its strings is not valid UTF-8.
func (e *responseEncoder) measure(m proto.Message) (int, bool) {
	var n int
	switch m := m.(type) {
	case *ciotransformerv1.TransformBatchResponse:
		n = e.batchResponseSize(m)
	case *ciotransformerv1.TransformResponse:
		n = e.responseSize(m)
	}
	return n, !e.invalid
}

// write appends m, measured last, to b.
func (e *responseEncoder) write(b []byte, m proto.Message) []byte {
	e.next = 0
	switch m := m.(type) {
	case *ciotransformerv1.TransformBatchResponse:
		b = e.appendBatchResponse(b, m)
	case *ciotransformerv1.TransformResponse:
		b = e.appendResponse(b, m)
	}
	return b
}

// reserve reserves the slot of a nested message, which record fills.
func (e *responseEncoder) reserve() int {
	e.nested = append(e.nested, nestedMessage{})
	return len(e.nested) - 1
}

// record records n as the size of the nested message of slot i, its
// unknown fields included, and returns the size of the field holding it.
func (e *responseEncoder) record(i, n int) int {
	e.nested[i].size = n
	return 1 + protowire.SizeBytes(n)
}

// unknown notes m's unknown fields for write, in slot i, and returns
// their size.
func (e *responseEncoder) unknown(i int, m proto.Message) int {
	e.nested[i].unknown = m.ProtoReflect().GetUnknown()
	return len(e.nested[i].unknown)
}

// appendNested appends the tag and length of the next nested message and
// returns the unknown fields to end it with.
func (e *responseEncoder) appendNested(b []byte, num protowire.Number) ([]byte, []byte) {
	n := e.nested[e.next]
	e.next++
	return appendUvarint(append(b, tag(num, protowire.BytesType)), uint64(n.size)), n.unknown
}

// stringSize is the size of a string field, nothing when s is empty.
func (e *responseEncoder) stringSize(s string) int {
	if s == "" {
		return 0
	}
	if !jsvalue.ValidUTF8(s) {
		e.invalid = true
	}
	return 1 + protowire.SizeBytes(len(s))
}

// appendString appends a string field unless s is empty.
func appendString(b []byte, num protowire.Number, s string) []byte {
	if s == "" {
		return b
	}
	return append(appendUvarint(append(b, tag(num, protowire.BytesType)), uint64(len(s))), s...)
}

// appendUvarint appends v as a varint, as protowire.AppendVarint does,
// but inline for the one byte of most lengths and sizes a response holds.
func appendUvarint(b []byte, v uint64) []byte {
	if v < 1<<7 {
		return append(b, byte(v))
	}
	return protowire.AppendVarint(b, v)
}

// varintSize is the size of a varint field, nothing when v is zero.
func varintSize(v uint64) int {
	if v == 0 {
		return 0
	}
	return 1 + protowire.SizeVarint(v)
}

// appendVarint appends a varint field unless v is zero.
func appendVarint(b []byte, num protowire.Number, v uint64) []byte {
	if v == 0 {
		return b
	}
	return appendUvarint(append(b, tag(num, protowire.VarintType)), v)
}

// delegatedSize measures a message protobuf encodes, a field of its own.
func (e *responseEncoder) delegatedSize(m proto.Message) int {
	return e.record(e.reserve(), proto.Size(m))
}

// appendDelegated appends a field holding m, which protobuf encodes.
func (e *responseEncoder) appendDelegated(b []byte, num protowire.Number, m proto.Message) []byte {
	b, _ = e.appendNested(b, num)
	// MarshalAppend fails only on invalid UTF-8 in m, which measure does
	// not look for: the bytes then fall short of the size measured, and
	// Marshal has protobuf encode the message, and report the error.
	out, err := deterministic.MarshalAppend(b, m)
	if err != nil {
		return b
	}
	return out
}

// encodeHeaders returns the encoded map entries of hs, in sorted key
// order, encoding them unless hs is one of the last maps met. A map is
// known by its identity, id, reflect.Value.Pointer's: while a message is
// encoded, its maps are neither changed nor freed.
func (e *responseEncoder) encodeHeaders(hs map[string]string, id uintptr) []byte {
	for i := range e.headers {
		if e.headers[i].m == id {
			return e.headers[i].field
		}
	}
	// The least recently encoded map gives way, its buffer reused.
	field := e.headers[len(e.headers)-1].field[:0]
	copy(e.headers[1:], e.headers[:len(e.headers)-1])
	keys := e.keys[:0]
	for k, v := range hs {
		keys = append(keys, k)
		if !jsvalue.ValidUTF8(k) || !jsvalue.ValidUTF8(v) {
			e.invalid = true
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		v := hs[k]
		// A map entry holds its key and value even when empty.
		entry := 2 + protowire.SizeBytes(len(k)) + protowire.SizeBytes(len(v))
		field = protowire.AppendVarint(append(field, tag(4, protowire.BytesType)), uint64(entry))
		field = protowire.AppendString(append(field, tag(1, protowire.BytesType)), k)
		field = protowire.AppendString(append(field, tag(2, protowire.BytesType)), v)
	}
	clear(keys)
	e.keys = keys[:0]
	e.headers[0] = encodedHeaders{m: id, field: field}
	return field
}

func (e *responseEncoder) batchResponseSize(m *ciotransformerv1.TransformBatchResponse) int {
	n := varintSize(m.GetRequestId())
	for _, r := range m.GetResults() {
		i := e.reserve()
		n += e.record(i, e.resultSize(i, r))
	}
	if m.GetFinal() {
		n += 2
	}
	if s := m.GetError(); s != nil {
		n += e.delegatedSize(s)
	}
	return n + len(m.ProtoReflect().GetUnknown())
}

func (e *responseEncoder) appendBatchResponse(b []byte, m *ciotransformerv1.TransformBatchResponse) []byte {
	b = appendVarint(b, 1, m.GetRequestId())
	var u []byte
	for _, r := range m.GetResults() {
		b, u = e.appendNested(b, 2)
		b = append(e.appendResult(b, r), u...)
	}
	if m.GetFinal() {
		b = append(b, tag(3, protowire.VarintType), 1)
	}
	if s := m.GetError(); s != nil {
		b = e.appendDelegated(b, 4, s)
	}
	return append(b, m.ProtoReflect().GetUnknown()...)
}

func (e *responseEncoder) responseSize(m *ciotransformerv1.TransformResponse) int {
	n := 0
	if r := m.GetResult(); r != nil {
		i := e.reserve()
		n += e.record(i, e.resultSize(i, r))
	}
	return n + len(m.ProtoReflect().GetUnknown())
}

func (e *responseEncoder) appendResponse(b []byte, m *ciotransformerv1.TransformResponse) []byte {
	if r := m.GetResult(); r != nil {
		var u []byte
		b, u = e.appendNested(b, 1)
		b = append(e.appendResult(b, r), u...)
	}
	return append(b, m.ProtoReflect().GetUnknown()...)
}

// resultSize measures a JobResult, whose slot is i; a nil one, as
// protobuf has it, is an empty message.
func (e *responseEncoder) resultSize(i int, r *ciotransformerv1.JobResult) int {
	if r == nil {
		return 0
	}
	n := 0
	for _, ref := range r.GetJobs() {
		j := e.reserve()
		n += e.record(j, e.refSize(j, ref))
	}
	switch o := r.GetOutcome().(type) {
	case *ciotransformerv1.JobResult_Request:
		if o != nil {
			j := e.reserve()
			n += e.record(j, e.trackSize(j, o.Request))
		}
	case *ciotransformerv1.JobResult_Error:
		if o != nil {
			j := e.reserve()
			n += e.record(j, e.jobErrorSize(j, o.Error))
		}
	}
	return n + e.unknown(i, r)
}

// appendResult appends the fields of a JobResult but its unknown ones.
func (e *responseEncoder) appendResult(b []byte, r *ciotransformerv1.JobResult) []byte {
	if r == nil {
		return b
	}
	var u []byte
	for _, ref := range r.GetJobs() {
		b, u = e.appendNested(b, 1)
		b = append(e.appendRef(b, ref), u...)
	}
	switch o := r.GetOutcome().(type) {
	case *ciotransformerv1.JobResult_Request:
		if o != nil {
			i := e.next
			b, u = e.appendNested(b, 2)
			b = append(e.appendTrack(b, i, o.Request), u...)
		}
	case *ciotransformerv1.JobResult_Error:
		if o != nil {
			b, u = e.appendNested(b, 3)
			b = append(appendJobError(b, o.Error), u...)
		}
	}
	return b
}

func (e *responseEncoder) refSize(i int, r *ciotransformerv1.JobRef) int {
	if r == nil {
		return 0
	}
	n := varintSize(r.GetJobId())
	if md := r.GetMetadata(); md != nil {
		n += e.delegatedSize(md)
	}
	return n + e.unknown(i, r)
}

// appendRef appends the fields of a JobRef but its unknown ones, which
// hold its metadata when echoed from the request's wire bytes.
func (e *responseEncoder) appendRef(b []byte, r *ciotransformerv1.JobRef) []byte {
	if r == nil {
		return b
	}
	b = appendVarint(b, 1, r.GetJobId())
	if md := r.GetMetadata(); md != nil {
		b = e.appendDelegated(b, 2, md)
	}
	return b
}

func (e *responseEncoder) trackSize(i int, t *ciotransformerv1.TrackRequest) int {
	if t == nil {
		return 0
	}
	n := e.stringSize(t.GetMethod()) + e.stringSize(t.GetUrl()) + e.stringSize(t.GetEndpointPath())
	if hs := t.GetHeaders(); len(hs) > 0 {
		id := reflect.ValueOf(hs).Pointer()
		e.nested[i].headers = id
		n += len(e.encodeHeaders(hs, id))
	}
	n += e.stringSize(t.GetBody()) + e.stringSize(t.GetUserId())
	return n + e.unknown(i, t)
}

// appendTrack appends the fields of a TrackRequest, whose slot is i, but
// its unknown ones.
func (e *responseEncoder) appendTrack(b []byte, i int, t *ciotransformerv1.TrackRequest) []byte {
	if t == nil {
		return b
	}
	b = appendString(b, 1, t.GetMethod())
	b = appendString(b, 2, t.GetUrl())
	b = appendString(b, 3, t.GetEndpointPath())
	if hs := t.GetHeaders(); len(hs) > 0 {
		b = append(b, e.encodeHeaders(hs, e.nested[i].headers)...)
	}
	b = appendString(b, 5, t.GetBody())
	return appendString(b, 6, t.GetUserId())
}

func (e *responseEncoder) jobErrorSize(i int, j *ciotransformerv1.JobError) int {
	if j == nil {
		return 0
	}
	// An int32 is written as its sign extension to 64 bits.
	n := varintSize(uint64(int64(j.GetStatusCode())))
	n += e.stringSize(j.GetMessage()) + e.stringSize(j.GetErrorCategory()) + e.stringSize(j.GetErrorType())
	return n + e.unknown(i, j)
}

// appendJobError appends the fields of a JobError but its unknown ones.
func appendJobError(b []byte, j *ciotransformerv1.JobError) []byte {
	if j == nil {
		return b
	}
	b = appendVarint(b, 1, uint64(int64(j.GetStatusCode())))
	b = appendString(b, 2, j.GetMessage())
	b = appendString(b, 3, j.GetErrorCategory())
	return appendString(b, 4, j.GetErrorType())
}
