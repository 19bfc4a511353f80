package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	ciotransformerv1 "github.com/cio-transformer/cio-transformer/gen/ciotransformer/v1"
	"github.com/cio-transformer/cio-transformer/internal/streamtest"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"
)

const (
	shutdownJobsPer   = 400
	shutdownMessages  = 2000
	shutdownStreams   = 4
	shutdownGraceFlag = 10 * time.Second
	shutdownDelayFlag = 2 * time.Second
)

// shutdownRequest is request message r: identify, track and group jobs.
func shutdownRequest(r uint64) *ciotransformerv1.TransformBatchRequest {
	jobs := make([]*ciotransformerv1.Job, shutdownJobsPer)
	for i := range jobs {
		var ev string
		switch i % 3 {
		case 0:
			ev = fmt.Sprintf(`{"type":"identify","userId":"u%d","traits":{"seq":%d,"plan":"pro"}}`, i%40, i)
		case 1:
			ev = fmt.Sprintf(`{"type":"track","userId":"u%d","event":"Clicked","properties":{"seq":%d}}`, i%40, i)
		default:
			ev = fmt.Sprintf(`{"type":"group","userId":"u%d","groupId":"g%d","traits":{"seq":%d}}`, i%40, i%5, i)
		}
		jobs[i] = &ciotransformerv1.Job{JobId: uint64(i), Payload: &ciotransformerv1.Job_RawEvent{RawEvent: []byte(ev)}}
	}
	return &ciotransformerv1.TransformBatchRequest{RequestId: r, Destination: &ciotransformerv1.Destination{SiteId: "site-1", ApiKey: "key-1"}, Jobs: jobs}
}

// healthSample is one health check answer during the shutdown.
type healthSample struct {
	at     time.Time
	status healthpb.HealthCheckResponse_ServingStatus
	code   codes.Code
}

