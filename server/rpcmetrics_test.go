package server

import (
	"context"
	"net"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	grpcprom "github.com/grpc-ecosystem/go-grpc-middleware/providers/prometheus"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"
	"google.golang.org/grpc/test/bufconn"
)

// TestRPCMetricsMatchProvider serves the same calls through
// go-grpc-middleware's Prometheus provider and through rpcMetrics, each in
// a registry of its own, and compares what the two registries expose:
// names, help, types, label sets, counts and histogram bucket counts (not
// the durations' sums, which differ from run to run).
func TestRPCMetricsMatchProvider(t *testing.T) {
	t.Parallel()
	buckets := []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}

	provider := grpcprom.NewServerMetrics(grpcprom.WithServerHandlingTimeHistogram(grpcprom.WithHistogramBuckets(buckets)))
	provReg := prometheus.NewRegistry()
	provReg.MustRegister(provider)
	runHealthCalls(t, provReg, []grpc.ServerOption{
		grpc.ChainUnaryInterceptor(provider.UnaryServerInterceptor()),
		grpc.ChainStreamInterceptor(provider.StreamServerInterceptor()),
	}, func(g *grpc.Server) { provider.InitializeMetrics(g) })

	ours := newRPCMetrics(buckets)
	ourReg := prometheus.NewRegistry()
	ourReg.MustRegister(ours.collectors()...)
	runHealthCalls(t, ourReg, []grpc.ServerOption{
		grpc.ChainUnaryInterceptor(func(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
			start := time.Now()
			m := ours.method(info.FullMethod, grpcTypeUnary)
			m.unaryStarted()
			resp, err := handler(ctx, req)
			m.unaryFinished(err, time.Since(start))
			return resp, err
		}),
		grpc.ChainStreamInterceptor(ours.stream),
	}, ours.initialize)

	want, got := exposition(t, provReg), exposition(t, ourReg)
	if len(want) == 0 {
		t.Fatal("the provider exposed nothing")
	}
	for k, w := range want {
		if g, ok := got[k]; !ok {
			t.Errorf("%s missing", k)
		} else if g != w {
			t.Errorf("%s = %v, want %v", k, g, w)
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("%s exposed, the provider has no such series", k)
		}
	}
}

// runHealthCalls serves a health service with opts, calls init with the
// server before serving, and makes calls of every outcome the metrics
// distinguish: unary OK and NotFound, a server stream sending messages and
// ended by the client, a method that is not served.
func runHealthCalls(t *testing.T, reg *prometheus.Registry, opts []grpc.ServerOption, init func(*grpc.Server)) {
	t.Helper()
	g := grpc.NewServer(opts...)
	h := health.NewServer()
	h.SetServingStatus("up", healthpb.HealthCheckResponse_SERVING)
	healthpb.RegisterHealthServer(g, h)
	init(g)
	lis := bufconn.Listen(1 << 16)
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = g.Serve(lis)
	}()
	t.Cleanup(func() {
		g.Stop()
		<-done
	})
	conn, err := grpc.NewClient("passthrough:///bufconn",
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return lis.DialContext(ctx) }),
		grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	client := healthpb.NewHealthClient(conn)
	ctx := testContext(t)
	for range 3 {
		if _, err := client.Check(ctx, &healthpb.HealthCheckRequest{Service: "up"}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := client.Check(ctx, &healthpb.HealthCheckRequest{Service: "nope"}); status.Code(err) != codes.NotFound {
		t.Fatalf("check of an unknown service: %v, want NotFound", err)
	}
	wctx, cancel := context.WithCancel(ctx)
	w, err := client.Watch(wctx, &healthpb.HealthCheckRequest{Service: "up"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Recv(); err != nil {
		t.Fatal(err)
	}
	h.SetServingStatus("up", healthpb.HealthCheckResponse_NOT_SERVING)
	if _, err := w.Recv(); err != nil {
		t.Fatal(err)
	}
	cancel()
	// The server's end of the stream is counted when its handler returns.
	deadline := time.Now().Add(10 * time.Second)
	for !hasSeries(t, reg, "grpc_server_handled_total", "Watch", "Canceled") {
		if time.Now().After(deadline) {
			t.Fatal("the ended Watch was never counted")
		}
		time.Sleep(time.Millisecond)
	}
	err = conn.Invoke(ctx, "/grpc.health.v1.Health/Nothing", &healthpb.HealthCheckRequest{}, &healthpb.HealthCheckResponse{})
	if status.Code(err) != codes.Unimplemented {
		t.Fatalf("call of an unknown method: %v, want Unimplemented", err)
	}
}

// hasSeries reports whether reg has a non-zero series of family for
// method with code.
func hasSeries(t *testing.T, reg *prometheus.Registry, family, method, code string) bool {
	for k, v := range exposition(t, reg) {
		if strings.HasPrefix(k, family+"{") && strings.Contains(k, "grpc_method="+method+",") &&
			strings.Contains(k, "grpc_code="+code+",") && v != "0" {
			return true
		}
	}
	return false
}

// exposition flattens what reg exposes to "name{labels} help type [part]"
// -> value, histograms by count and bucket.
func exposition(t *testing.T, reg *prometheus.Registry) map[string]string {
	t.Helper()
	fams, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, f := range fams {
		for _, m := range f.GetMetric() {
			var ls []string
			for _, l := range m.GetLabel() {
				ls = append(ls, l.GetName()+"="+l.GetValue())
			}
			sort.Strings(ls)
			key := f.GetName() + "{" + strings.Join(ls, ",") + ",} " + f.GetHelp() + " " + f.GetType().String()
			switch f.GetType() {
			case dto.MetricType_COUNTER:
				out[key] = prometheusValue(m.GetCounter().GetValue())
			case dto.MetricType_HISTOGRAM:
				out[key+" count"] = prometheusValue(float64(m.GetHistogram().GetSampleCount()))
				for _, b := range m.GetHistogram().GetBucket() {
					// Durations land in buckets by timing; the bucket
					// bounds are what must match.
					out[key+" le="+prometheusValue(b.GetUpperBound())] = "bucket"
				}
			default:
				out[key] = "other"
			}
		}
	}
	return out
}

func prometheusValue(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
