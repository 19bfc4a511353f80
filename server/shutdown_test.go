package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	ciotransformerv1 "github.com/cio-transformer/cio-transformer/gen/ciotransformer/v1"
	"google.golang.org/grpc/codes"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"
)

// pipelined is what one pipelining TransformBatch client saw.
type pipelined struct {
	mu sync.Mutex
	// jobs counts, per request id, how often each job id was answered.
	jobs map[uint64]map[uint64]int
	// final holds the request ids whose final response arrived.
	final map[uint64]bool
	// sent is how many request messages were sent.
	sent int
	// end is the error that ended the stream (nil when it ended with OK).
	end error
}

// finals returns how many request messages got their final response.
func (p *pipelined) finals() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.final)
}

// pipeline sends up to n request messages of jobsPer jobs on a new
// TransformBatch stream without waiting for answers, reads every answer
// until the stream ends, and returns what it saw once done is closed.
func pipeline(ctx context.Context, client ciotransformerv1.TransformerServiceClient, n, jobsPer int) (*pipelined, <-chan struct{}, error) {
	stream, err := client.TransformBatch(ctx)
	if err != nil {
		return nil, nil, err
	}
	p := &pipelined{jobs: map[uint64]map[uint64]int{}, final: map[uint64]bool{}}
	go func() {
		for r := 1; r <= n; r++ {
			if err := stream.Send(pipelineRequest(uint64(r), jobsPer)); err != nil {
				return
			}
			p.mu.Lock()
			p.sent++
			p.mu.Unlock()
		}
		_ = stream.CloseSend()
	}()
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			resp, err := stream.Recv()
			p.mu.Lock()
			if err != nil {
				if !errors.Is(err, io.EOF) {
					p.end = err
				}
				p.mu.Unlock()
				return
			}
			id := resp.GetRequestId()
			if p.jobs[id] == nil {
				p.jobs[id] = map[uint64]int{}
			}
			for _, r := range resp.GetResults() {
				for _, j := range r.GetJobs() {
					p.jobs[id][j.GetJobId()]++
				}
			}
			if resp.GetFinal() {
				p.final[id] = true
			}
			p.mu.Unlock()
		}
	}()
	return p, done, nil
}

// pipelineRequest is request message r of a pipelining client: jobsPer
// identify and group jobs.
func pipelineRequest(r uint64, jobsPer int) *ciotransformerv1.TransformBatchRequest {
	jobs := make([]*ciotransformerv1.Job, jobsPer)
	for i := range jobs {
		ev := fmt.Sprintf(`{"type":"identify","userId":"u%d","traits":{"seq":%d}}`, i%50, i)
		if i%7 == 0 {
			ev = fmt.Sprintf(`{"type":"group","userId":"u%d","groupId":"g%d","traits":{"seq":%d}}`, i%50, i%3, i)
		}
		jobs[i] = rawJob(r*100000+uint64(i), ev)
	}
	return &ciotransformerv1.TransformBatchRequest{RequestId: r, Destination: testDestination, Jobs: jobs}
}

// verify checks that every request message with any answer got all of
// its jobs answered exactly once and its final response, and returns how
// many were answered.
func (p *pipelined) verify(t *testing.T, jobsPer int) int {
	t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	for id, jobs := range p.jobs {
		if !p.final[id] {
			t.Errorf("request %d: %d jobs answered but no final response", id, len(jobs))
		}
		if len(jobs) != jobsPer {
			t.Errorf("request %d: %d of %d jobs answered", id, len(jobs), jobsPer)
		}
		for job, n := range jobs {
			if n != 1 {
				t.Errorf("request %d: job %d answered %d times", id, job, n)
			}
		}
	}
	for id := range p.final {
		if _, ok := p.jobs[id]; !ok && jobsPer > 0 {
			t.Errorf("request %d: final response without results", id)
		}
	}
	return len(p.final)
}