// TestShutdownLosesNoAcceptedRequest runs pipelining TransformBatch streams
// against the real binary, sends SIGTERM while they are in flight and
// checks the whole shutdown: health turns NOT_SERVING while calls are still
// served, every request message the server read gets all its results and
// its final response, the streams then end with UNAVAILABLE (the client
// resends what got no final response), new calls are refused with
// UNAVAILABLE, and the process exits with status 0 within the grace.
func TestShutdownLosesNoAcceptedRequest(t *testing.T) {
	t.Parallel()
	srv := startServer(t, "--shutdown-grace", shutdownGraceFlag.String(), "--shutdown-delay", shutdownDelayFlag.String())
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	dial := func() *grpc.ClientConn {
		conn, err := grpc.NewClient(srv.addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = conn.Close() })
		return conn
	}
	client := ciotransformerv1.NewTransformerServiceClient(dial())

	logs := make([]*streamtest.Pipeline, shutdownStreams)
	for i := range logs {
		stream, err := client.TransformBatch(ctx)
		if err != nil {
			t.Fatal(err)
		}
		logs[i] = streamtest.Start(stream, streamtest.Typed{
			Requests: shutdownMessages,
			Request:  func(i int) *ciotransformerv1.TransformBatchRequest { return shutdownRequest(uint64(i) + 1) },
		})
	}

	// Health is watched from its own connection, as a load balancer does.
	health := healthpb.NewHealthClient(dial())
	var (
		samplesMu sync.Mutex
		samples   []healthSample
	)
	stopSampling := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		for {
			select {
			case <-stopSampling:
				return
			case <-time.After(10 * time.Millisecond):
			}
			cctx, ccancel := context.WithTimeout(ctx, 5*time.Second)
			h, err := health.Check(cctx, &healthpb.HealthCheckRequest{Service: "ciotransformer.v1.TransformerService"})
			ccancel()
			samplesMu.Lock()
			samples = append(samples, healthSample{at: time.Now(), status: h.GetStatus(), code: status.Code(err)})
			samplesMu.Unlock()
		}
	}()

	// SIGTERM once every stream has an answered request message and more
	// in flight.
	for _, l := range logs {
		for {
			sent, finals := l.Progress()
			if finals > 0 && sent > finals {
				break
			}
			if ctx.Err() != nil {
				t.Fatal("streams did not get going")
			}
			time.Sleep(2 * time.Millisecond)
		}
	}
	inFlight := 0
	for _, l := range logs {
		sent, finals := l.Progress()
		inFlight += sent - finals
	}
	sigterm := time.Now()
	if err := srv.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	t.Logf("SIGTERM with %d request messages in flight", inFlight)

	for _, l := range logs {
		<-l.Done()
	}
	// New calls, on a new connection and on the streams' connection.
	for _, c := range []ciotransformerv1.TransformerServiceClient{client, ciotransformerv1.NewTransformerServiceClient(dial())} {
		_, err := c.Transform(ctx, &ciotransformerv1.TransformRequest{Destination: &ciotransformerv1.Destination{SiteId: "s", ApiKey: "k"},
			Job: &ciotransformerv1.Job{JobId: 1, Payload: &ciotransformerv1.Job_RawEvent{RawEvent: []byte(`{"type":"identify","userId":"u"}`)}}})
		if status.Code(err) != codes.Unavailable {
			t.Errorf("new call after the drain: %v, want Unavailable", err)
		}
	}

	var exitErr error
	select {
	case exitErr = <-srv.done:
		srv.done <- exitErr // for the cleanup
	case <-time.After(shutdownGraceFlag + 5*time.Second):
		t.Fatalf("the server did not exit; logs:\n%s", srv.logs.String())
	}
	exited := time.Since(sigterm)
	close(stopSampling)
	<-sampled
	// One last check after the exit, so that the refused phase is sampled
	// however the sampler's ticks fell.
	{
		cctx, ccancel := context.WithTimeout(ctx, 5*time.Second)
		h, err := health.Check(cctx, &healthpb.HealthCheckRequest{Service: "ciotransformer.v1.TransformerService"})
		ccancel()
		samples = append(samples, healthSample{at: time.Now(), status: h.GetStatus(), code: status.Code(err)})
	}
	if exitErr != nil {
		t.Errorf("exit: %v, want status 0", exitErr)
	}
	if exited > shutdownGraceFlag {
		t.Errorf("exited %s after SIGTERM, want within the %s grace", exited, shutdownGraceFlag)
	}

	// Every request message with an answer was answered in full.
	answeredJobs, finals := 0, 0
	for i, l := range logs {
		if err := l.CheckAnswered(); err != nil {
			t.Errorf("stream %d: %v", i, err)
		}
		sent, answered := l.Progress()
		answeredJobs += l.AnsweredJobs()
		finals += answered
		if answered < shutdownMessages && status.Code(l.End()) != codes.Unavailable {
			t.Errorf("stream %d ended with %v after %d request messages, want Unavailable", i, l.End(), answered)
		}
		t.Logf("stream %d: %d sent, %d answered in full, ended with %v", i, sent, answered, status.Code(l.End()))
	}
	// The server counts a call's jobs in its log line once they are
	// answered: it accepted no job the clients did not get.
	if logged := loggedJobs(t, srv.logs.String(), "TransformBatch"); logged != answeredJobs {
		t.Errorf("server logged %d jobs answered, clients got %d", logged, answeredJobs)
	}
	t.Logf("%d request messages (%d jobs) answered; exit %s after SIGTERM", finals, answeredJobs, exited.Round(time.Millisecond))

	// Health: SERVING, then NOT_SERVING while still answering, then
	// refused; never SERVING again.
	samplesMu.Lock()
	defer samplesMu.Unlock()
	phase := 0 // 0 serving, 1 not serving, 2 refused
	var notServingAt time.Time
	for _, s := range samples {
		var p int
		switch {
		case s.code == codes.OK && s.status == healthpb.HealthCheckResponse_SERVING:
			p = 0
		case s.code == codes.OK && s.status == healthpb.HealthCheckResponse_NOT_SERVING:
			p = 1
			if notServingAt.IsZero() {
				notServingAt = s.at
			}
		case s.code == codes.Unavailable:
			p = 2
		default:
			t.Errorf("health check answered %s %s", s.status, s.code)
			continue
		}
		if p < phase {
			t.Errorf("health went back from phase %d to %d (%s %s)", phase, p, s.status, s.code)
		}
		phase = max(phase, p)
	}
	if notServingAt.IsZero() {
		t.Error("health never reported NOT_SERVING before calls were refused")
	} else if notServingAt.Sub(sigterm) > shutdownDelayFlag {
		t.Errorf("NOT_SERVING %s after SIGTERM, want at once", notServingAt.Sub(sigterm))
	}
	if phase != 2 {
		t.Error("health checks were never refused")
	}
}

// loggedJobs sums the jobs field of the server's finished-call log lines of
// method.
func loggedJobs(t *testing.T, logs, method string) int {
	t.Helper()
	total := 0
	for line := range strings.Lines(logs) {
		var rec struct {
			Msg    string `json:"msg"`
			Method string `json:"grpc.method"`
			Jobs   int    `json:"jobs"`
		}
		if json.Unmarshal([]byte(line), &rec) == nil && rec.Msg == "finished call" && rec.Method == method {
			total += rec.Jobs
		}
	}
	return total
}
