package server

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"strconv"
	"time"

	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/encoding"
	protoencoding "google.golang.org/grpc/encoding/proto"
	"google.golang.org/grpc/mem"
)

// rawMessage is a request message sent as given, whatever its bytes.
type rawMessage []byte

// rawCodec sends rawMessage values untouched and decodes responses as
// protobuf, so that a real gRPC client can send bytes no protobuf library
// would produce.
type rawCodec struct{}

// Marshal returns the bytes of a rawMessage, or the protobuf encoding of
// anything else.
func (rawCodec) Marshal(v any) (mem.BufferSlice, error) {
	if r, ok := v.(rawMessage); ok {
		return mem.BufferSlice{mem.SliceBuffer(r)}, nil
	}
	return encoding.GetCodecV2(protoencoding.Name).Marshal(v)
}

// Unmarshal decodes protobuf.
func (rawCodec) Unmarshal(data mem.BufferSlice, v any) error {
	return encoding.GetCodecV2(protoencoding.Name).Unmarshal(data, v)
}

// Name is the codec's content subtype.
func (rawCodec) Name() string { return protoencoding.Name }

// grpcFrame is a gRPC length-prefixed message: flags, then length, then
// payload.
func grpcFrame(flags byte, length uint32, payload []byte) []byte {
	b := []byte{flags, 0, 0, 0, 0}
	binary.BigEndian.PutUint32(b[1:], length)
	return append(b, payload...)
}

// h2Answer is what a hand-made HTTP/2 call got back.
type h2Answer struct {
	// code and message are the grpc-status and grpc-message trailers, when
	// the server sent them.
	code    codes.Code
	message string
	// reset is set when the server reset the stream, goAway when it closed
	// the connection with GOAWAY, closed when the connection just ended.
	reset, goAway, closed bool
}

// String describes the answer for test failures.
func (a h2Answer) String() string {
	return fmt.Sprintf("code=%s message=%q reset=%v goaway=%v closed=%v", a.code, a.message, a.reset, a.goAway, a.closed)
}

// rawH2Call speaks HTTP/2 by hand on a new connection: it sends preface
// (the HTTP/2 client preface unless overridden), then one gRPC call to
// path whose request body is body, and reads until the call ends.
func rawH2Call(ctx context.Context, dial func(context.Context) (net.Conn, error), preface []byte, path string, body []byte) (h2Answer, error) {
	return rawH2Exchange(ctx, dial, preface, path, body, true)
}

// rawH2Exchange is rawH2Call; unless end is set, the request stream is
// left open after body.
func rawH2Exchange(ctx context.Context, dial func(context.Context) (net.Conn, error), preface []byte, path string, body []byte, end bool) (h2Answer, error) {
	conn, err := dial(ctx)
	if err != nil {
		return h2Answer{}, err
	}
	defer conn.Close()
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = time.Now().Add(20 * time.Second)
	}
	if err := conn.SetDeadline(deadline); err != nil {
		return h2Answer{}, err
	}
	if preface == nil {
		preface = []byte(http2.ClientPreface)
	}
	if _, err := conn.Write(preface); err != nil {
		return h2Answer{closed: true}, nil
	}
	fr := http2.NewFramer(conn, conn)
	fr.ReadMetaHeaders = hpack.NewDecoder(4096, nil)
	if path != "" {
		if err := writeCall(fr, path, body, end); err != nil {
			return h2Answer{closed: true}, nil
		}
	}
	var a h2Answer
	for {
		f, err := fr.ReadFrame()
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				return a, fmt.Errorf("no answer before the deadline: %w", err)
			}
			a.closed = true
			return a, nil
		}
		acknowledge(fr, f)
		switch f := f.(type) {
		case *http2.MetaHeadersFrame:
			for _, h := range f.Fields {
				switch h.Name {
				case "grpc-status":
					n, _ := strconv.Atoi(h.Value)
					a.code = codes.Code(n)
				case "grpc-message":
					a.message = h.Value
				}
			}
			if f.StreamEnded() {
				return a, nil
			}
		case *http2.RSTStreamFrame:
			a.reset = true
			return a, nil
		case *http2.GoAwayFrame:
			a.goAway = true
			return a, nil
		}
	}
}

// acknowledge answers f, when it is a peer's SETTINGS or PING, with the
// acknowledgement HTTP/2 requires.
func acknowledge(fr *http2.Framer, f http2.Frame) {
	switch f := f.(type) {
	case *http2.SettingsFrame:
		if !f.IsAck() {
			_ = fr.WriteSettingsAck()
		}
	case *http2.PingFrame:
		if !f.IsAck() {
			_ = fr.WritePing(true, f.Data)
		}
	}
}

// writeCall sends the settings, the request headers of a gRPC call to
// path and body as its data, ending the stream when end is set.
func writeCall(fr *http2.Framer, path string, body []byte, end bool) error {
	if err := fr.WriteSettings(); err != nil {
		return err
	}
	var hb bytes.Buffer
	enc := hpack.NewEncoder(&hb)
	for _, h := range [][2]string{
		{":method", "POST"}, {":scheme", "http"}, {":path", path}, {":authority", "localhost"},
		{"content-type", "application/grpc"}, {"te", "trailers"},
	} {
		if err := enc.WriteField(hpack.HeaderField{Name: h[0], Value: h[1]}); err != nil {
			return err
		}
	}
	if err := fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: hb.Bytes(), EndHeaders: true}); err != nil {
		return err
	}
	const maxFrame = 16384
	for len(body) > maxFrame {
		if err := fr.WriteData(1, false, body[:maxFrame]); err != nil {
			return err
		}
		body = body[maxFrame:]
	}
	return fr.WriteData(1, end, body)
}
