package main

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cio-transformer/cio-transformer/internal/streamtest"
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
		requests := streamtest.Endless
		if limit > 0 {
			requests = limit
		}
		p := streamtest.Start(&grpc.GenericClientStream[outFrame, batchReply]{ClientStream: stream}, streamtest.Config[*outFrame, *batchReply]{
			Requests: requests,
			Window:   window,
			Request: func(i int) *outFrame {
				id := uint64(i + 1)
				return &outFrame{id: id, prefix: requestIDPrefix(id), body: msgs[(offset+i)%len(msgs)]}
			},
			// A message's latency runs from when it was due, its turn to
			// be sent, to its final response.
			Answered: func(_ int, due, at time.Time) {
				rec(sample{at: at.Sub(l.start), latency: at.Sub(due), events: jobs})
			},
		})
		select {
		case <-l.stop:
			p.Stop()
		case <-l.failed:
		case <-p.Done():
		}
		select {
		case <-p.Done():
		case <-l.failed:
			// Another worker failed: end the stream, and wait for the
			// receiver so that it records nothing after this returns.
			cancel()
			<-p.Done()
			return nil
		}
		return p.Err()
	})
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
