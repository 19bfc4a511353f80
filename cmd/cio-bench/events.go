package main

import (
	"fmt"

	ciotransformerv1 "github.com/cio-transformer/cio-transformer/gen/ciotransformer/v1"
	"github.com/cio-transformer/cio-transformer/internal/eventmix"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/structpb"
)

// benchDestination is the destination of every request: a US account.
func benchDestination() *ciotransformerv1.Destination {
	return &ciotransformerv1.Destination{Id: "dest-bench", SiteId: "site-8f3a", ApiKey: "key-5d1e9c"}
}

// payloads are the request messages of a run, encoded once before it and
// sent in turn, so that both servers get the same bytes.
type payloads struct {
	// streamJSON and streamTyped are TransformBatchRequests without their
	// request_id, each holding jobsPerMessage jobs, as raw JSON or typed
	// events.
	streamJSON, streamTyped [][]byte
	// unary are TransformRequests of one raw JSON job each.
	unary [][]byte
	// jobsPerMessage is the number of jobs of every stream message.
	jobsPerMessage int
	// mix describes the events.
	mix eventmix.Stats
	// events are the events' raw JSON, which the floor reads.
	events [][]byte
}

// buildPayloads generates n events from seed and encodes them into request
// messages of batch jobs. n is rounded up to a whole number of messages.
func buildPayloads(seed uint64, n, batch int) (*payloads, error) {
	if batch <= 0 {
		return nil, fmt.Errorf("batch must be positive, got %d", batch)
	}
	n = (n + batch - 1) / batch * batch
	events := eventmix.Generate(seed, n)
	p := &payloads{jobsPerMessage: batch, mix: eventmix.Summarize(events)}
	dest := benchDestination()
	unmarshal := protojson.UnmarshalOptions{DiscardUnknown: true}
	for start := 0; start < n; start += batch {
		jsonReq := &ciotransformerv1.TransformBatchRequest{Destination: dest}
		typedReq := &ciotransformerv1.TransformBatchRequest{Destination: dest}
		for i := start; i < start+batch; i++ {
			id := uint64(i - start + 1)
			meta, err := jobMetadata(i)
			if err != nil {
				return nil, err
			}
			ev := &ciotransformerv1.Event{}
			if err := unmarshal.Unmarshal(events[i].JSON, ev); err != nil {
				return nil, fmt.Errorf("event %d as a typed event: %w", i, err)
			}
			p.events = append(p.events, events[i].JSON)
			raw := &ciotransformerv1.Job{JobId: id, Metadata: meta, Payload: &ciotransformerv1.Job_RawEvent{RawEvent: events[i].JSON}}
			jsonReq.Jobs = append(jsonReq.Jobs, raw)
			typedReq.Jobs = append(typedReq.Jobs, &ciotransformerv1.Job{JobId: id, Metadata: meta, Payload: &ciotransformerv1.Job_Event{Event: ev}})
			u, err := proto.Marshal(&ciotransformerv1.TransformRequest{Destination: dest, Job: raw})
			if err != nil {
				return nil, err
			}
			p.unary = append(p.unary, u)
		}
		j, err := proto.Marshal(jsonReq)
		if err != nil {
			return nil, err
		}
		t, err := proto.Marshal(typedReq)
		if err != nil {
			return nil, err
		}
		p.streamJSON = append(p.streamJSON, j)
		p.streamTyped = append(p.streamTyped, t)
	}
	return p, nil
}

// jobMetadata is a job's metadata as a RudderStack router sends a slice of
// it: ids the caller needs back with the result.
func jobMetadata(i int) (*structpb.Struct, error) {
	return structpb.NewStruct(map[string]any{
		"jobId":         float64(1000000 + i),
		"sourceId":      "2Xo8QyFzR1mF0u9c1V4kTz7yBqP",
		"destinationId": "2Xo8R3aQk0bN7c5dE1fG9hJ2iLm",
		"workspaceId":   "2Xo8Pa1bC3dE5fG7hJ9kL1mN3oP",
	})
}
