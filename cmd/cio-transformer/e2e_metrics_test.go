package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	ciotransformerv1 "github.com/cio-transformer/cio-transformer/gen/ciotransformer/v1"
	"github.com/cio-transformer/cio-transformer/internal/streamtest"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

// logAddr returns the addr field of the server's first log line with msg.
func (s *runningServer) logAddr(t *testing.T, msg string) string {
	t.Helper()
	for _, line := range strings.Split(s.logs.String(), "\n") {
		var rec struct {
			Msg  string `json:"msg"`
			Addr string `json:"addr"`
		}
		if json.Unmarshal([]byte(line), &rec) == nil && rec.Msg == msg {
			return rec.Addr
		}
	}
	t.Fatalf("no %q log line; logs:\n%s", msg, s.logs.String())
	return ""
}

// scrape fetches /metrics from addr and flattens it to
// "name{label=value,...}" -> value; histograms give _count and _sum. It
// also returns the names of the metric families.
func scrape(t *testing.T, addr string) (map[string]float64, []string) {
	t.Helper()
	resp, data := httpDo(t, http.MethodGet, "http://"+addr+"/metrics", "", "")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /metrics: %s", resp.Status)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	var names []string
	for name, f := range fams {
		names = append(names, name)
		for _, m := range f.GetMetric() {
			var ls []string
			for _, l := range m.GetLabel() {
				ls = append(ls, l.GetName()+"="+l.GetValue())
			}
			sort.Strings(ls)
			labels := "{" + strings.Join(ls, ",") + "}"
			switch f.GetType() {
			case dto.MetricType_COUNTER:
				out[name+labels] = m.GetCounter().GetValue()
			case dto.MetricType_GAUGE:
				out[name+labels] = m.GetGauge().GetValue()
			case dto.MetricType_HISTOGRAM:
				out[name+"_count"+labels] = float64(m.GetHistogram().GetSampleCount())
				out[name+"_sum"+labels] = m.GetHistogram().GetSampleSum()
			}
		}
	}
	sort.Strings(names)
	return out, names
}

