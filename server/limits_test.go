package server

import (
	"context"
	"net"
	"testing"
	"time"

	ciotransformerv1 "github.com/cio-transformer/cio-transformer/gen/ciotransformer/v1"
	"golang.org/x/net/http2"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

func TestMaxConcurrentStreamsQueuesCalls(t *testing.T) {
	t.Parallel()
	client := startLive(t, Config{MaxConcurrentStreams: 2}, "tcp").client(t)
	ctx := suiteContext(t)
	var open []ciotransformerv1.TransformerService_TransformBatchClient
	for range 2 {
		s, err := client.TransformBatch(ctx)
		if err != nil {
			t.Fatal(err)
		}
		collect(t, s, &ciotransformerv1.TransformBatchRequest{Destination: testDestination, Jobs: []*ciotransformerv1.Job{rawJob(1, `{}`)}})
		open = append(open, s)
	}
	// A third call on the same connection waits for a free stream.
	short, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	if _, err := client.Transform(short, &ciotransformerv1.TransformRequest{Destination: testDestination, Job: rawJob(1, `{}`)}); status.Code(err) != codes.DeadlineExceeded {
		t.Fatalf("third call with two streams open: %v, want it queued until its deadline", err)
	}
	if err := open[0].CloseSend(); err != nil {
		t.Fatal(err)
	}
	if _, err := open[0].Recv(); err == nil {
		t.Fatal("closed stream still answers")
	}
	if _, err := client.Transform(ctx, &ciotransformerv1.TransformRequest{Destination: testDestination, Job: rawJob(1, `{}`)}); err != nil {
		t.Fatalf("call after a stream ended: %v", err)
	}
}

func TestKeepaliveEnforcement(t *testing.T) {
	t.Parallel()
	live := startLive(t, Config{}, "tcp")
	ctx := suiteContext(t)
	conn, err := live.dial(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if err := conn.SetDeadline(time.Now().Add(20 * time.Second)); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Write([]byte(http2ClientPreface)); err != nil {
		t.Fatal(err)
	}
	fr := http2.NewFramer(conn, conn)
	if err := fr.WriteSettings(); err != nil {
		t.Fatal(err)
	}
	// Pings far more often than DefaultKeepaliveMinTime allows.
	for i := range 5 {
		if err := fr.WritePing(false, [8]byte{byte(i)}); err != nil {
			break
		}
	}
	for {
		f, err := fr.ReadFrame()
		if err != nil {
			t.Fatalf("connection ended without GOAWAY: %v", err)
		}
		if g, ok := f.(*http2.GoAwayFrame); ok {
			if g.ErrCode != http2.ErrCodeEnhanceYourCalm || string(g.DebugData()) != "too_many_pings" {
				t.Errorf("GOAWAY %v %q, want ENHANCE_YOUR_CALM too_many_pings", g.ErrCode, g.DebugData())
			}
			return
		}
	}
}

func TestMaxConnectionAge(t *testing.T) {
	t.Parallel()
	const age = 200 * time.Millisecond
	live := startLive(t, Config{MaxConnectionAge: age}, "tcp")
	client := live.client(t)
	ctx := suiteContext(t)
	stream, err := client.TransformBatch(ctx)
	if err != nil {
		t.Fatal(err)
	}
	collect(t, stream, &ciotransformerv1.TransformBatchRequest{RequestId: 1, Destination: testDestination, Jobs: []*ciotransformerv1.Job{rawJob(1, `{}`)}})

	// A connection of its own sees the GOAWAY once it has aged.
	conn, err := live.dial(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	start := time.Now()
	if err := awaitGoAway(conn); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took < age*8/10 || took > 5*time.Second {
		t.Errorf("GOAWAY after %s, want about %s", took, age)
	}

	// The stream opened before the GOAWAY runs on: the grace is unbounded.
	time.Sleep(2 * age)
	again := collect(t, stream, &ciotransformerv1.TransformBatchRequest{RequestId: 2, Destination: testDestination, Jobs: []*ciotransformerv1.Job{rawJob(1, `{"type":"identify","userId":"u"}`)}})
	if len(again) != 1 || again[0].GetRequest() == nil {
		t.Errorf("stream on an aged connection: %v", again)
	}
	// New calls go over a new connection.
	if _, err := client.Transform(ctx, &ciotransformerv1.TransformRequest{Destination: testDestination, Job: rawJob(1, `{}`)}); err != nil {
		t.Errorf("call after the GOAWAY: %v", err)
	}
}

// awaitGoAway speaks HTTP/2 on conn until the server sends GOAWAY.
func awaitGoAway(conn net.Conn) error {
	if err := conn.SetDeadline(time.Now().Add(20 * time.Second)); err != nil {
		return err
	}
	if _, err := conn.Write([]byte(http2ClientPreface)); err != nil {
		return err
	}
	fr := http2.NewFramer(conn, conn)
	if err := fr.WriteSettings(); err != nil {
		return err
	}
	for {
		f, err := fr.ReadFrame()
		if err != nil {
			return err
		}
		if _, ok := f.(*http2.GoAwayFrame); ok {
			return nil
		}
		acknowledge(fr, f)
	}
}
