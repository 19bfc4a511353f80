package server

import (
	"fmt"
	"strings"
	"testing"

	ciotransformerv1 "github.com/cio-transformer/cio-transformer/gen/ciotransformer/v1"
	"github.com/cio-transformer/cio-transformer/internal/streamtest"
	"github.com/prometheus/client_golang/prometheus"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/structpb"
)

// identifyJobs returns n identify jobs with ids first, first+1, ...
func identifyJobs(first uint64, n int) []*ciotransformerv1.Job {
	jobs := make([]*ciotransformerv1.Job, n)
	for i := range jobs {
		id := first + uint64(i)
		jobs[i] = rawJob(id, fmt.Sprintf(`{"type":"identify","userId":"u%d","traits":{"a":1}}`, id))
	}
	return jobs
}

// answeredOnce checks that results cover every id of jobs exactly once,
// and nothing else.
func answeredOnce(t *testing.T, jobs []*ciotransformerv1.Job, results []*ciotransformerv1.JobResult) map[uint64]*ciotransformerv1.JobResult {
	t.Helper()
	byID := map[uint64]*ciotransformerv1.JobResult{}
	for _, r := range results {
		for _, ref := range r.GetJobs() {
			if _, dup := byID[ref.GetJobId()]; dup {
				t.Errorf("job %d answered twice", ref.GetJobId())
			}
			byID[ref.GetJobId()] = r
		}
	}
	for _, j := range jobs {
		if byID[j.GetJobId()] == nil {
			t.Errorf("job %d not answered", j.GetJobId())
		}
	}
	if len(byID) != len(jobs) {
		t.Errorf("%d jobs answered, want %d", len(byID), len(jobs))
	}
	return byID
}

// TestPanicCostsOneJob injects a panic into the mapping of one job: that
// job gets a 500 with a fixed message, every other job of the message and
// of the messages after it is answered exactly once, and the stream goes on.
func TestPanicCostsOneJob(t *testing.T) {
	t.Parallel()
	const bad = 7
	reg := prometheus.NewRegistry()
	client := testClient(t, Config{Metrics: reg, jobHook: func(id uint64) {
		if id == bad {
			panic("secret event content")
		}
	}})
	stream := openStream(t, client)
	for m, first := range []uint64{1, 101} {
		jobs := identifyJobs(first, 20)
		results := collect(t, stream, &ciotransformerv1.TransformBatchRequest{RequestId: uint64(m), Destination: testDestination, Jobs: jobs})
		byID := answeredOnce(t, jobs, results)
		for id, r := range byID {
			e := r.GetError()
			switch {
			case id == bad && (e.GetStatusCode() != 500 || e.GetMessage() != "internal error"):
				t.Errorf("job %d: got %v, want a 500 internal error", id, r)
			case id != bad && e != nil:
				t.Errorf("job %d: unexpected error %v", id, e)
			}
		}
	}
	resp, err := client.Transform(testContext(t), &ciotransformerv1.TransformRequest{Destination: testDestination, Job: identifyJobs(bad, 1)[0]})
	if err != nil || resp.GetResult().GetError().GetStatusCode() != 500 {
		t.Errorf("unary: got %v %v, want a 500 job error", resp, err)
	}
	if got := samples(t, reg)[metricPanics+"{}"]; got != 2 {
		t.Errorf("panics counted: %v, want 2", got)
	}
}

// TestResponsesSizedWithMetadata sends jobs whose metadata outweighs their
// requests: no response may exceed bytesPerResponse by more than one result.
func TestResponsesSizedWithMetadata(t *testing.T) {
	t.Parallel()
	client := testClient(t, Config{})
	stream := openStream(t, client)
	// 3.6 MB of metadata, under the 4 MiB request limit; its results
	// need four responses.
	jobs := identifyJobs(1, 120)
	md, err := structpb.NewStruct(map[string]any{"note": strings.Repeat("m", 30_000)})
	if err != nil {
		t.Fatal(err)
	}
	for _, j := range jobs {
		j.Metadata = md
	}
	if err := stream.Send(&ciotransformerv1.TransformBatchRequest{Destination: testDestination, Jobs: jobs}); err != nil {
		t.Fatal(err)
	}
	var results []*ciotransformerv1.JobResult
	for responses := 0; ; responses++ {
		resp, err := stream.Recv()
		if err != nil {
			t.Fatal(err)
		}
		largest := 0
		for _, r := range resp.GetResults() {
			largest = max(largest, proto.Size(r))
		}
		if n := proto.Size(resp); n > bytesPerResponse+largest {
			t.Errorf("response %d: %d bytes, more than %d plus its largest result (%d)", responses, n, bytesPerResponse, largest)
		}
		results = append(results, resp.GetResults()...)
		if resp.GetFinal() {
			break
		}
	}
	answeredOnce(t, jobs, results)
}

