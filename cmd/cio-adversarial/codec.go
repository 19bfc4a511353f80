package main

import (
	"context"
	"fmt"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/encoding"
	protoencoding "google.golang.org/grpc/encoding/proto"
	"google.golang.org/grpc/mem"
	"google.golang.org/grpc/metadata"
)

// rawMessage is a TransformBatch request message encoded by the harness
// itself: the attacks send messages no client library would build
// (millions of empty jobs) or the same large message many times, and
// encoding them once keeps the harness's own CPU and memory out of the
// way.
type rawMessage struct {
	// id is the request_id the message carries.
	id   uint64
	wire []byte
}

// GetRequestId returns the message's request_id.
func (m *rawMessage) GetRequestId() uint64 { return m.id }

// rawCodec sends a rawMessage as it is and anything else as protobuf. It
// names itself "proto": on the wire the calls are ordinary protobuf calls.
type rawCodec struct {
	encoding.CodecV2
}

// newRawCodec wraps the registered protobuf codec.
func newRawCodec() rawCodec {
	return rawCodec{CodecV2: encoding.GetCodecV2(protoencoding.Name)}
}

// Marshal returns a rawMessage's bytes without copying them.
func (c rawCodec) Marshal(v any) (mem.BufferSlice, error) {
	if m, ok := v.(*rawMessage); ok {
		return mem.BufferSlice{mem.SliceBuffer(m.wire)}, nil
	}
	return c.CodecV2.Marshal(v)
}

// maxClientRecv is the harness client's limit on a received message: far
// above gRPC's 4 MiB default, so that an oversized response is measured
// rather than refused.
const maxClientRecv = 256 << 20

// dial connects a client to addr with the raw codec. extra adds options.
func dial(addr string, extra ...grpc.DialOption) (*grpc.ClientConn, error) {
	opts := append([]grpc.DialOption{
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(
			grpc.ForceCodecV2(newRawCodec()),
			grpc.MaxCallRecvMsgSize(maxClientRecv),
			grpc.MaxCallSendMsgSize(maxClientRecv),
		),
	}, extra...)
	conn, err := grpc.NewClient(addr, opts...)
	if err != nil {
		return nil, fmt.Errorf("dial %s: %w", addr, err)
	}
	return conn, nil
}

// withToken returns ctx carrying the bearer token, if any.
func withToken(ctx context.Context, token string) context.Context {
	if token == "" {
		return ctx
	}
	return metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+token)
}
