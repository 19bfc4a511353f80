package server

import (
	"sort"
	"strings"
	"testing"

	ciotransformerv1 "github.com/cio-transformer/cio-transformer/gen/ciotransformer/v1"
	"github.com/cio-transformer/cio-transformer/transform"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

// samples flattens the registry's metrics to "name{label=value,...}" ->
// value; histograms contribute their _count and _sum.
func samples(t *testing.T, g prometheus.Gatherer) map[string]float64 {
	t.Helper()
	fams, err := g.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, f := range fams {
		for _, m := range f.GetMetric() {
			key := func(suffix string) string {
				var ls []string
				for _, l := range m.GetLabel() {
					ls = append(ls, l.GetName()+"="+l.GetValue())
				}
				sort.Strings(ls)
				return f.GetName() + suffix + "{" + strings.Join(ls, ",") + "}"
			}
			switch f.GetType() {
			case dto.MetricType_COUNTER:
				out[key("")] = m.GetCounter().GetValue()
			case dto.MetricType_GAUGE:
				out[key("")] = m.GetGauge().GetValue()
			case dto.MetricType_HISTOGRAM:
				out[key("_count")] = float64(m.GetHistogram().GetSampleCount())
				out[key("_sum")] = m.GetHistogram().GetSampleSum()
			}
		}
	}
	return out
}

func TestMetricsCountJobsBatchesAndCalls(t *testing.T) {
	t.Parallel()
	reg := prometheus.NewRegistry()
	client := testClient(t, Config{Metrics: reg})
	ctx := testContext(t)

	for _, job := range []*ciotransformerv1.Job{
		rawJob(1, `{"type":"identify","userId":"u1"}`),
		rawJob(2, `{"type":"Group","userId":"u1","groupId":"g1"}`),
		rawJob(3, `{"type":"track","userId":"u1"}`),
	} {
		if _, err := client.Transform(ctx, &ciotransformerv1.TransformRequest{Destination: testDestination, Job: job}); err != nil {
			t.Fatal(err)
		}
	}
	stream, err := client.TransformBatch(ctx)
	if err != nil {
		t.Fatal(err)
	}
	collect(t, stream, &ciotransformerv1.TransformBatchRequest{RequestId: 1, Destination: testDestination, Jobs: []*ciotransformerv1.Job{
		rawJob(1, `{"type":"group","userId":"u1","groupId":"g1"}`),
		rawJob(2, `{"type":"group","userId":"u2","groupId":"g2","traits":{"name":"Acme"}}`),
		rawJob(3, `{"type":"page","userId":"u3","name":"Home"}`),
		rawJob(4, `{"type":"fly","userId":"u4"}`),
		rawJob(5, `not json`),
		{JobId: 6, Payload: &ciotransformerv1.Job_Event{Event: &ciotransformerv1.Event{Type: "screen", UserId: "u6", Name: "Cart"}}},
	}})
	if err := stream.CloseSend(); err != nil {
		t.Fatal(err)
	}
	if _, err := stream.Recv(); err == nil {
		t.Fatal("stream has more responses, want its end")
	}

	got := samples(t, reg)
	want := map[string]float64{
		"cio_transformer_jobs_total{event_type=identify,outcome=success,status_code=200}": 1,
		"cio_transformer_jobs_total{event_type=group,outcome=batched,status_code=200}":    3,
		"cio_transformer_jobs_total{event_type=track,outcome=error,status_code=400}":      1,
		"cio_transformer_jobs_total{event_type=page,outcome=success,status_code=200}":     1,
		"cio_transformer_jobs_total{event_type=screen,outcome=success,status_code=200}":   1,
		"cio_transformer_jobs_total{event_type=unknown,outcome=error,status_code=400}":    2,
		// A lone group object is a batch of one; the stream's two objects
		// share one batch.
		"cio_transformer_batch_objects_count{}":                        2,
		"cio_transformer_batch_objects_sum{}":                          3,
		"cio_transformer_batch_bytes_count{}":                          2,
		"cio_transformer_mapping_seconds_count{method=Transform}":      3,
		"cio_transformer_mapping_seconds_count{method=TransformBatch}": 1,
		"grpc_server_handled_total{grpc_code=OK,grpc_method=Transform,grpc_service=ciotransformer.v1.TransformerService,grpc_type=unary}":                 3,
		"grpc_server_handled_total{grpc_code=OK,grpc_method=TransformBatch,grpc_service=ciotransformer.v1.TransformerService,grpc_type=bidi_stream}":      1,
		"grpc_server_msg_received_total{grpc_method=TransformBatch,grpc_service=ciotransformer.v1.TransformerService,grpc_type=bidi_stream}":              1,
		"grpc_server_handling_seconds_count{grpc_method=Transform,grpc_service=ciotransformer.v1.TransformerService,grpc_type=unary}":                     3,
		"grpc_server_started_total{grpc_method=Check,grpc_service=grpc.health.v1.Health,grpc_type=unary}":                                                 0,
		"grpc_server_handled_total{grpc_code=InvalidArgument,grpc_method=Transform,grpc_service=ciotransformer.v1.TransformerService,grpc_type=unary}":    0,
		"grpc_server_handled_total{grpc_code=OK,grpc_method=ServerReflectionInfo,grpc_service=grpc.reflection.v1.ServerReflection,grpc_type=bidi_stream}": 0,
	}
	for k, w := range want {
		g, ok := got[k]
		if !ok && w != 0 {
			t.Errorf("%s missing", k)
			continue
		}
		if g != w {
			t.Errorf("%s = %v, want %v", k, g, w)
		}
	}
	if b := got["cio_transformer_batch_bytes_sum{}"]; b < 100 {
		t.Errorf("batch bytes sum %v, want the two batch bodies' sizes", b)
	}
	var jobs float64
	for k, v := range got {
		if strings.HasPrefix(k, "cio_transformer_jobs_total{") {
			jobs += v
		}
	}
	if jobs != 9 {
		t.Errorf("jobs counted %v, want 9 (every job exactly once)", jobs)
	}
}

func TestMetricsCountInvalidEnvelopes(t *testing.T) {
	t.Parallel()
	reg := prometheus.NewRegistry()
	client := testClient(t, Config{Metrics: reg})
	if _, err := client.Transform(testContext(t), &ciotransformerv1.TransformRequest{}); err == nil {
		t.Fatal("empty request accepted")
	}
	got := samples(t, reg)
	key := "grpc_server_handled_total{grpc_code=InvalidArgument,grpc_method=Transform,grpc_service=ciotransformer.v1.TransformerService,grpc_type=unary}"
	if got[key] != 1 {
		t.Errorf("%s = %v, want 1", key, got[key])
	}
	if n := got["cio_transformer_mapping_seconds_count{method=Transform}"]; n != 0 {
		t.Errorf("an invalid envelope was mapped %v times", n)
	}
}

func TestMetricsRegistryConflict(t *testing.T) {
	t.Parallel()
	reg := prometheus.NewRegistry()
	if _, err := New(Config{Metrics: reg}); err != nil {
		t.Fatal(err)
	}
	if _, err := New(Config{Metrics: reg}); err == nil {
		t.Error("a second server registered the same metrics without error")
	}
}

// TestTallyIsFree checks that counting a job allocates nothing, with
// metrics on or off. AllocsPerRun forbids t.Parallel.
func TestTallyIsFree(t *testing.T) {
	reg := prometheus.NewRegistry()
	m, err := newMetrics(reg)
	if err != nil {
		t.Fatal(err)
	}
	r := transform.Result{Request: &transform.Request{EndpointPath: "v1/customers/events"}, Type: transform.EventTrack}
	for name, m := range map[string]*metrics{"on": m, "off": nil} {
		t.Run(name, func(t *testing.T) {
			tally := m.tally(methodTransformBatch)
			if allocs := testing.AllocsPerRun(1000, func() { tally.mapped(r) }); allocs != 0 {
				t.Errorf("%v allocations per job, want 0", allocs)
			}
			tally.flush()
		})
	}
	// AllocsPerRun runs the function once more than asked, to warm up.
	key := "cio_transformer_jobs_total{event_type=track,outcome=success,status_code=200}"
	if got := samples(t, reg)[key]; got != 1001 {
		t.Errorf("%s = %v, want 1001", key, got)
	}
}
