package server

import "google.golang.org/protobuf/reflect/protoreflect"

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
// nothing. Malformed input ends the scan of the message it is found in
// early: the decoding that follows reports it.
func scanWire(b []byte, md protoreflect.MessageDescriptor) wireCost {
	var w wireWalk
	w.message(b, wireTypeOf(md), 0)
	return w.wireCost
}
