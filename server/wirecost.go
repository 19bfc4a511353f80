package server

import (
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// nodeBytes is about what one decoded protobuf message costs in memory
// besides its strings: a structpb.Value with its oneof wrapper and the map
// entry or slice slot that holds it. A Struct of empty values is 2 bytes on
// the wire per value, and about 60 times that decoded.
const nodeBytes = 128

// wireCost is what a scan of an encoded message finds before it is decoded.
type wireCost struct {
	// nodes counts the messages nested in the message, at any depth, map
	// entries included.
	nodes int
	// jobs counts the top-level jobs of a TransformBatchRequest.
	jobs int
	// requestID is the top-level request_id of a TransformBatchRequest or
	// a DeliverBatchRequest.
	requestID uint64
}

// decodedBytes estimates the memory the decoded message takes: its wire
// bytes (strings and bytes are copied) and nodeBytes per nested message.
func (c wireCost) decodedBytes(wireLen int) int64 {
	return int64(wireLen) + int64(c.nodes)*nodeBytes
}

// scanWire walks b, an encoded message of descriptor md, counting nested
// messages without decoding any. It costs one pass over b and allocates
// nothing. Malformed input ends the scan early: the decoding that follows
// reports it.
func scanWire(b []byte, md protoreflect.MessageDescriptor) wireCost {
	var c wireCost
	scanMessage(b, md, 0, &c)
	return c
}

// maxScanDepth matches protobuf's default recursion limit: deeper messages
// do not decode.
const maxScanDepth = protowire.DefaultRecursionLimit

func scanMessage(b []byte, md protoreflect.MessageDescriptor, depth int, c *wireCost) {
	fields := md.Fields()
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return
		}
		b = b[n:]
		if depth == 0 && typ == protowire.VarintType && isRequestID(fields.ByNumber(num)) {
			v, n := protowire.ConsumeVarint(b)
			if n < 0 {
				return
			}
			c.requestID = v
			b = b[n:]
			continue
		}
		n = protowire.ConsumeFieldValue(num, typ, b)
		if n < 0 {
			return
		}
		if typ == protowire.BytesType {
			if fd := fields.ByNumber(num); fd != nil && (fd.Kind() == protoreflect.MessageKind || fd.Kind() == protoreflect.GroupKind) {
				c.nodes++
				if depth == 0 && num == 3 && md.FullName() == batchRequestName {
					c.jobs++
				}
				if depth < maxScanDepth {
					sub, _ := protowire.ConsumeBytes(b)
					// A map field's message is its entry: key and value.
					scanMessage(sub, fd.Message(), depth+1, c)
				}
			}
		}
		b = b[n:]
	}
}

// isRequestID reports whether fd is a stream request message's request_id.
func isRequestID(fd protoreflect.FieldDescriptor) bool {
	return fd != nil && fd.Name() == "request_id" && fd.Kind() == protoreflect.Uint64Kind
}
