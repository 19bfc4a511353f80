package server

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	ciotransformerv1 "github.com/cio-transformer/cio-transformer/gen/ciotransformer/v1"
	"github.com/cio-transformer/cio-transformer/internal/streamtest"
	"google.golang.org/grpc/codes"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"
)

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
	var clients []*streamtest.Pipeline
	for range streams {
		stream, err := client.TransformBatch(ctx)
		if err != nil {
			t.Fatal(err)
		}
		clients = append(clients, streamtest.Start(stream, streamtest.Typed{
			Requests: messages,
			Request:  func(i int) *ciotransformerv1.TransformBatchRequest { return pipelineRequest(uint64(i)+1, jobsPer) },
		}))
	}
	for _, p := range clients {
		for _, finals := p.Progress(); finals == 0; _, finals = p.Progress() {
			if ctx.Err() != nil {
				t.Fatal("no request message answered before the deadline")
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	start := time.Now()
	live.srv.Shutdown(ctx)
	took := time.Since(start)
	for _, p := range clients {
		<-p.Done()
	}
	if took > grace/2 {
		t.Errorf("shutdown took %s, want it well within the %s grace", took, grace)
	}
	for i, p := range clients {
		if err := p.CheckAnswered(); err != nil {
			t.Errorf("stream %d: %v", i, err)
		}
		sent, answered := p.Progress()
		t.Logf("stream %d: %d request messages sent, %d answered in full; ended with %v", i, sent, answered, p.End())
		if answered == messages {
			continue
		}
		if status.Code(p.End()) != codes.Unavailable {
			t.Errorf("stream %d ended with %v after %d of %d request messages, want Unavailable", i, p.End(), answered, messages)
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
