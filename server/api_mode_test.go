package server

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/structpb"

	ciotransformerv1 "github.com/cio-transformer/cio-transformer/gen/ciotransformer/v1"
)

// v2Destination is testDestination in API mode v2.
var v2Destination = func() *ciotransformerv1.Destination {
	d := proto.Clone(testDestination).(*ciotransformerv1.Destination)
	d.ApiMode = ciotransformerv1.ApiMode_API_MODE_V2_BATCH
	return d
}()

// personConnection is a connection whose records go to people.
func personConnection(t *testing.T) *ciotransformerv1.Connection {
	t.Helper()
	cfg, err := structpb.NewStruct(map[string]any{"destination": map[string]any{"object": "person", "syncMode": "upsert"}})
	if err != nil {
		t.Fatal(err)
	}
	return &ciotransformerv1.Connection{SourceId: "src-1", DestinationId: "dest-1", Enabled: true, Config: cfg}
}

// batchObjects returns the objects of a /api/v2/batch request body.
func batchObjects(t *testing.T, body string) []any {
	t.Helper()
	var b struct {
		Batch []any `json:"batch"`
	}
	if err := json.Unmarshal([]byte(body), &b); err != nil {
		t.Fatalf("body %q: %v", body, err)
	}
	return b.Batch
}

// decode parses JSON text.
func decode(t *testing.T, text string) any {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(text), &v); err != nil {
		t.Fatal(err)
	}
	return v
}

func TestTransformV2IsBatchOfOne(t *testing.T) {
	t.Parallel()
	client := testClient(t, Config{})
	resp, err := client.Transform(testContext(t), &ciotransformerv1.TransformRequest{
		Destination: v2Destination,
		Job:         rawJob(1, `{"type":"identify","userId":432,"traits":{"plan":"pro"}}`),
	})
	if err != nil {
		t.Fatal(err)
	}
	req := resp.GetResult().GetRequest()
	if req == nil {
		t.Fatalf("result %v, want a request", resp.GetResult())
	}
	want := &ciotransformerv1.TrackRequest{
		Method:       "POST",
		Url:          "https://track.customer.io/api/v2/batch",
		EndpointPath: "v2/batch",
		Headers:      map[string]string{"Authorization": "Basic c2l0ZS0xOmtleS0x", "Content-Type": "application/json"},
	}
	gotEnvelope := proto.Clone(req).(*ciotransformerv1.TrackRequest)
	gotEnvelope.Body = ""
	if !proto.Equal(gotEnvelope, want) {
		t.Errorf("request %v, want %v", gotEnvelope, want)
	}
	wantObjects := decode(t, `[{"type":"person","action":"identify","identifiers":{"id":432},"attributes":{"plan":"pro"}}]`)
	if diff := cmp.Diff(wantObjects, batchObjects(t, req.GetBody())); diff != "" {
		t.Errorf("objects (-want +got):\n%s", diff)
	}
}

func TestTransformV2Errors(t *testing.T) {
	t.Parallel()
	client := testClient(t, Config{})
	noKey := proto.Clone(v2Destination).(*ciotransformerv1.Destination)
	noKey.ApiKey = ""
	tests := []struct {
		name     string
		dest     *ciotransformerv1.Destination
		job      *ciotransformerv1.Job
		wantMsg  string
		wantType string
	}{
		{name: "schema", dest: v2Destination, job: rawJob(1, `{"type":"track","event":"E"}`),
			wantMsg: "message: userId, email or anonymousId is required", wantType: "instrumentation"},
		{name: "configuration", dest: noKey, job: rawJob(1, `{"type":"track","event":"E","userId":"u"}`),
			wantMsg: "destination.Config.apiKey: Required", wantType: "configuration"},
		{name: "record without connection", dest: v2Destination, job: rawJob(1, `{"type":"record","action":"insert","identifiers":{"id":"u"}}`),
			wantMsg: "Missing connection config", wantType: "configuration"},
		{name: "null message", dest: v2Destination, job: rawJob(1, `null`), wantMsg: "message.type: Required", wantType: "instrumentation"},
		{name: "string message without api key", dest: noKey, job: rawJob(1, `"identify"`),
			wantMsg: "message.type: Required; destination.Config.apiKey: Required", wantType: "instrumentation"},
		{name: "unknown record object", dest: v2Destination, job: func() *ciotransformerv1.Job {
			j := rawJob(1, `{"type":"record","action":"insert","identifiers":{"id":"u"}}`)
			j.Connection = objectConnection(t, "account")
			return j
		}(), wantMsg: "connection.config.destination.object: Invalid enum value. Expected 'person' | 'event', received 'account'", wantType: "configuration"},
		{name: "lone surrogate in a merge", dest: v2Destination, job: rawJob(1, `{"type":"alias","userId":"a\ud83d","previousId":"b"}`),
			wantMsg: "URI malformed", wantType: "instrumentation"},
		{name: "lone surrogate in a type", dest: v2Destination, job: rawJob(1, `{"type":"x\udc00","userId":"u"}`),
			wantMsg: "message.type: Invalid enum value. Expected 'identify' | 'track' | 'page' | 'screen' | 'alias' | 'group', received 'x\uFFFD'", wantType: "instrumentation"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			resp, err := client.Transform(testContext(t), &ciotransformerv1.TransformRequest{Destination: tt.dest, Job: tt.job})
			if err != nil {
				t.Fatal(err)
			}
			e := resp.GetResult().GetError()
			if e.GetStatusCode() != 400 || e.GetMessage() != tt.wantMsg || e.GetErrorType() != tt.wantType || e.GetErrorCategory() != "dataValidation" {
				t.Errorf("error %v, want 400 %q %s", e, tt.wantMsg, tt.wantType)
			}
		})
	}
}

