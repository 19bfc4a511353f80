package server

import (
	"context"
	"strings"
	"testing"
	"time"

	ciotransformerv1 "github.com/cio-transformer/cio-transformer/gen/ciotransformer/v1"
	"github.com/prometheus/client_golang/prometheus"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// TestCallOutlivingItsDeadline holds the mapping of a job until the
// client's deadline has passed: the call must end, and be counted, as
// DEADLINE_EXCEEDED, not OK, and no later job of it is mapped.
func TestCallOutlivingItsDeadline(t *testing.T) {
	t.Parallel()
	for _, method := range []string{methodTransform, methodTransformBatch} {
		t.Run(method, func(t *testing.T) {
			t.Parallel()
			reg := prometheus.NewRegistry()
			entered, release := make(chan struct{}), make(chan struct{})
			mapped := make(chan uint64, 100)
			client := testClient(t, Config{Metrics: reg, jobHook: func(id uint64) {
				mapped <- id
				if id == 1 {
					close(entered)
					<-release
				}
			}})
			ctx, cancel := context.WithTimeout(testContext(t), time.Second)
			defer cancel()
			var err error
			if method == methodTransform {
				_, err = client.Transform(ctx, &ciotransformerv1.TransformRequest{Destination: testDestination, Job: identifyJobs(1, 1)[0]})
			} else {
				var stream ciotransformerv1.TransformerService_TransformBatchClient
				if stream, err = client.TransformBatch(ctx); err == nil {
					if err = stream.Send(&ciotransformerv1.TransformBatchRequest{Destination: testDestination, Jobs: identifyJobs(1, 3)}); err == nil {
						_, err = stream.Recv()
					}
				}
			}
			<-entered
			if status.Code(err) != codes.DeadlineExceeded {
				t.Fatalf("client: got %v, want DeadlineExceeded", err)
			}
			// The server's deadline, sent as a timeout, ends a little
			// after the client's.
			dl, _ := ctx.Deadline()
			time.Sleep(time.Until(dl.Add(200 * time.Millisecond)))
			close(release)
			key := `grpc_server_handled_total{grpc_code=DeadlineExceeded,grpc_method=` + method + `,grpc_service=ciotransformer.v1.TransformerService,grpc_type=` + map[string]string{methodTransform: "unary", methodTransformBatch: "bidi_stream"}[method] + `}`
			waitCtx := testContext(t)
			for samples(t, reg)[key] != 1 {
				select {
				case <-waitCtx.Done():
					var got []string
					for k, v := range samples(t, reg) {
						if v != 0 && strings.HasPrefix(k, "grpc_server_handled_total") {
							got = append(got, k)
						}
					}
					t.Fatalf("the server did not count the call as DeadlineExceeded: %v", got)
				case <-time.After(10 * time.Millisecond):
				}
			}
			close(mapped)
			for id := range mapped {
				if id != 1 {
					t.Errorf("job %d mapped after the deadline", id)
				}
			}
		})
	}
}
