package server

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"sync"
	"testing"
	"time"

	ciotransformerv1 "github.com/cio-transformer/cio-transformer/gen/ciotransformer/v1"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"
	"google.golang.org/grpc/test/bufconn"
	"google.golang.org/protobuf/types/known/structpb"
)

// testClient starts a Server for cfg on bufconn and returns a client of it.
func testClient(t *testing.T, cfg Config) ciotransformerv1.TransformerServiceClient {
	t.Helper()
	conn := testConn(t, cfg)
	return ciotransformerv1.NewTransformerServiceClient(conn)
}

// testConn starts a Server for cfg on bufconn and returns a connection to it.
func testConn(t *testing.T, cfg Config) *grpc.ClientConn {
	t.Helper()
	srv, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	conn, _ := serveBufconn(t, srv)
	return conn
}

// serveBufconn serves srv on bufconn and returns a plaintext connection to
// it, dialed with opts besides, and a function that stops srv and waits for
// it. The connection closes and srv stops when the test ends, if not
// before.
func serveBufconn(tb testing.TB, srv *Server, opts ...grpc.DialOption) (conn *grpc.ClientConn, stop func()) {
	tb.Helper()
	lis := bufconn.Listen(1 << 20)
	stop = serve(tb, srv, lis)
	opts = append([]grpc.DialOption{
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return lis.DialContext(ctx) }),
		grpc.WithTransportCredentials(insecure.NewCredentials()),
	}, opts...)
	conn, err := grpc.NewClient("passthrough:///bufconn", opts...)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = conn.Close() })
	return conn, stop
}

// serve serves srv on lis and returns a function that stops srv and waits
// for Serve to return; it runs when the test ends, if not before.
func serve(tb testing.TB, srv *Server, lis net.Listener) (stop func()) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.Serve(lis)
	}()
	stop = sync.OnceFunc(func() {
		srv.Stop()
		<-done
	})
	tb.Cleanup(stop)
	return stop
}

// openStream opens a TransformBatch stream on client, with a context that
// ends with the test.
func openStream(t *testing.T, client ciotransformerv1.TransformerServiceClient) ciotransformerv1.TransformerService_TransformBatchClient {
	t.Helper()
	stream, err := client.TransformBatch(testContext(t))
	if err != nil {
		t.Fatal(err)
	}
	return stream
}

