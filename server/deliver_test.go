package server

import (
	"errors"
	"io"
	"testing"

	ciotransformerv1 "github.com/cio-transformer/cio-transformer/gen/ciotransformer/v1"
	"github.com/cio-transformer/cio-transformer/internal/fakecio"
	"github.com/cio-transformer/cio-transformer/server/delivery"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/testing/protocmp"
	"google.golang.org/protobuf/types/known/durationpb"
)

// deliveryConfig is a server Config delivering to fake.
func deliveryConfig(fake *fakecio.Server) Config {
	return Config{Delivery: delivery.Config{USURL: fake.URL, EUURL: fake.URL}}
}

// TestTransformThenDeliver transforms a batch and delivers its requests: the
// transform's job refs come back with every job's outcome.
func TestTransformThenDeliver(t *testing.T) {
	t.Parallel()
	fake := fakecio.Start(nil, fakecio.Response{Status: 200, Body: `{}`})
	t.Cleanup(fake.Close)
	fake.SetPath("/api/v2/batch", fakecio.Response{Status: 207, Body: `{"errors":[{"batch_index":0,"reason":"invalid"}]}`, Header: map[string]string{"Retry-After": "3"}})
	client := testClient(t, deliveryConfig(fake))
	ctx := testContext(t)
	stream, err := client.TransformBatch(ctx)
	if err != nil {
		t.Fatal(err)
	}
	results := collect(t, stream, &ciotransformerv1.TransformBatchRequest{RequestId: 1, Destination: testDestination, Jobs: []*ciotransformerv1.Job{
		rawJob(1, `{"type":"group","userId":"u1","groupId":"g"}`),
		rawJob(2, `{"type":"group","userId":"u2","groupId":"g"}`),
		rawJob(3, `{"type":"identify","userId":"u3"}`),
	}})
	var outcomes = map[uint64]int32{}
	for _, r := range results {
		resp, err := client.Deliver(ctx, &ciotransformerv1.DeliverRequest{Destination: testDestination, Request: r.GetRequest(), Jobs: r.GetJobs()})
		if err != nil {
			t.Fatal(err)
		}
		for i, j := range resp.GetDelivery().GetJobs() {
			if d := cmp.Diff(r.GetJobs()[i], j.GetJob(), protocmp.Transform()); d != "" {
				t.Errorf("job ref changed (-sent +got):\n%s", d)
			}
			if _, dup := outcomes[j.GetJob().GetJobId()]; dup {
				t.Errorf("job %d answered twice", j.GetJob().GetJobId())
			}
			outcomes[j.GetJob().GetJobId()] = j.GetStatusCode()
		}
	}
	if d := cmp.Diff(map[uint64]int32{1: 400, 2: 200, 3: 200}, outcomes); d != "" {
		t.Errorf("outcomes (-want +got):\n%s", d)
	}
}

func TestDeliverEnvelope(t *testing.T) {
	t.Parallel()
	fake := fakecio.Start(nil, fakecio.Response{Status: 200})
	t.Cleanup(fake.Close)
	client := testClient(t, Config{MaxJobsPerRequest: 2, Delivery: delivery.Config{USURL: fake.URL, EUURL: fake.URL}})
	req := &ciotransformerv1.TrackRequest{Method: "POST", Url: "https://track.customer.io/api/v2/batch", Body: "{}"}
	jobs := func(ids ...uint64) []*ciotransformerv1.JobRef {
		var out []*ciotransformerv1.JobRef
		for _, id := range ids {
			out = append(out, &ciotransformerv1.JobRef{JobId: id})
		}
		return out
	}
	tests := []struct {
		name  string
		req   *ciotransformerv1.DeliverRequest
		field string
	}{
		{"no request", &ciotransformerv1.DeliverRequest{Jobs: jobs(1)}, "request"},
		{"no url", &ciotransformerv1.DeliverRequest{Request: &ciotransformerv1.TrackRequest{Method: "POST"}, Jobs: jobs(1)}, "request.url"},
		{"no jobs", &ciotransformerv1.DeliverRequest{Request: req}, "jobs"},
		{"too many jobs", &ciotransformerv1.DeliverRequest{Request: req, Jobs: jobs(1, 2, 3)}, "jobs"},
		{"repeated job", &ciotransformerv1.DeliverRequest{Request: req, Jobs: jobs(1, 1)}, "jobs[1].job_id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := client.Deliver(testContext(t), tt.req)
			if status.Code(err) != codes.InvalidArgument {
				t.Fatalf("got %v, want InvalidArgument", err)
			}
			if v := fieldViolations(t, err); len(v) == 0 || v[0] != tt.field {
				t.Errorf("violations %v, want %s first", v, tt.field)
			}
		})
	}
	if n := len(fake.Requests()); n != 0 {
		t.Errorf("%d requests sent for invalid envelopes", n)
	}
}

// TestDeliverBatchInOrder pipelines every message before reading: each is
// answered once, in order, and a failing one does not end the stream.
func TestDeliverBatchInOrder(t *testing.T) {
	t.Parallel()
	fake := fakecio.Start(map[string]fakecio.Response{
		"throttle": {Status: 429, Header: map[string]string{"Retry-After": "3"}},
		"reset":    {Reset: true},
	}, fakecio.Response{Status: 200, Body: `{}`})
	t.Cleanup(fake.Close)
	client := testClient(t, deliveryConfig(fake))
	stream, err := client.DeliverBatch(testContext(t))
	if err != nil {
		t.Fatal(err)
	}
	keys := []string{"", "throttle", "reset", "", "elsewhere"}
	for i, k := range keys {
		url := "https://track-eu.customer.io/api/v1/customers/u"
		if k == "elsewhere" {
			url = "https://example.com/"
		}
		if err := stream.Send(&ciotransformerv1.DeliverBatchRequest{
			RequestId: uint64(i), Request: &ciotransformerv1.TrackRequest{Method: "PUT", Url: url, Headers: map[string]string{fakecio.KeyHeader: k}},
			Jobs: []*ciotransformerv1.JobRef{{JobId: uint64(10 * i)}},
		}); err != nil {
			t.Fatal(err)
		}
	}
	if err := stream.CloseSend(); err != nil {
		t.Fatal(err)
	}
	want := []int32{200, 429, 500, 200, 400}
	for i := 0; ; i++ {
		resp, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			if i != len(keys) {
				t.Errorf("%d answers for %d messages", i, len(keys))
			}
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		d := resp.GetDelivery()
		if resp.GetRequestId() != uint64(i) || len(d.GetJobs()) != 1 || d.GetJobs()[0].GetJob().GetJobId() != uint64(10*i) || d.GetJobs()[0].GetStatusCode() != want[i] {
			t.Errorf("answer %d: %v", i, resp)
		}
		if i == 1 && !proto3Equal(d.GetRetryAfter(), durationpb.New(3e9)) {
			t.Errorf("retry_after %v, want 3s", d.GetRetryAfter())
		}
	}
}

func proto3Equal(a, b *durationpb.Duration) bool {
	return cmp.Equal(a, b, protocmp.Transform())
}

// fieldViolations returns the fields of err's BadRequest detail.
func fieldViolations(t *testing.T, err error) []string {
	t.Helper()
	var fields []string
	for _, d := range status.Convert(err).Details() {
		if br, ok := d.(*errdetails.BadRequest); ok {
			for _, v := range br.GetFieldViolations() {
				fields = append(fields, v.GetField())
			}
		}
	}
	return fields
}
