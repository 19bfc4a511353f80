package server

import (
	"context"
	"strings"
	"testing"

	ciotransformerv1 "github.com/cio-transformer/cio-transformer/gen/ciotransformer/v1"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

func TestNewReceivingSlots(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		budget  int64
		maxRecv int
		want    int
	}{
		{"default", DefaultMaxInflightBytes, DefaultMaxRecvMsgSize, 10},
		{"small budget", 8 << 20, DefaultMaxRecvMsgSize, minReceivingSlots},
		{"large budget", 1 << 30, 1 << 20, 256},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := cap(newReceiving(tc.budget, tc.maxRecv).slots); got != tc.want {
				t.Errorf("newReceiving(%d, %d) has %d slots, want %d", tc.budget, tc.maxRecv, got, tc.want)
			}
		})
	}
	if r := newReceiving(-1, DefaultMaxRecvMsgSize); r != nil {
		t.Errorf("newReceiving without a budget = %v, want no bound", r)
	}
}

// TestReceivingHoldsSlotOnlyDuringRecv checks that a slot is held while a
// message is received, and given back when Recv returns, whatever it
// returns.
func TestReceivingHoldsSlotOnlyDuringRecv(t *testing.T) {
	t.Parallel()
	r := newReceiving(DefaultMaxInflightBytes, DefaultMaxRecvMsgSize)
	ctx := testContext(t)
	held := -1
	if _, err := recvGated(ctx, r, func() (int, error) {
		held = r.held()
		return 0, status.Error(codes.ResourceExhausted, "too large")
	}); status.Code(err) != codes.ResourceExhausted {
		t.Errorf("recvGated returned %v, want Recv's own error", err)
	}
	if held != 1 {
		t.Errorf("%d slots held during Recv, want 1", held)
	}
	if n := r.held(); n != 0 {
		t.Errorf("%d slots held after Recv, want 0", n)
	}
	// With every slot taken, a stream waits, and gives up with its context.
	for range cap(r.slots) {
		if err := r.enter(ctx); err != nil {
			t.Fatal(err)
		}
	}
	done, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := recvGated(done, r, func() (int, error) {
		t.Error("Recv called without a slot")
		return 0, nil
	}); status.Code(err) != codes.Canceled {
		t.Errorf("recvGated without a free slot returned %v, want Canceled", err)
	}
	if n := r.held(); n != cap(r.slots) {
		t.Errorf("%d slots held, want %d", n, cap(r.slots))
	}
}

// TestTransformBatchOverSizeMessage checks that a stream request message
// over MaxRecvMsgSize, sent whole and followed by the end of sending, is
// answered RESOURCE_EXHAUSTED, over each transport.
func TestTransformBatchOverSizeMessage(t *testing.T) {
	t.Parallel()
	big := rawJob(1, `{"type":"identify","userId":"u","traits":{"x":"`+strings.Repeat("x", 15<<20)+`"}}`)
	req := &ciotransformerv1.TransformBatchRequest{RequestId: 1, Destination: testDestination, Jobs: []*ciotransformerv1.Job{big}}
	onEachTransport(t, Config{}, func(t *testing.T, live *liveServer) {
		client := live.client(t)
		stream := openStream(t, client)
		// Send may fail once the server has ended the stream; its status
		// comes with Recv.
		_ = stream.Send(req)
		_ = stream.CloseSend()
		if _, err := stream.Recv(); status.Code(err) != codes.ResourceExhausted {
			t.Errorf("over-size message answered %v, want RESOURCE_EXHAUSTED", err)
		}
	})
}

// TestIdleRecvGivesBackItsSlot checks that a stream whose client stays
// quiet does not keep its slot, so idle streams cannot starve the others.
func TestIdleRecvGivesBackItsSlot(t *testing.T) {
	t.Parallel()
	r := &receiving{slots: make(chan struct{}, 1)}
	ctx := testContext(t)
	release := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		_, err := recvGated(ctx, r, func() (int, error) {
			<-release
			return 0, nil
		})
		done <- err
	}()
	// Another stream gets the only slot once the idle one has given it
	// back, while the idle one still waits in Recv.
	if err := r.enter(ctx); err != nil {
		t.Fatalf("no slot for a second stream: %v", err)
	}
	r.leave()
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if n := r.held(); n != 0 {
		t.Errorf("%d slots held after both streams, want 0", n)
	}
}