// testContext returns a context that ends with the test, after at most 30 s.
func testContext(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

var testDestination = &ciotransformerv1.Destination{Id: "dest-1", SiteId: "site-1", ApiKey: "key-1"}

// rawJob is a job carrying raw event JSON.
func rawJob(id uint64, event string) *ciotransformerv1.Job {
	return &ciotransformerv1.Job{JobId: id, Payload: &ciotransformerv1.Job_RawEvent{RawEvent: []byte(event)}}
}

// collect sends req on stream and gathers its results up to the final
// response.
func collect(t *testing.T, stream grpc.BidiStreamingClient[ciotransformerv1.TransformBatchRequest, ciotransformerv1.TransformBatchResponse], req *ciotransformerv1.TransformBatchRequest) []*ciotransformerv1.JobResult {
	t.Helper()
	if err := stream.Send(req); err != nil {
		t.Fatal(err)
	}
	var results []*ciotransformerv1.JobResult
	for {
		resp, err := stream.Recv()
		if err != nil {
			t.Fatal(err)
		}
		if resp.GetRequestId() != req.GetRequestId() {
			t.Fatalf("response for request %d, want %d", resp.GetRequestId(), req.GetRequestId())
		}
		results = append(results, resp.GetResults()...)
		if resp.GetFinal() {
			return results
		}
	}
}

func TestTransformBatchBadJobIsPerJobError(t *testing.T) {
	t.Parallel()
	client := testClient(t, Config{})
	stream := openStream(t, client)
	req := &ciotransformerv1.TransformBatchRequest{RequestId: 7, Destination: testDestination, Jobs: []*ciotransformerv1.Job{
		rawJob(1, `{"type":"identify","userId":"u1","traits":{"plan":"pro"}}`),
		rawJob(2, `{"type":"identify"`),
		rawJob(3, `{"type":"track","userId":"u3"}`),
		rawJob(4, `{"type":"track","userId":"u4","event":"Signed Up"}`),
	}}
	results := collect(t, stream, req)
	outcome := map[uint64]string{}
	for _, r := range results {
		for _, j := range r.GetJobs() {
			if _, dup := outcome[j.GetJobId()]; dup {
				t.Errorf("job %d answered twice", j.GetJobId())
			}
			if e := r.GetError(); e != nil {
				outcome[j.GetJobId()] = e.GetMessage()
			} else {
				outcome[j.GetJobId()] = r.GetRequest().GetMethod() + " " + r.GetRequest().GetUrl()
			}
		}
	}
	want := map[uint64]string{
		1: "PUT https://track.customer.io/api/v1/customers/u1",
		3: "Event is a required field and should be a string",
		4: "POST https://track.customer.io/api/v1/customers/u4/events",
	}
	for id, w := range want {
		if outcome[id] != w {
			t.Errorf("job %d: got %q, want %q", id, outcome[id], w)
		}
	}
	if len(outcome) != 4 || outcome[2] == "" {
		t.Errorf("outcomes %v: want all 4 jobs answered, job 2 with an error", outcome)
	}
	// The stream stays open for the next request message.
	again := collect(t, stream, &ciotransformerv1.TransformBatchRequest{RequestId: 8, Destination: testDestination,
		Jobs: []*ciotransformerv1.Job{rawJob(1, `{"type":"identify","userId":"u1"}`)}})
	if len(again) != 1 || again[0].GetRequest() == nil {
		t.Errorf("second request: got %v", again)
	}
	if err := stream.CloseSend(); err != nil {
		t.Fatal(err)
	}
	if _, err := stream.Recv(); !errors.Is(err, io.EOF) {
		t.Errorf("after CloseSend: got %v, want EOF", err)
	}
}

func TestEnvelopeViolations(t *testing.T) {
	t.Parallel()
	client := testClient(t, Config{MaxJobsPerRequest: 2})
	tests := []struct {
		name  string
		req   *ciotransformerv1.TransformBatchRequest
		field string
	}{
		{
			name:  "over the job cap",
			req:   &ciotransformerv1.TransformBatchRequest{Destination: testDestination, Jobs: []*ciotransformerv1.Job{rawJob(1, `{}`), rawJob(2, `{}`), rawJob(3, `{}`)}},
			field: "jobs",
		},
		{
			name:  "no destination",
			req:   &ciotransformerv1.TransformBatchRequest{Jobs: []*ciotransformerv1.Job{rawJob(1, `{}`)}},
			field: "destination",
		},
		{
			name:  "job without event",
			req:   &ciotransformerv1.TransformBatchRequest{Destination: testDestination, Jobs: []*ciotransformerv1.Job{{JobId: 1}}},
			field: "jobs[0].payload",
		},
		{
			name:  "repeated job id",
			req:   &ciotransformerv1.TransformBatchRequest{Destination: testDestination, Jobs: []*ciotransformerv1.Job{rawJob(1, `{}`), rawJob(1, `{}`)}},
			field: "jobs[1].job_id",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			stream := openStream(t, client)
			if err := stream.Send(tt.req); err != nil {
				t.Fatal(err)
			}
			// Refused in band: one final response carrying the status.
			resp, err := stream.Recv()
			if err == nil {
				if !resp.GetFinal() || len(resp.GetResults()) != 0 {
					t.Errorf("refusal %v not final or with results", resp)
				}
				err = status.ErrorProto(resp.GetError())
			}
			assertViolation(t, err, tt.field)
		})
	}
	t.Run("unary without job", func(t *testing.T) {
		t.Parallel()
		_, err := client.Transform(testContext(t), &ciotransformerv1.TransformRequest{Destination: testDestination})
		assertViolation(t, err, "job")
	})
}

