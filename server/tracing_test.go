package server

import (
	"context"
	"strings"
	"testing"

	ciotransformerv1 "github.com/cio-transformer/cio-transformer/gen/ciotransformer/v1"
	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/types/known/structpb"
)

const (
	// callerTraceparent is the trace context the client sends in metadata.
	callerTraceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
	// jobTraceparent is the trace context in one job's metadata.
	jobTraceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
)

// tracedJob is a job carrying personal data and, when traceparent is not
// empty, a trace context in its metadata.
func tracedJob(t *testing.T, id uint64, traceparent string) *ciotransformerv1.Job {
	t.Helper()
	md := map[string]any{"jobId": float64(id)}
	if traceparent != "" {
		md["traceparent"] = traceparent
	}
	meta, err := structpb.NewStruct(md)
	if err != nil {
		t.Fatal(err)
	}
	j := rawJob(id, `{"type":"identify","userId":"u1","traits":{"email":"person@example.com"}}`)
	j.Metadata = meta
	return j
}

// TestTracingOneSpanPerCall runs a unary call, a stream and a health check
// against a traced server and checks the spans once the server has
// shut down (every call's span has then ended): one per traced call, the
// caller's trace context as parent, jobs' trace contexts as links, the job
// count, and no payload or secret in any attribute or event.
func TestTracingOneSpanPerCall(t *testing.T) {
	t.Parallel()
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })

	srv, err := New(Config{TracerProvider: tp, AuthToken: "sekret-token-123"})
	if err != nil {
		t.Fatal(err)
	}
	conn, stop := serveBufconn(t, srv)
	ctx := metadata.AppendToOutgoingContext(testContext(t),
		"authorization", "Bearer sekret-token-123", "traceparent", callerTraceparent)
	dest := &ciotransformerv1.Destination{SiteId: "site-1", ApiKey: "sekret-api-key-123"}
	client := ciotransformerv1.NewTransformerServiceClient(conn)

	resp, err := client.Transform(ctx, &ciotransformerv1.TransformRequest{Destination: dest, Job: tracedJob(t, 1, jobTraceparent)})
	if err != nil {
		t.Fatal(err)
	}
	auth := resp.GetResult().GetRequest().GetHeaders()["Authorization"]
	stream, err := client.TransformBatch(ctx)
	if err != nil {
		t.Fatal(err)
	}
	collect(t, stream, &ciotransformerv1.TransformBatchRequest{RequestId: 1, Destination: dest, Jobs: []*ciotransformerv1.Job{
		tracedJob(t, 1, jobTraceparent),
		tracedJob(t, 2, jobTraceparent),
		tracedJob(t, 3, "not-a-traceparent"),
		tracedJob(t, 4, ""),
	}})
	if err := stream.CloseSend(); err != nil {
		t.Fatal(err)
	}
	if _, err := stream.Recv(); err == nil {
		t.Fatal("stream did not end after CloseSend")
	}
	if _, err := healthpb.NewHealthClient(conn).Check(ctx, &healthpb.HealthCheckRequest{}); err != nil {
		t.Fatal(err)
	}
	// Shutdown waits for every handler to return, and so for its span to
	// end; Stop does not.
	srv.Shutdown(ctx)
	stop()

	spans := map[string]tracetest.SpanStub{}
	for _, s := range exp.GetSpans() {
		if _, dup := spans[s.Name]; dup {
			t.Errorf("two spans named %s", s.Name)
		}
		spans[s.Name] = s
	}
	for name, want := range map[string]int64{
		"ciotransformer.v1.TransformerService/Transform":      1,
		"ciotransformer.v1.TransformerService/TransformBatch": 4,
	} {
		s, ok := spans[name]
		if !ok {
			t.Errorf("no span %s among %v", name, spanNames(spans))
			continue
		}
		if s.SpanKind != trace.SpanKindServer {
			t.Errorf("%s: kind %v, want server", name, s.SpanKind)
		}
		if got := s.Parent.TraceID().String(); got != "0af7651916cd43dd8448eb211c80319c" || !s.Parent.IsRemote() {
			t.Errorf("%s: parent trace %s (remote %v), want the caller's", name, got, s.Parent.IsRemote())
		}
		if got, ok := attr(s.Attributes, JobsAttribute); !ok || got.AsInt64() != want {
			t.Errorf("%s: %s = %v, want %d", name, JobsAttribute, got.Emit(), want)
		}
		if len(s.Links) != 1 || s.Links[0].SpanContext.TraceID().String() != "4bf92f3577b34da6a3ce929d0e0e4736" {
			t.Errorf("%s: links %+v, want the one distinct valid job trace context", name, s.Links)
		}
		for _, secret := range []string{"sekret-api-key-123", "sekret-token-123", "person@example.com", "site-1", auth} {
			for _, kv := range allAttributes(s) {
				if strings.Contains(kv.Value.Emit(), secret) {
					t.Errorf("%s: attribute %s holds %q", name, kv.Key, secret)
				}
			}
		}
	}
	if len(spans) != 2 {
		t.Errorf("spans %v, want only the two TransformerService calls", spanNames(spans))
	}
}

// attr returns the value of key among kvs.
func attr(kvs []attribute.KeyValue, key attribute.Key) (attribute.Value, bool) {
	for _, kv := range kvs {
		if kv.Key == key {
			return kv.Value, true
		}
	}
	return attribute.Value{}, false
}

// allAttributes returns the attributes of s, of its events and of its links.
func allAttributes(s tracetest.SpanStub) []attribute.KeyValue {
	out := append([]attribute.KeyValue{}, s.Attributes...)
	for _, e := range s.Events {
		out = append(out, e.Attributes...)
	}
	for _, l := range s.Links {
		out = append(out, l.Attributes...)
	}
	return out
}

// spanNames lists the names of spans.
func spanNames(spans map[string]tracetest.SpanStub) []string {
	names := make([]string, 0, len(spans))
	for n := range spans {
		names = append(names, n)
	}
	return names
}

// TestTracingOffByDefault checks that a server without a tracer provider
// installs no tracing at all.
func TestTracingOffByDefault(t *testing.T) {
	t.Parallel()
	if tracingHandler(nil) != nil || traceStream(nil) != nil {
		t.Error("tracing installed without a tracer provider")
	}
	if newUnaryCall(Config{}.withDefaults(), nil, nil).tracing {
		t.Error("unary calls traced without a tracer provider")
	}
}
