package main

import (
	"fmt"

	"google.golang.org/grpc/encoding"
	"google.golang.org/grpc/mem"
	"google.golang.org/protobuf/encoding/protowire"
)

// frameCodec is the load generator's codec. It sends request messages
// encoded once before the run, and reads of a response only what the
// driver needs, so that the client spends little of the machine's CPU and
// the same for both servers. It names itself "proto": on the wire the calls
// are ordinary protobuf calls.
type frameCodec struct{}

var _ encoding.CodecV2 = frameCodec{}

// outFrame is an encoded request message: prefix and body are concatenated
// on the wire. Protobuf merges concatenated messages, so a prefix holding
// only request_id completes a body encoded without it.
type outFrame struct {
	// id is the request_id the prefix holds.
	id     uint64
	prefix []byte
	body   []byte
}

// GetRequestId returns the frame's request_id.
func (f *outFrame) GetRequestId() uint64 { return f.id }

// batchReply is what the driver reads of a TransformBatchResponse.
type batchReply struct {
	requestID uint64
	results   int
	final     bool
}

// GetRequestId returns the response's request_id.
func (r *batchReply) GetRequestId() uint64 { return r.requestID }

// GetFinal reports whether the response is its request message's last.
func (r *batchReply) GetFinal() bool { return r.final }

// unaryReply is what the driver reads of a TransformResponse: its size.
type unaryReply struct {
	size int
}

// Marshal returns an outFrame's bytes without copying them.
func (frameCodec) Marshal(v any) (mem.BufferSlice, error) {
	f, ok := v.(*outFrame)
	if !ok {
		return nil, fmt.Errorf("frameCodec cannot marshal %T", v)
	}
	if len(f.prefix) == 0 {
		return mem.BufferSlice{mem.SliceBuffer(f.body)}, nil
	}
	return mem.BufferSlice{mem.SliceBuffer(f.prefix), mem.SliceBuffer(f.body)}, nil
}

// Unmarshal reads a batchReply's fields or a unaryReply's size.
func (frameCodec) Unmarshal(data mem.BufferSlice, v any) error {
	switch r := v.(type) {
	case *unaryReply:
		r.size = data.Len()
		return nil
	case *batchReply:
		var b []byte
		if len(data) == 1 {
			b = data[0].ReadOnlyData()
		} else {
			b = data.Materialize()
		}
		return r.read(b)
	}
	return fmt.Errorf("frameCodec cannot unmarshal into %T", v)
}

// Name is the content subtype of the calls.
func (frameCodec) Name() string { return "proto" }

// read reads request_id (1), the number of results (2) and final (3) of an
// encoded TransformBatchResponse.
func (r *batchReply) read(b []byte) error {
	*r = batchReply{}
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return protowire.ParseError(n)
		}
		b = b[n:]
		switch {
		case num == 1 && typ == protowire.VarintType:
			v, n := protowire.ConsumeVarint(b)
			if n < 0 {
				return protowire.ParseError(n)
			}
			r.requestID, b = v, b[n:]
		case num == 3 && typ == protowire.VarintType:
			v, n := protowire.ConsumeVarint(b)
			if n < 0 {
				return protowire.ParseError(n)
			}
			r.final, b = v != 0, b[n:]
		default:
			if num == 2 {
				r.results++
			}
			n := protowire.ConsumeFieldValue(num, typ, b)
			if n < 0 {
				return protowire.ParseError(n)
			}
			b = b[n:]
		}
	}
	return nil
}

// requestIDPrefix returns the encoding of request_id, field 1 of
// TransformBatchRequest.
func requestIDPrefix(id uint64) []byte {
	b := protowire.AppendTag(make([]byte, 0, 11), 1, protowire.VarintType)
	return protowire.AppendVarint(b, id)
}