// assertViolation checks err is InvalidArgument naming field.
func assertViolation(t *testing.T, err error, field string) {
	t.Helper()
	st := status.Convert(err)
	if st.Code() != codes.InvalidArgument {
		t.Fatalf("got %v, want InvalidArgument", err)
	}
	for _, d := range st.Details() {
		if br, ok := d.(*errdetails.BadRequest); ok {
			for _, v := range br.GetFieldViolations() {
				if v.GetField() == field {
					return
				}
			}
		}
	}
	t.Errorf("no field violation for %q in %v", field, st.Details())
}

func TestHealthServing(t *testing.T) {
	t.Parallel()
	conn := testConn(t, Config{})
	for _, svc := range []string{"", "ciotransformer.v1.TransformerService"} {
		resp, err := healthpb.NewHealthClient(conn).Check(testContext(t), &healthpb.HealthCheckRequest{Service: svc})
		if err != nil || resp.GetStatus() != healthpb.HealthCheckResponse_SERVING {
			t.Errorf("health %q: %v %v", svc, resp, err)
		}
	}
}

// lockedBuffer is a concurrency-safe log sink.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestLogsHoldNoSecretsOrPersonalData(t *testing.T) {
	t.Parallel()
	for _, level := range []slog.Level{slog.LevelDebug, slog.LevelInfo} {
		t.Run(level.String(), func(t *testing.T) {
			t.Parallel()
			var logs lockedBuffer
			logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: level}))
			client := testClient(t, Config{Logger: logger})
			dest := &ciotransformerv1.Destination{SiteId: "site-1", ApiKey: "sekret-api-key-123"}
			traits, err := structpb.NewStruct(map[string]any{"email": "person@example.com"})
			if err != nil {
				t.Fatal(err)
			}
			typed := &ciotransformerv1.Job{JobId: 1, Payload: &ciotransformerv1.Job_Event{Event: &ciotransformerv1.Event{Type: "identify", UserId: "u1", Traits: traits}}}
			ctx := testContext(t)
			resp, err := client.Transform(ctx, &ciotransformerv1.TransformRequest{Destination: dest, Job: typed})
			if err != nil {
				t.Fatal(err)
			}
			auth := resp.GetResult().GetRequest().GetHeaders()["Authorization"]
			if auth == "" {
				t.Fatalf("no Authorization header in %v", resp)
			}
			stream, err := client.TransformBatch(ctx)
			if err != nil {
				t.Fatal(err)
			}
			collect(t, stream, &ciotransformerv1.TransformBatchRequest{Destination: dest, Jobs: []*ciotransformerv1.Job{
				typed,
				rawJob(2, `{"type":"track","userId":"u1","event":"x","properties":{"email":"person@example.com"}}`),
				rawJob(3, `{"type":"identify","traits":{"email":"person@example.com"}`),
			}})
			if err := stream.CloseSend(); err != nil {
				t.Fatal(err)
			}
			_, _ = stream.Recv()
			// The log line of a call is written when the call ends.
			deadline := time.Now().Add(10 * time.Second)
			for !bytes.Contains([]byte(logs.String()), []byte("TransformBatch")) && time.Now().Before(deadline) {
				time.Sleep(10 * time.Millisecond)
			}
			out := logs.String()
			if !bytes.Contains([]byte(out), []byte("finished call")) {
				t.Fatalf("no finished-call log line in:\n%s", out)
			}
			for _, secret := range []string{"sekret-api-key-123", "person@example.com", auth, auth[len("Basic "):]} {
				if bytes.Contains([]byte(out), []byte(secret)) {
					t.Errorf("logs contain %q:\n%s", secret, out)
				}
			}
		})
	}
}
