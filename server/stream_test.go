package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	ciotransformerv1 "github.com/cio-transformer/cio-transformer/gen/ciotransformer/v1"
	"github.com/cio-transformer/cio-transformer/internal/streamtest"
	"github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors/logging"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/structpb"
)

// batchStream is the client side of a TransformBatch call.
type batchStream = grpc.BidiStreamingClient[ciotransformerv1.TransformBatchRequest, ciotransformerv1.TransformBatchResponse]

// patience is how long a test waits for the server to settle or a call
// to end: generous, since busy test machines are slow.
const patience = time.Minute

// heavyContext returns a context for a call that moves a lot of data: it
// ends with the test, after at most two minutes.
func heavyContext(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// plannedJob is a job a test sends, with what the test needs to check its
// answer.
type plannedJob struct {
	id    uint64
	user  string
	event string
	// meta is the job's metadata marker, or -1 for a job without metadata.
	meta int
}

// pipelineUsers is how many users a pipelined request message spreads its
// jobs over: few enough that most jobs share a user with an earlier one.
const pipelineUsers = 7

// planRequest plans request message reqID: n jobs of mixed types, some
// invalid, for a few users, seeded by reqID so every message differs.
func planRequest(reqID uint64, n int) []plannedJob {
	rng := rand.New(rand.NewPCG(reqID, 0x5eed))
	jobs := make([]plannedJob, n)
	for i := range jobs {
		u := fmt.Sprintf("u%d", rng.IntN(pipelineUsers))
		var ev string
		switch k := rng.IntN(20); {
		case k < 4:
			ev = fmt.Sprintf(`{"type":"identify","userId":%q,"traits":{"plan":"pro","seq":%d}}`, u, i)
		case k < 8:
			ev = fmt.Sprintf(`{"type":"track","userId":%q,"event":"Clicked","properties":{"seq":%d}}`, u, i)
		case k < 10:
			ev = fmt.Sprintf(`{"type":"page","userId":%q,"name":"Home","properties":{"seq":%d}}`, u, i)
		case k < 15:
			ev = fmt.Sprintf(`{"type":"group","userId":%q,"groupId":"g%d","traits":{"name":"Group","seq":%d}}`, u, rng.IntN(5), i)
		case k < 17:
			ev = fmt.Sprintf(`{"type":"alias","userId":%q,"previousId":"old-%s"}`, u, u)
		case k == 17:
			// No event name: a per-job 400.
			ev = fmt.Sprintf(`{"type":"track","userId":%q}`, u)
		case k == 18:
			ev = fmt.Sprintf(`{"type":"identify","userId":%q`, u)
		default:
			ev = `[1,2]`
		}
		meta := -1
		if i%10 == 0 {
			meta = i
		}
		// Job ids are unique within a message only; reusing them across
		// messages is allowed and exercised here.
		jobs[i] = plannedJob{id: uint64(1000 + i*3), user: u, event: ev, meta: meta}
	}
	return jobs
}

// plannedRequest builds the request message of a plan.
func plannedRequest(t *testing.T, reqID uint64, plan []plannedJob) *ciotransformerv1.TransformBatchRequest {
	jobs := make([]*ciotransformerv1.Job, len(plan))
	for i, p := range plan {
		jobs[i] = rawJob(p.id, p.event)
		if p.meta >= 0 {
			m, err := structpb.NewStruct(map[string]any{"seq": float64(p.meta)})
			if err != nil {
				t.Error(err)
			}
			jobs[i].Metadata = m
		}
	}
	return &ciotransformerv1.TransformBatchRequest{RequestId: reqID, Destination: testDestination, Jobs: jobs}
}

// checkAnswer checks that results answer plan: every job exactly once, with
// its metadata, jobs of a batch in input order, and no request placed before
// a request built from an earlier job of the same user (deviation D3).
// Errors are exempt from the ordering rule.
func checkAnswer(plan []plannedJob, results []*ciotransformerv1.JobResult) error {
	index := make(map[uint64]int, len(plan))
	for i, p := range plan {
		index[p.id] = i
	}
	pos := make([]int, len(plan))
	ok := make([]bool, len(plan))
	seen := make([]bool, len(plan))
	for r, res := range results {
		refs := res.GetJobs()
		if len(refs) == 0 {
			return fmt.Errorf("result %d covers no job", r)
		}
		if res.GetRequest() == nil && res.GetError() == nil {
			return fmt.Errorf("result %d has no outcome", r)
		}
		if res.GetError() != nil && len(refs) != 1 {
			return fmt.Errorf("error result %d covers %d jobs", r, len(refs))
		}
		last := -1
		for _, ref := range refs {
			i, found := index[ref.GetJobId()]
			if !found {
				return fmt.Errorf("result %d covers unknown job %d", r, ref.GetJobId())
			}
			if seen[i] {
				return fmt.Errorf("job %d answered twice", ref.GetJobId())
			}
			if i <= last {
				return fmt.Errorf("result %d lists job %d out of input order", r, ref.GetJobId())
			}
			last = i
			seen[i], pos[i], ok[i] = true, r, res.GetRequest() != nil
			want := plan[i].meta
			got, hasMeta := ref.GetMetadata().GetFields()["seq"]
			if (want >= 0) != hasMeta || (hasMeta && got.GetNumberValue() != float64(want)) {
				return fmt.Errorf("job %d: metadata %v, want seq %d", ref.GetJobId(), ref.GetMetadata(), want)
			}
		}
	}
	lastPos := map[string]int{}
	for i, p := range plan {
		if !seen[i] {
			return fmt.Errorf("job %d not answered", p.id)
		}
		if !ok[i] {
			continue
		}
		if prev, found := lastPos[p.user]; found && pos[i] < prev {
			return fmt.Errorf("user %s: job %d answered at result %d, before an earlier job's result %d", p.user, p.id, pos[i], prev)
		}
		lastPos[p.user] = pos[i]
	}
	return nil
}

// plannedPipeline pipelines the request messages of plans, numbered from
// 1, and keeps their results.
type plannedPipeline struct {
	*streamtest.Pipeline
	plans [][]plannedJob
	// oversized is the first response seen that holds more than
	// resultsPerResponse results; the receiving goroutine writes it, and
	// it is read once the Pipeline is done.
	oversized error
}

// startPlanned starts pipelining the request messages of plans on stream;
// with a hold, it receives nothing until hold is closed.
func startPlanned(t *testing.T, stream batchStream, plans [][]plannedJob, hold <-chan struct{}) *plannedPipeline {
	pp := &plannedPipeline{plans: plans}
	cfg := streamtest.Typed{
		Requests:    len(plans),
		Request:     func(i int) *ciotransformerv1.TransformBatchRequest { return plannedRequest(t, uint64(i+1), plans[i]) },
		KeepResults: true,
		Hold:        hold,
		Received: func(resp *ciotransformerv1.TransformBatchResponse) {
			if n := len(resp.GetResults()); n > resultsPerResponse && pp.oversized == nil {
				pp.oversized = fmt.Errorf("request %d: a response holds %d results, more than %d", resp.GetRequestId(), n, resultsPerResponse)
			}
		},
	}
	pp.Pipeline = streamtest.Start(stream, cfg)
	return pp
}

// check waits for the stream's end and checks the answers: request ids in
// order, final exactly once per message and last, nothing after the last
// answer and a clean end (the Pipeline's own checks), at most
// resultsPerResponse results per response, and every message fully
// answered (checkAnswer).
func (pp *plannedPipeline) check() error {
	if err := pp.Wait(); err != nil {
		return err
	}
	if pp.oversized != nil {
		return pp.oversized
	}
	for i, plan := range pp.plans {
		results, _ := pp.Results(i)
		if err := checkAnswer(plan, results); err != nil {
			return fmt.Errorf("request %d: %w", i+1, err)
		}
	}
	return nil
}

func TestTransformBatchPipelining(t *testing.T) {
	t.Parallel()
	messages := 1000
	if raceEnabled {
		messages = 300
	}
	const jobsPerMessage = 100
	plans := make([][]plannedJob, messages)
	for i := range plans {
		plans[i] = planRequest(uint64(i+1), jobsPerMessage)
	}
	var handled atomic.Int64
	client := testClient(t, Config{jobHook: func(uint64) { handled.Add(1) }})
	stream, err := client.TransformBatch(heavyContext(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := startPlanned(t, stream, plans, nil).check(); err != nil {
		t.Fatal(err)
	}
	if got, want := handled.Load(), int64(messages*jobsPerMessage); got != want {
		t.Errorf("server transformed %d jobs, want %d", got, want)
	}
}

func TestTransformBatchEmptyRequest(t *testing.T) {
	t.Parallel()
	client := testClient(t, Config{})
	stream := openStream(t, client)
	for _, id := range []uint64{5, 0} {
		if err := stream.Send(&ciotransformerv1.TransformBatchRequest{RequestId: id, Destination: testDestination}); err != nil {
			t.Fatal(err)
		}
		resp, err := stream.Recv()
		if err != nil {
			t.Fatal(err)
		}
		if resp.GetRequestId() != id || !resp.GetFinal() || len(resp.GetResults()) != 0 {
			t.Errorf("request %d without jobs: got %v, want one final response without results", id, resp)
		}
	}
	// The stream goes on.
	results := collect(t, stream, &ciotransformerv1.TransformBatchRequest{RequestId: 6, Destination: testDestination,
		Jobs: []*ciotransformerv1.Job{rawJob(1, `{"type":"identify","userId":"u1"}`)}})
	if len(results) != 1 || results[0].GetRequest() == nil {
		t.Errorf("after empty requests: got %v", results)
	}
}

func TestTransformBatchSplitsResponses(t *testing.T) {
	t.Parallel()
	client := testClient(t, Config{})
	tests := []struct {
		name string
		jobs int
		// results are the result counts of the responses, in order.
		results []int
	}{
		{name: "one short response", jobs: 3, results: []int{3}},
		{name: "just under a response", jobs: resultsPerResponse - 1, results: []int{resultsPerResponse - 1}},
		{name: "exactly one response", jobs: resultsPerResponse, results: []int{resultsPerResponse}},
		{name: "several responses", jobs: 2*resultsPerResponse + 7, results: []int{resultsPerResponse, resultsPerResponse, 7}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			stream := openStream(t, client)
			plan := make([]plannedJob, tt.jobs)
			for i := range plan {
				u := fmt.Sprintf("u%d", i%3)
				plan[i] = plannedJob{id: uint64(i + 1), user: u, meta: -1,
					event: fmt.Sprintf(`{"type":"track","userId":%q,"event":"E","properties":{"seq":%d}}`, u, i)}
			}
			if err := stream.Send(plannedRequest(t, 9, plan)); err != nil {
				t.Fatal(err)
			}
			var counts []int
			var results []*ciotransformerv1.JobResult
			for {
				resp, err := stream.Recv()
				if err != nil {
					t.Fatal(err)
				}
				counts = append(counts, len(resp.GetResults()))
				results = append(results, resp.GetResults()...)
				if resp.GetFinal() {
					break
				}
			}
			if fmt.Sprint(counts) != fmt.Sprint(tt.results) {
				t.Errorf("response sizes %v, want %v", counts, tt.results)
			}
			if err := checkAnswer(plan, results); err != nil {
				t.Error(err)
			}
		})
	}
}

// settle polls value until it has stopped changing for a while and returns
// it. It fails the test when value is still changing after a generous
// deadline.
func settle(t *testing.T, value func() int64) int64 {
	t.Helper()
	const (
		poll   = 20 * time.Millisecond
		stable = 25 // polls without change
	)
	deadline := time.Now().Add(patience)
	last, same := value(), 0
	for same < stable {
		if time.Now().After(deadline) {
			t.Fatalf("still changing after %s, at %d", patience, last)
		}
		time.Sleep(poll)
		if v := value(); v != last {
			last, same = v, 0
		} else {
			same++
		}
	}
	return last
}

// liveHeap returns the bytes of live heap objects. Objects kept only by
// sync.Pool caches (gRPC pools its message buffers) do not count: they
// survive one collection but not two.
func liveHeap() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// Not parallel: it measures the process heap, which parallel tests would
// disturb.
func TestTransformBatchBackpressure(t *testing.T) {
	const (
		jobsPerMessage = 1000
		// maxHeapGrowth bounds the live heap the stalled call may hold,
		// client and server together: a message in hand on each side and
		// what gRPC's flow-control windows let through (under 10 MiB in
		// practice). Without backpressure the server would take in every
		// message, a megabyte each, and hold their answers, over a
		// megabyte each.
		maxHeapGrowth = 24 << 20
	)
	messages := 40
	if raceEnabled {
		messages = 20
	}
	// About a kilobyte of traits per event, so each message's answers
	// take over a megabyte.
	padding := strings.Repeat("x", 1000)
	plan := make([]plannedJob, jobsPerMessage)
	for i := range plan {
		u := fmt.Sprintf("u%d", i%50)
		plan[i] = plannedJob{id: uint64(i + 1), user: u, meta: -1,
			event: fmt.Sprintf(`{"type":"identify","userId":%q,"traits":{"seq":%d,"note":%q}}`, u, i, padding)}
	}
	// Every message carries the same jobs; only its request id differs.
	plans := make([][]plannedJob, messages)
	for m := range plans {
		plans[m] = plan
	}
	var handled atomic.Int64
	client := testClient(t, Config{jobHook: func(uint64) { handled.Add(1) }})
	before := liveHeap()
	stream, err := client.TransformBatch(heavyContext(t))
	if err != nil {
		t.Fatal(err)
	}
	// The client only sends until hold is closed; if the test ends first,
	// it lets the Pipeline read to the stream's end.
	hold := make(chan struct{})
	release := sync.OnceFunc(func() { close(hold) })
	t.Cleanup(release)
	p := startPlanned(t, stream, plans, hold)

	stalled := settle(t, handled.Load)
	sending := settle(t, func() int64 {
		sent, _ := p.Progress()
		return int64(sent)
	})
	growth := int64(liveHeap()) - int64(before)
	total := int64(messages * jobsPerMessage)
	t.Logf("stalled after transforming %d of %d jobs, %d of %d messages sent, live heap grew by %.1f MiB",
		stalled, total, sending, messages, float64(growth)/(1<<20))
	if stalled > total/4 {
		t.Errorf("server transformed %d of %d jobs for a client that reads nothing, want it to stop early", stalled, total)
	}
	if sending >= int64(messages) {
		t.Errorf("client sent all %d messages without reading, want its sends to block", sending)
	}
	if growth > maxHeapGrowth {
		t.Errorf("live heap grew by %d bytes while the client did not read, want at most %d", growth, maxHeapGrowth)
	}
	select {
	case <-p.SendDone():
		t.Fatalf("sending ended after %d of %d messages while the client did not read", sending, messages)
	default:
	}

	release()
	if err := p.check(); err != nil {
		t.Fatal(err)
	}
	if got := handled.Load(); got != total {
		t.Errorf("server transformed %d jobs, want %d", got, total)
	}
}

// callLog records the finished-call log lines of a server.
type callLog struct {
	buf lockedBuffer
}

// logger returns a logger writing to l.
func (l *callLog) logger() *slog.Logger {
	return slog.New(slog.NewJSONHandler(&l.buf, nil))
}

// finishedCall is what the server logged about a finished call.
type finishedCall struct {
	code, err string
}

// String describes the call.
func (c finishedCall) String() string {
	if c.err == "" {
		return c.code
	}
	return c.code + " (" + c.err + ")"
}

// finished returns the finished calls of method, in order.
func (l *callLog) finished(method string) []finishedCall {
	var out []finishedCall
	for line := range strings.Lines(l.buf.String()) {
		var rec map[string]any
		if json.Unmarshal([]byte(line), &rec) != nil {
			continue
		}
		if rec[logging.MethodFieldKey] == method {
			code, _ := rec["grpc.code"].(string)
			err, _ := rec["grpc.error"].(string)
			out = append(out, finishedCall{code: code, err: err})
		}
	}
	return out
}

// awaitFinished waits until the server has logged a finished call of
// method, which it does once the handler returned, and returns it.
func (l *callLog) awaitFinished(t *testing.T, method string) finishedCall {
	t.Helper()
	deadline := time.Now().Add(patience)
	for time.Now().Before(deadline) {
		if c := l.finished(method); len(c) > 0 {
			return c[0]
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("no finished %s call logged after %s", method, patience)
	return finishedCall{}
}

// bigRequest is a request message of n identify jobs numbered from
// firstID.
func bigRequest(firstID uint64, n int) *ciotransformerv1.TransformBatchRequest {
	jobs := make([]*ciotransformerv1.Job, n)
	for i := range jobs {
		jobs[i] = rawJob(firstID+uint64(i), fmt.Sprintf(`{"type":"identify","userId":"u%d","traits":{"seq":%d}}`, i%20, i))
	}
	return &ciotransformerv1.TransformBatchRequest{RequestId: 1, Destination: testDestination, Jobs: jobs}
}

// slowJob stands for a job the server takes a while over, so that a call
// that is not stopped would go on calling the job hook for seconds.
const slowJob = 500 * time.Microsecond

// stopWithin is how many more jobs a call may go through once it is
// cancelled or past its deadline: far fewer than the jobs left, and fewer
// than fill a response, whose failing send would stop the call anyway.
const stopWithin = resultsPerResponse / 2

// bigJobs is the size of the request message a cancelled call is working
// through, and bigFirstID its first job id: only these jobs are counted.
const (
	bigJobs    = DefaultMaxJobsPerRequest
	bigFirstID = 1 << 40
)

func TestTransformBatchClientCancel(t *testing.T) {
	t.Parallel()
	// cancelAt is just past a full response, so that no send is due for
	// almost resultsPerResponse jobs: the server's own checks must stop it.
	const cancelAt = 2*resultsPerResponse + 10
	var (
		handled   atomic.Int64
		reached   = make(chan struct{})
		cancelled = make(chan struct{})
		log       callLog
		parent    = testContext(t)
	)
	hook := func(id uint64) {
		if id < bigFirstID {
			return
		}
		switch n := handled.Add(1); {
		case n == cancelAt:
			close(reached)
			select {
			case <-cancelled:
			case <-parent.Done():
			}
		case n > cancelAt:
			time.Sleep(slowJob)
		}
	}
	client := testClient(t, Config{Logger: log.logger(), jobHook: hook})
	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	stream, err := client.TransformBatch(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := stream.Send(bigRequest(bigFirstID, bigJobs)); err != nil {
		t.Fatal(err)
	}
	select {
	case <-reached:
	case <-parent.Done():
		t.Fatal("the server never reached the cancellation point")
	}
	cancel()
	close(cancelled)
	for {
		if _, err := stream.Recv(); err != nil {
			if status.Code(err) != codes.Canceled {
				t.Errorf("client: got %v, want Canceled", err)
			}
			break
		}
	}
	if call := log.awaitFinished(t, "TransformBatch"); call.code != codes.Canceled.String() {
		t.Errorf("server ended the call with %v, want Canceled", call)
	}
	after := handled.Load() - cancelAt
	t.Logf("server transformed %d of the %d jobs left after the client cancelled", after, bigJobs-cancelAt)
	if after > stopWithin {
		t.Errorf("server transformed %d of the %d jobs left after the client cancelled, want it to stop promptly", after, bigJobs-cancelAt)
	}
	assertStillServing(t, client)
}

func TestTransformBatchDeadline(t *testing.T) {
	t.Parallel()
	var (
		handled atomic.Int64
		log     callLog
	)
	ctx, cancel := context.WithTimeout(testContext(t), time.Second)
	defer cancel()
	hook := func(id uint64) {
		if id < bigFirstID {
			return
		}
		// The deadline passes while the server is at the first job.
		if handled.Add(1) == 1 {
			<-ctx.Done()
		}
		time.Sleep(slowJob)
	}
	client := testClient(t, Config{Logger: log.logger(), jobHook: hook})
	stream, err := client.TransformBatch(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// A Send the deadline overtakes reports EOF; Recv tells why.
	if err := stream.Send(bigRequest(bigFirstID, bigJobs)); err != nil && !errors.Is(err, io.EOF) {
		t.Fatal(err)
	}
	for {
		if _, err := stream.Recv(); err != nil {
			if status.Code(err) != codes.DeadlineExceeded {
				t.Errorf("client: got %v, want DeadlineExceeded", err)
			}
			break
		}
	}
	// The server's own deadline and the client's reset race to end the
	// call; either way the handler must stop.
	switch call := log.awaitFinished(t, "TransformBatch"); call.code {
	case codes.DeadlineExceeded.String(), codes.Canceled.String():
	default:
		t.Errorf("server ended the call with %v, want DeadlineExceeded or Canceled", call)
	}
	stopped := handled.Load()
	t.Logf("server transformed %d of %d jobs before the deadline stopped it", stopped, bigJobs)
	if stopped > stopWithin {
		t.Errorf("server transformed %d of %d jobs of a call past its deadline, want it to stop", stopped, bigJobs)
	}
	if settle(t, handled.Load) != stopped {
		t.Errorf("server went on transforming jobs after the call ended")
	}
	assertStillServing(t, client)
}

// assertStillServing checks that client's server answers new calls.
func assertStillServing(t *testing.T, client ciotransformerv1.TransformerServiceClient) {
	t.Helper()
	ctx := testContext(t)
	resp, err := client.Transform(ctx, &ciotransformerv1.TransformRequest{Destination: testDestination, Job: rawJob(1, `{"type":"identify","userId":"u1"}`)})
	if err != nil || resp.GetResult().GetRequest() == nil {
		t.Fatalf("unary call afterwards: %v, %v", resp, err)
	}
	stream, err := client.TransformBatch(ctx)
	if err != nil {
		t.Fatal(err)
	}
	results := collect(t, stream, &ciotransformerv1.TransformBatchRequest{RequestId: 2, Destination: testDestination,
		Jobs: []*ciotransformerv1.Job{rawJob(1, `{"type":"track","userId":"u1","event":"E"}`), rawJob(2, `{"type":"identify"`)}})
	if len(results) != 2 {
		t.Errorf("stream afterwards: got %v", results)
	}
}

func TestTransformBatchLargeResultsFitDefaultClients(t *testing.T) {
	t.Parallel()
	const (
		jobs = 100
		// defaultClientLimit is gRPC's default limit on a received
		// message, which testClient keeps.
		defaultClientLimit = 4 << 20
	)
	// About 50 kB of traits per event: 5 MB of answers for one message,
	// more than a default client accepts in one response.
	padding := strings.Repeat("y", 50_000)
	plan := make([]plannedJob, jobs)
	for i := range plan {
		u := fmt.Sprintf("u%d", i%4)
		plan[i] = plannedJob{id: uint64(i + 1), user: u, meta: i,
			event: fmt.Sprintf(`{"type":"identify","userId":%q,"traits":{"seq":%d,"note":%q}}`, u, i, padding)}
	}
	// The 5 MB request needs a server limit above the 4 MiB default.
	client := testClient(t, Config{MaxRecvMsgSize: 8 << 20})
	stream, err := client.TransformBatch(heavyContext(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := stream.Send(plannedRequest(t, 1, plan)); err != nil {
		t.Fatal(err)
	}
	var results []*ciotransformerv1.JobResult
	responses := 0
	for {
		resp, err := stream.Recv()
		if err != nil {
			t.Fatalf("after %d responses: %v", responses, err)
		}
		responses++
		if n := proto.Size(resp); n > defaultClientLimit {
			t.Errorf("response %d has %d bytes, over the default client limit", responses, n)
		}
		results = append(results, resp.GetResults()...)
		if resp.GetFinal() {
			break
		}
	}
	if err := checkAnswer(plan, results); err != nil {
		t.Error(err)
	}
	if responses < 2 {
		t.Errorf("5 MB of results came in %d response, want them split", responses)
	}
}