func TestShutdownAnswersEveryAcceptedMessage(t *testing.T) {
	t.Parallel()
	const (
		streams  = 4
		messages = 200
		jobsPer  = 300
		grace    = 30 * time.Second
	)
	// A little work per job keeps every stream busy with a request message
	// when the shutdown starts.
	hook := func(uint64) { time.Sleep(20 * time.Microsecond) }
	live := startLive(t, Config{ShutdownGrace: grace, jobHook: hook}, "tcp")
	client := live.client(t)
	ctx := suiteContext(t)
	var (
		clients []*pipelined
		dones   []<-chan struct{}
	)
	for range streams {
		p, done, err := pipeline(ctx, client, messages, jobsPer)
		if err != nil {
			t.Fatal(err)
		}
		clients = append(clients, p)
		dones = append(dones, done)
	}
	for _, p := range clients {
		for p.finals() == 0 {
			if ctx.Err() != nil {
				t.Fatal("no request message answered before the deadline")
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	start := time.Now()
	live.srv.Shutdown(ctx)
	took := time.Since(start)
	for _, done := range dones {
		<-done
	}
	if took > grace/2 {
		t.Errorf("shutdown took %s, want it well within the %s grace", took, grace)
	}
	for i, p := range clients {
		answered := p.verify(t, jobsPer)
		t.Logf("stream %d: %d request messages sent, %d answered in full; ended with %v", i, p.sent, answered, p.end)
		if answered == messages {
			continue
		}
		if status.Code(p.end) != codes.Unavailable {
			t.Errorf("stream %d ended with %v after %d of %d request messages, want Unavailable", i, p.end, answered, messages)
		}
	}
}

func TestShutdownDelayKeepsServing(t *testing.T) {
	t.Parallel()
	const delay = 500 * time.Millisecond
	live := startLive(t, Config{ShutdownDelay: delay, ShutdownGrace: 10 * time.Second}, "tcp")
	conn := live.conn(t)
	health := healthpb.NewHealthClient(conn)
	client := ciotransformerv1.NewTransformerServiceClient(conn)
	ctx := suiteContext(t)
	watch, err := health.Watch(ctx, &healthpb.HealthCheckRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if h, err := watch.Recv(); err != nil || h.GetStatus() != healthpb.HealthCheckResponse_SERVING {
		t.Fatalf("watch: %v %v, want SERVING", h, err)
	}
	start := time.Now()
	stopped := make(chan time.Duration, 1)
	go func() {
		live.srv.Shutdown(ctx)
		stopped <- time.Since(start)
	}()
	if h, err := watch.Recv(); err != nil || h.GetStatus() != healthpb.HealthCheckResponse_NOT_SERVING {
		t.Fatalf("watch: %v %v, want NOT_SERVING", h, err)
	}
	// During the delay, health says NOT_SERVING and calls are still served.
	h, err := health.Check(ctx, &healthpb.HealthCheckRequest{})
	if err != nil || h.GetStatus() != healthpb.HealthCheckResponse_NOT_SERVING {
		t.Errorf("check during the delay: %v %v, want NOT_SERVING", h, err)
	}
	resp, err := client.Transform(ctx, &ciotransformerv1.TransformRequest{Destination: testDestination, Job: rawJob(1, `{"type":"identify","userId":"u1"}`)})
	if time.Since(start) < delay && (err != nil || resp.GetResult().GetRequest() == nil) {
		t.Errorf("transform during the delay: %v %v", resp, err)
	}
	// The watch, a call that never ends by itself, is ended by the drain.
	if _, err := watch.Recv(); err == nil {
		t.Error("watch still open after the drain")
	}
	took := <-stopped
	if took < delay || took > delay+5*time.Second {
		t.Errorf("shutdown took %s, want a little over the %s delay", took, delay)
	}
	_, err = client.Transform(ctx, &ciotransformerv1.TransformRequest{Destination: testDestination, Job: rawJob(1, `{"type":"identify","userId":"u1"}`)})
	if status.Code(err) != codes.Unavailable {
		t.Errorf("transform after shutdown: %v, want Unavailable", err)
	}
}

func TestShutdownGraceCutsStuckCalls(t *testing.T) {
	t.Parallel()
	const grace = 300 * time.Millisecond
	release := make(chan struct{})
	entered := make(chan struct{}, 1)
	hook := func(id uint64) {
		if id == 13 {
			entered <- struct{}{}
			<-release
		}
	}
	live := startLive(t, Config{ShutdownGrace: grace, jobHook: hook}, "bufconn")
	defer close(release)
	client := live.client(t)
	ctx := suiteContext(t)
	errc := make(chan error, 1)
	go func() {
		_, err := client.Transform(ctx, &ciotransformerv1.TransformRequest{Destination: testDestination, Job: rawJob(13, `{}`)})
		errc <- err
	}()
	<-entered
	start := time.Now()
	live.srv.Shutdown(ctx)
	if took := time.Since(start); took < grace || took > grace+5*time.Second {
		t.Errorf("shutdown took %s, want about the %s grace", took, grace)
	}
	if err := <-errc; status.Code(err) != codes.Unavailable && status.Code(err) != codes.Canceled {
		t.Errorf("stuck call ended with %v, want Unavailable or Canceled", err)
	}
}

func TestConfigRejectsDelayAsLongAsGrace(t *testing.T) {
	t.Parallel()
	if _, err := New(Config{ShutdownDelay: time.Second, ShutdownGrace: time.Second}); err == nil {
		t.Error("New accepted a shutdown delay as long as the grace")
	}
	if _, err := New(Config{KeepaliveMinTime: -time.Second}); err == nil {
		t.Error("New accepted a negative keepalive min time")
	}
}

// TestDrainEndsPendingReads shows that the reads a drain abandons end with
// their streams: no goroutine is left behind. It does not run in parallel,
// so that no other test's streams are counted.
func TestDrainEndsPendingReads(t *testing.T) {
	live := startLive(t, Config{ShutdownGrace: 10 * time.Second}, "bufconn")
	client := live.client(t)
	ctx := suiteContext(t)
	var streams []ciotransformerv1.TransformerService_TransformBatchClient
	for range 3 {
		s, err := client.TransformBatch(ctx)
		if err != nil {
			t.Fatal(err)
		}
		// A first answered message shows the handler runs and now waits in
		// its next read.
		collect(t, s, &ciotransformerv1.TransformBatchRequest{Destination: testDestination, Jobs: []*ciotransformerv1.Job{rawJob(1, `{}`)}})
		streams = append(streams, s)
	}
	deadline := time.Now().Add(5 * time.Second)
	for pendingReads() < len(streams) && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if n := pendingReads(); n < len(streams) {
		t.Fatalf("%d reads pending before the shutdown, want %d", n, len(streams))
	}
	live.srv.Shutdown(ctx)
	for i, s := range streams {
		if _, err := s.Recv(); status.Code(err) != codes.Unavailable {
			t.Errorf("stream %d: %v, want Unavailable", i, err)
		}
	}
	for pendingReads() > 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if n := pendingReads(); n > 0 {
		t.Errorf("%d reads still pending after the shutdown", n)
	}
}

// pendingReads counts the goroutines reading for a drainingStream.
func pendingReads() int {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			return strings.Count(string(buf[:n]), "(*drainingStream).RecvMsg.func")
		}
		buf = make([]byte, 2*len(buf))
	}
}
