package server

import (
	"io"
	"log/slog"
	"testing"

	ciotransformerv1 "github.com/cio-transformer/cio-transformer/gen/ciotransformer/v1"
	"github.com/cio-transformer/cio-transformer/internal/eventmix"
	"github.com/prometheus/client_golang/prometheus"
	"google.golang.org/protobuf/types/known/structpb"
)

// BenchmarkUnary makes Transform calls, one at a time, over bufconn through
// the production interceptor chain, with events of the seeded mix and job
// metadata as a router sends it. "logged" is the server as cio-bench runs
// it (info-level JSON lines, formatted and dropped; no metrics), "metrics"
// adds the Prometheus metrics. The client's work is in the figures too, the
// same for every variant; profile with -memprofile and focus on the
// server's frames to see its own allocations.
func BenchmarkUnary(b *testing.B) {
	events := eventmix.Generate(1, 1000)
	meta, err := structpb.NewStruct(map[string]any{
		"jobId": float64(1000000), "sourceId": "2Xo8QyFzR1mF0u9c1V4kTz7yBqP",
		"destinationId": "2Xo8R3aQk0bN7c5dE1fG9hJ2iLm", "workspaceId": "2Xo8Pa1bC3dE5fG7hJ9kL1mN3oP",
	})
	if err != nil {
		b.Fatal(err)
	}
	reqs := make([]*ciotransformerv1.TransformRequest, len(events))
	for i, e := range events {
		job := rawJob(uint64(i+1), string(e.JSON))
		job.Metadata = meta
		reqs[i] = &ciotransformerv1.TransformRequest{Destination: testDestination, Job: job}
	}
	logger := slog.New(slog.NewJSONHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelInfo}))
	for _, v := range []struct {
		name string
		cfg  func() Config
	}{
		{"logged", func() Config { return Config{Logger: logger} }},
		{"metrics", func() Config { return Config{Logger: logger, Metrics: prometheus.NewRegistry()} }},
	} {
		b.Run(v.name, func(b *testing.B) {
			srv, err := New(v.cfg())
			if err != nil {
				b.Fatal(err)
			}
			conn, _ := serveBufconn(b, srv)
			client := ciotransformerv1.NewTransformerServiceClient(conn)
			ctx := b.Context()
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				resp, err := client.Transform(ctx, reqs[i%len(reqs)])
				if err != nil {
					b.Fatal(err)
				}
				if resp.GetResult() == nil {
					b.Fatal("no result")
				}
				i++
			}
		})
	}
}