func TestTransformBatchV2(t *testing.T) {
	t.Parallel()
	client := testClient(t, Config{})
	stream := openStream(t, client)
	dontBatch, err := structpb.NewStruct(map[string]any{"jobId": 3, "dontBatch": true})
	if err != nil {
		t.Fatal(err)
	}
	identifiers, err := structpb.NewStruct(map[string]any{"id": "r1", "plan": "pro"})
	if err != nil {
		t.Fatal(err)
	}
	record := &ciotransformerv1.Job{JobId: 4, Connection: personConnection(t), Payload: &ciotransformerv1.Job_Event{Event: &ciotransformerv1.Event{
		Type: "record", Action: "update", Identifiers: identifiers,
	}}}
	alone := rawJob(3, `{"type":"track","userId":"u2","event":"Alone"}`)
	alone.Metadata = dontBatch
	results := collect(t, stream, &ciotransformerv1.TransformBatchRequest{RequestId: 1, Destination: v2Destination, Jobs: []*ciotransformerv1.Job{
		rawJob(1, `{"type":"track","userId":"u1","event":"First"}`),
		rawJob(2, `{"type":"track","event":"No one"}`),
		alone,
		record,
		rawJob(5, `{"type":"group","userId":"u1","groupId":"g1"}`),
	}})

	// The error may come anywhere; u2's own request needs not wait for the
	// open batch, which shares no key with it.
	var got []string
	for _, r := range results {
		var ids []uint64
		for _, j := range r.GetJobs() {
			ids = append(ids, j.GetJobId())
		}
		switch {
		case r.GetError() != nil:
			got = append(got, "error "+r.GetError().GetMessage())
		default:
			objs := batchObjects(t, r.GetRequest().GetBody())
			got = append(got, r.GetRequest().GetEndpointPath()+" jobs "+jsonText(t, ids)+" objects "+jsonText(t, len(objs)))
		}
	}
	want := []string{
		"error message: userId, email or anonymousId is required",
		"v2/batch jobs [3] objects 1",
		"v2/batch jobs [1,4,5] objects 3",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("results (-want +got):\n%s", diff)
	}
	last := results[len(results)-1].GetRequest()
	wantRecord := decode(t, `{"type":"person","action":"identify","identifiers":{"id":"r1"},"attributes":{"plan":"pro"}}`)
	if diff := cmp.Diff(wantRecord, batchObjects(t, last.GetBody())[1]); diff != "" {
		t.Errorf("record object (-want +got):\n%s", diff)
	}
}

// jsonText returns v as JSON text.
func jsonText(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestDontBatchIsTrueOnly(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		metadata map[string]any
		want     bool
	}{
		{name: "no metadata"},
		{name: "true", metadata: map[string]any{"dontBatch": true}, want: true},
		{name: "false", metadata: map[string]any{"dontBatch": false}},
		{name: "the string true", metadata: map[string]any{"dontBatch": "true"}},
		{name: "one", metadata: map[string]any{"dontBatch": 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			job := &ciotransformerv1.Job{}
			if tt.metadata != nil {
				md, err := structpb.NewStruct(tt.metadata)
				if err != nil {
					t.Fatal(err)
				}
				job.Metadata = md
			}
			if got := dontBatch(job); got != tt.want {
				t.Errorf("dontBatch = %v, want %v", got, tt.want)
			}
		})
	}
}

// objectConnection is a connection whose records become the given object.
func objectConnection(t *testing.T, object string) *ciotransformerv1.Connection {
	t.Helper()
	cfg, err := structpb.NewStruct(map[string]any{"destination": map[string]any{"object": object}})
	if err != nil {
		t.Fatal(err)
	}
	return &ciotransformerv1.Connection{Config: cfg}
}

// TestTransformBatchV2ConnectionPerJob checks that every record of a
// message is mapped with its own job's connection (deviation D10), and
// that non-object events and unknown objects get their schema issues.
func TestTransformBatchV2ConnectionPerJob(t *testing.T) {
	t.Parallel()
	record := func(id uint64, action string, conn *ciotransformerv1.Connection) *ciotransformerv1.Job {
		j := rawJob(id, `{"type":"record","action":"`+action+`","identifiers":{"id":"r`+jsonText(t, id)+`","name":"Signed Up"}}`)
		j.Connection = conn
		return j
	}
	jobs := []*ciotransformerv1.Job{
		record(1, "insert", objectConnection(t, "event")),
		record(2, "insert", objectConnection(t, "person")),
		record(3, "delete", objectConnection(t, "event")),
		record(4, "delete", objectConnection(t, "person")),
		record(5, "insert", nil),
		record(6, "insert", objectConnection(t, "account")),
		rawJob(7, `null`),
		rawJob(8, `[]`),
	}
	stream := openStream(t, testClient(t, Config{}))
	results := collect(t, stream, &ciotransformerv1.TransformBatchRequest{RequestId: 1, Destination: v2Destination, Jobs: jobs})

	got := map[uint64]any{}
	for _, r := range results {
		if e := r.GetError(); e != nil {
			got[r.GetJobs()[0].GetJobId()] = e.GetMessage()
			continue
		}
		objs := batchObjects(t, r.GetRequest().GetBody())
		for i, j := range r.GetJobs() {
			o := objs[i].(map[string]any)
			got[j.GetJobId()] = o["action"]
		}
	}
	want := map[uint64]any{
		1: "event",
		2: "identify",
		3: `"delete" is not supported for object type "event"`,
		4: "delete",
		5: "Missing connection config",
		6: "connection.config.destination.object: Invalid enum value. Expected 'person' | 'event', received 'account'",
		7: "message.type: Required",
		8: "message.type: Required",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("outcome per job (-want +got):\n%s", diff)
	}
}