// TestRefusedMessageAnsweredInBand pipelines request messages, refused ones
// between good ones: each refused message gets one final response carrying
// its status, every job of the others is answered exactly once, and the
// stream goes on.
func TestRefusedMessageAnsweredInBand(t *testing.T) {
	t.Parallel()
	client := testClient(t, Config{MaxJobsPerRequest: 4})
	stream := openStream(t, client)
	dup := identifyJobs(20, 2)
	dup[1].JobId = dup[0].JobId
	msgs := []struct {
		req  *ciotransformerv1.TransformBatchRequest
		code codes.Code
	}{
		{req: &ciotransformerv1.TransformBatchRequest{RequestId: 1, Destination: testDestination, Jobs: identifyJobs(1, 4)}},
		{req: &ciotransformerv1.TransformBatchRequest{RequestId: 2, Destination: testDestination, Jobs: dup}, code: codes.InvalidArgument},
		{req: &ciotransformerv1.TransformBatchRequest{RequestId: 3, Destination: testDestination, Jobs: identifyJobs(30, 5)}, code: codes.InvalidArgument},
		{req: &ciotransformerv1.TransformBatchRequest{RequestId: 4, Jobs: identifyJobs(40, 1)}, code: codes.InvalidArgument},
		{req: &ciotransformerv1.TransformBatchRequest{RequestId: 5, Destination: testDestination, Jobs: identifyJobs(50, 3)}},
	}
	reqs := make([]*ciotransformerv1.TransformBatchRequest, len(msgs))
	refusal := make(map[uint64]codes.Code, len(msgs))
	for i, m := range msgs {
		reqs[i] = m.req
		refusal[m.req.GetRequestId()] = m.code
	}
	// Order, one final response per message and a clean end are the
	// Pipeline's checks; the responses are kept for the test's own.
	var responses []*ciotransformerv1.TransformBatchResponse
	cfg := streamtest.Of(reqs)
	cfg.Received = func(resp *ciotransformerv1.TransformBatchResponse) { responses = append(responses, resp) }
	p := streamtest.Start(stream, cfg)
	if err := p.Wait(); err != nil {
		t.Fatal(err)
	}
	for _, resp := range responses {
		id := resp.GetRequestId()
		if code := refusal[id]; code != codes.OK {
			if got := codes.Code(resp.GetError().GetCode()); got != code || !resp.GetFinal() || len(resp.GetResults()) != 0 {
				t.Errorf("request %d: got %v, want a final %s refusal", id, resp, code)
			}
		} else if resp.GetError() != nil {
			t.Errorf("request %d refused: %v", id, resp.GetError())
		}
	}
	for i, m := range msgs {
		if m.code == codes.OK {
			results, _ := p.Results(i)
			answeredOnce(t, m.req.GetJobs(), results)
		}
	}
}

// TestRepeatedAuthorizationBounded checks that a TransformBatch message
// whose results would repeat its destination's Authorization header for
// more than --max-recv-msg-size bytes is refused in band, before any job
// is mapped: otherwise a message of small jobs and long credentials would
// be answered with many times its size. Within the bound it is answered,
// and the stream goes on.
func TestRepeatedAuthorizationBounded(t *testing.T) {
	t.Parallel()
	const limit = 1 << 20
	client := testClient(t, Config{MaxRecvMsgSize: limit})
	stream := openStream(t, client)
	// 100,000 bytes of credentials: a header of 133,342 bytes, 7 of which
	// fit in the limit and 8 do not.
	long := &ciotransformerv1.Destination{SiteId: "site", ApiKey: strings.Repeat("k", 100_000-len("site:"))}
	reqs := []*ciotransformerv1.TransformBatchRequest{
		{RequestId: 1, Destination: long, Jobs: identifyJobs(1, 8)},
		{RequestId: 2, Destination: long, Jobs: identifyJobs(10, 7)},
		{RequestId: 3, Destination: testDestination, Jobs: identifyJobs(20, 8)},
	}
	var responses []*ciotransformerv1.TransformBatchResponse
	cfg := streamtest.Of(reqs)
	cfg.Received = func(resp *ciotransformerv1.TransformBatchResponse) { responses = append(responses, resp) }
	p := streamtest.Start(stream, cfg)
	if err := p.Wait(); err != nil {
		t.Fatal(err)
	}
	const want = "invalid request: destination: the requests of the 8 jobs would repeat the destination's Authorization header, 1066736 bytes, more than the limit of 1048576"
	for _, resp := range responses {
		switch e := resp.GetError(); {
		case resp.GetRequestId() == 1:
			if codes.Code(e.GetCode()) != codes.InvalidArgument || !strings.HasPrefix(e.GetMessage(), want) || len(resp.GetResults()) != 0 {
				t.Errorf("8 jobs: %v, want a final refusal %q", e, want)
			}
		case e != nil:
			t.Errorf("request %d refused: %v", resp.GetRequestId(), e)
		}
	}
	for i := 1; i < len(reqs); i++ {
		results, _ := p.Results(i)
		answeredOnce(t, reqs[i].GetJobs(), results)
	}
}
