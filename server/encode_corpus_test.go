package server_test

import (
	"errors"
	"io/fs"
	"path/filepath"
	"testing"

	ciotransformerv1 "github.com/cio-transformer/cio-transformer/gen/ciotransformer/v1"
	"github.com/cio-transformer/cio-transformer/internal/conformance"
	"github.com/cio-transformer/cio-transformer/server"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/structpb"
)

// TestEncodeCorpus checks the encoding of the responses the server gives
// to every event of the shared processor corpora: as Transform calls, and
// as one TransformBatch stream in which consecutive events of a
// destination share a request message (so that v2 destinations batch
// them). Every job carries metadata, which its results echo.
func TestEncodeCorpus(t *testing.T) {
	t.Parallel()
	dir := filepath.Join("..", "..", "shared", "conformance", "customerio")
	paths, _, err := conformance.CorpusFiles(dir, "processor.jsonl", filepath.Join("differential", "processor.jsonl"))
	if errors.Is(err, fs.ErrNotExist) {
		t.Skipf("conformance corpus not available: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	var unary, batches [][]byte
	var req *ciotransformerv1.TransformBatchRequest
	flush := func() {
		if req != nil {
			batches = append(batches, server.Marshal(t, req))
			req = nil
		}
	}
	for _, path := range paths {
		cases, err := conformance.ReadProcessorCases(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cases {
			md, err := structpb.NewStruct(map[string]any{"jobId": float64(c.Line), "sourceId": "src-1", "description": c.Description})
			if err != nil {
				t.Fatal(err)
			}
			job := &ciotransformerv1.Job{JobId: uint64(c.Line), Metadata: md, Payload: &ciotransformerv1.Job_RawEvent{RawEvent: c.Message}}
			unary = append(unary, server.Marshal(t, &ciotransformerv1.TransformRequest{Destination: c.Destination, Job: job}))
			if req != nil && !proto.Equal(req.GetDestination(), c.Destination) {
				flush()
			}
			if req == nil {
				req = &ciotransformerv1.TransformBatchRequest{RequestId: uint64(len(batches) + 1), Destination: c.Destination}
			}
			req.Jobs = append(req.Jobs, job)
		}
		flush()
	}
	responses, results := server.CheckEncodeAnswers(t, unary, batches)
	if results < len(unary) {
		t.Fatalf("%d results for %d events", results, len(unary))
	}
	t.Logf("%d responses of %d results encoded", responses, results)
}