// TestMetricsScrape sends traffic to the real binary and checks what its
// /metrics endpoint counted.
func TestMetricsScrape(t *testing.T) {
	t.Parallel()
	srv := startServer(t, "--metrics-listen", "127.0.0.1:0")
	metricsAddr := srv.logAddr(t, "serving metrics")

	before, _ := scrape(t, metricsAddr)
	if v, ok := before["grpc_server_handled_total{grpc_code=OK,grpc_method=Transform,grpc_service=ciotransformer.v1.TransformerService,grpc_type=unary}"]; !ok || v != 0 {
		t.Errorf("Transform's counter before any call: %v (present %v), want a pre-registered 0", v, ok)
	}

	conn, err := grpc.NewClient(srv.addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	client := ciotransformerv1.NewTransformerServiceClient(conn)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	dest := &ciotransformerv1.Destination{SiteId: "site-1", ApiKey: "key-1"}
	raw := func(id uint64, event string) *ciotransformerv1.Job {
		return &ciotransformerv1.Job{JobId: id, Payload: &ciotransformerv1.Job_RawEvent{RawEvent: []byte(event)}}
	}

	// Unary: 3 identify successes, 1 track error, 1 invalid envelope.
	for i := range 3 {
		if _, err := client.Transform(ctx, &ciotransformerv1.TransformRequest{Destination: dest,
			Job: raw(uint64(i+1), fmt.Sprintf(`{"type":"identify","userId":"u%d"}`, i))}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := client.Transform(ctx, &ciotransformerv1.TransformRequest{Destination: dest, Job: raw(9, `{"type":"track","userId":"u"}`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := client.Transform(ctx, &ciotransformerv1.TransformRequest{}); err == nil {
		t.Fatal("an empty request was accepted")
	}

	// One stream, two request messages: 5 group objects in one batch,
	// a page, and an event of no known type.
	stream, err := client.TransformBatch(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var groups []*ciotransformerv1.Job
	for i := range 5 {
		groups = append(groups, raw(uint64(i+1), fmt.Sprintf(`{"type":"group","userId":"u%d","groupId":"g%d"}`, i, i)))
	}
	p := streamtest.Start(stream, streamtest.Of([]*ciotransformerv1.TransformBatchRequest{
		{RequestId: 1, Destination: dest, Jobs: groups},
		{RequestId: 2, Destination: dest, Jobs: []*ciotransformerv1.Job{
			raw(1, `{"type":"page","userId":"u1","name":"Home"}`),
			raw(2, `{"type":"teleport","userId":"u1"}`),
		}},
	}))
	if err := p.Wait(); err != nil {
		t.Fatal(err)
	}
	if err := p.CheckAnswered(); err != nil {
		t.Fatal(err)
	}

	got, families := scrape(t, metricsAddr)
	const svc = "grpc_service=ciotransformer.v1.TransformerService"
	want := map[string]float64{
		"grpc_server_started_total{grpc_method=Transform," + svc + ",grpc_type=unary}":                                 5,
		"grpc_server_handled_total{grpc_code=OK,grpc_method=Transform," + svc + ",grpc_type=unary}":                    4,
		"grpc_server_handled_total{grpc_code=InvalidArgument,grpc_method=Transform," + svc + ",grpc_type=unary}":       1,
		"grpc_server_handled_total{grpc_code=OK,grpc_method=TransformBatch," + svc + ",grpc_type=bidi_stream}":         1,
		"grpc_server_msg_received_total{grpc_method=TransformBatch," + svc + ",grpc_type=bidi_stream}":                 2,
		"grpc_server_handling_seconds_count{grpc_method=Transform," + svc + ",grpc_type=unary}":                        5,
		"cio_transformer_jobs_total{event_type=identify,outcome=success,status_code=200}":                              3,
		"cio_transformer_jobs_total{event_type=track,outcome=error,status_code=400}":                                   1,
		"cio_transformer_jobs_total{event_type=group,outcome=batched,status_code=200}":                                 5,
		"cio_transformer_jobs_total{event_type=page,outcome=success,status_code=200}":                                  1,
		"cio_transformer_jobs_total{event_type=unknown,outcome=error,status_code=400}":                                 1,
		"cio_transformer_batch_objects_count{}":                                                                        1,
		"cio_transformer_batch_objects_sum{}":                                                                          5,
		"cio_transformer_batch_bytes_count{}":                                                                          1,
		"cio_transformer_mapping_seconds_count{method=Transform}":                                                      4,
		"cio_transformer_mapping_seconds_count{method=TransformBatch}":                                                 2,
		"cio_transformer_jobs_total{event_type=screen,outcome=success,status_code=200}":                                0,
		"grpc_server_handled_total{grpc_code=Internal,grpc_method=TransformBatch," + svc + ",grpc_type=bidi_stream}":   0,
		"grpc_server_handled_total{grpc_code=OK,grpc_method=Check,grpc_service=grpc.health.v1.Health,grpc_type=unary}": 0,
	}
	for k, w := range want {
		if g, ok := got[k]; !ok || g != w {
			t.Errorf("%s = %v (present %v), want %v", k, g, ok, w)
		}
	}
	if b := got["cio_transformer_batch_bytes_sum{}"]; b < 5*100 || b > 5*300 {
		t.Errorf("batch bytes %v, want the size of a batch of 5 small objects", b)
	}
	if got["go_goroutines{}"] <= 0 || got["process_start_time_seconds{}"] <= 0 {
		t.Error("the Go runtime and process metrics are missing")
	}

	ops, err := os.ReadFile(filepath.Join(repoRoot(), "docs", "OPERATIONS.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range families {
		if (strings.HasPrefix(name, "cio_transformer_") || strings.HasPrefix(name, "grpc_server_")) &&
			!strings.Contains(string(ops), "`"+name) {
			t.Errorf("docs/OPERATIONS.md does not document the metric %s", name)
		}
	}
}

// TestMetricsOffByDefault checks that without --metrics-listen the server
// serves no metrics endpoint.
func TestMetricsOffByDefault(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	if strings.Contains(srv.logs.String(), `"serving metrics"`) {
		t.Errorf("metrics served without --metrics-listen:\n%s", srv.logs.String())
	}
}
