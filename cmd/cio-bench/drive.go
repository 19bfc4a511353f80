package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

// Full method names of the contract.
const (
	transformMethod      = "/ciotransformer.v1.TransformerService/Transform"
	transformBatchMethod = "/ciotransformer.v1.TransformerService/TransformBatch"
)

// batchStreamDesc describes TransformBatch for grpc.ClientConn.NewStream.
var batchStreamDesc = grpc.StreamDesc{StreamName: "TransformBatch", ServerStreams: true, ClientStreams: true}

// maxCallRecvMsgSize lets the client read responses as large as the
// server's largest accepted request.
const maxCallRecvMsgSize = 64 << 20

// dial opens a client connection to addr.
func dial(addr string) (*grpc.ClientConn, error) {
	return grpc.NewClient(addr,
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(maxCallRecvMsgSize), grpc.ForceCodecV2(frameCodec{})),
	)
}

// sample is one finished request message (streams) or call (unary).
type sample struct {
	// at is when it finished, from the start of the phase.
	at time.Duration
	// latency is the time from sending to its last response.
	latency time.Duration
	// events is the number of jobs it carried.
	events int
}

// load drives one server with one workload until stop is closed, with
// several workers each recording its samples.
type load struct {
	start   time.Time
	stop    chan struct{}
	wg      sync.WaitGroup
	mu      sync.Mutex
	samples [][]sample
	err     error
	failed  chan struct{}
	once    sync.Once
	// events counts the jobs answered so far, for progress reports.
	events atomic.Int64
}

func newLoad() *load {
	return &load{start: time.Now(), stop: make(chan struct{}), failed: make(chan struct{})}
}

// fail records the first error of a worker and signals it.
func (l *load) fail(err error) {
	l.once.Do(func() {
		l.err = err
		close(l.failed)
	})
}

// worker runs fn in a goroutine with its own sample slice.
func (l *load) worker(fn func(rec func(sample)) error) {
	l.wg.Add(1)
	go func() {
		defer l.wg.Done()
		var own []sample
		err := fn(func(s sample) {
			own = append(own, s)
			l.events.Add(int64(s.events))
		})
		l.mu.Lock()
		l.samples = append(l.samples, own)
		l.mu.Unlock()
		if err != nil {
			l.fail(err)
		}
	}()
}

// finish stops the workers, waits for them and returns their samples.
func (l *load) finish() ([]sample, error) {
	close(l.stop)
	l.wg.Wait()
	var all []sample
	for _, s := range l.samples {
		all = append(all, s...)
	}
	return all, l.err
}

// done returns a channel closed when every worker has returned.
func (l *load) done() <-chan struct{} {
	ch := make(chan struct{})
	go func() {
		l.wg.Wait()
		close(ch)
	}()
	return ch
}

// stopped reports whether the workers should stop.
func (l *load) stopped() bool {
	select {
	case <-l.stop:
		return true
	default:
		return false
	}
}

// inflight is a request message sent and not yet answered.
type inflight struct {
	id     uint64
	sentAt time.Time
}

// startStream runs one TransformBatch stream on conn: it sends msgs in
// turn, from offset, keeping at most window request messages unanswered,
// and records each message's latency when its final response arrives. It
// stops after limit messages when limit is positive.
func (l *load) startStream(ctx context.Context, conn *grpc.ClientConn, msgs [][]byte, offset, jobs, window, limit int) {
	l.worker(func(rec func(sample)) error {
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		stream, err := conn.NewStream(ctx, &batchStreamDesc, transformBatchMethod)
		if err != nil {
			return err
		}
		pending := make(chan inflight, window)
		recvErr := make(chan error, 1)
		go func() {
			err := receiveBatches(stream, pending, jobs, l.start, rec)
			if err != nil {
				// Unblocks the sender, which may wait for a window slot.
				cancel()
			}
			recvErr <- err
		}()
		var id uint64
	send:
		for i := offset; limit <= 0 || int(id) < limit; i++ {
			id++
			select {
			case <-l.stop:
				break send
			case <-ctx.Done():
				// The receiver failed and reports why.
				break send
			case pending <- inflight{id: id, sentAt: time.Now()}:
			}
			if err := stream.SendMsg(&outFrame{prefix: requestIDPrefix(id), body: msgs[i%len(msgs)]}); err != nil {
				// The receiver sees the stream's status.
				break
			}
		}
		closeErr := stream.CloseSend()
		select {
		case err := <-recvErr:
			return errors.Join(closeErr, err)
		case <-l.failed:
			// Another worker failed: end the stream, and wait for the
			// receiver so that it records nothing after this returns.
			cancel()
			<-recvErr
			return closeErr
		}
	})
}

// receiveBatches reads a stream's responses until it ends. Responses come
// in request order, so each final one answers the oldest pending message.
func receiveBatches(stream grpc.ClientStream, pending chan inflight, jobs int, start time.Time, rec func(sample)) error {
	for {
		var r batchReply
		if err := stream.RecvMsg(&r); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
		if !r.final {
			continue
		}
		now := time.Now()
		select {
		case m := <-pending:
			if m.id != r.requestID {
				return fmt.Errorf("response for request %d while waiting for %d", r.requestID, m.id)
			}
			rec(sample{at: now.Sub(start), latency: now.Sub(m.sentAt), events: jobs})
		default:
			return fmt.Errorf("final response for request %d that was not sent", r.requestID)
		}
	}
}

// startUnary runs one unary worker on conn: Transform calls one after the
// other with reqs in turn, from offset, stepping by step.
func (l *load) startUnary(ctx context.Context, conn *grpc.ClientConn, reqs [][]byte, offset, step int) {
	l.worker(func(rec func(sample)) error {
		for i := offset; !l.stopped(); i += step {
			sent := time.Now()
			var reply unaryReply
			if err := conn.Invoke(ctx, transformMethod, &outFrame{body: reqs[i%len(reqs)]}, &reply); err != nil {
				return err
			}
			now := time.Now()
			rec(sample{at: now.Sub(l.start), latency: now.Sub(sent), events: 1})
		}
		return nil
	})
}
