package server

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"

	ciotransformerv1 "github.com/cio-transformer/cio-transformer/gen/ciotransformer/v1"
	"github.com/cio-transformer/cio-transformer/internal/eventmix"
	"github.com/cio-transformer/cio-transformer/transform"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/structpb"
)

// scalingJobs are the many-keys events whose cost per input byte must stay
// within a small factor of a typical event's: a device event whose
// properties are one long string, trait keys after one dotted key,
// user_properties keys that are array indexes, and a typed Struct of many
// trait keys with one key path.
var scalingJobs = []struct {
	name string
	job  func(size int) *ciotransformerv1.Job
}{
	{"device-string-properties", func(size int) *ciotransformerv1.Job {
		head := `{"type":"track","event":"Application Installed","userId":"user-1","messageId":"m-1",` +
			`"originalTimestamp":"2025-01-01T00:00:00.000Z","context":{"device":{"token":"token-1","type":"ios"}},"properties":"`
		tail := `"}`
		return rawJob(0, head+strings.Repeat("p", max(size-len(head)-len(tail), 1))+tail)
	}},
	{"keys-after-dotted-key", func(size int) *ciotransformerv1.Job {
		var b strings.Builder
		b.WriteString(`{"type":"identify","userId":"user-1","messageId":"m-1","traits":{"a.b.c":1`)
		writeBenchMembers(&b, `,"k%d":%d`, size-b.Len()-2)
		b.WriteString(`}}`)
		return rawJob(0, b.String())
	}},
	{"user-properties-indexes", func(size int) *ciotransformerv1.Job {
		var b strings.Builder
		b.WriteString(`{"type":"identify","userId":"user-1","messageId":"m-1","traits":{"email":"user-1@example.com"},"user_properties":{"u":0`)
		writeBenchMembers(&b, `,"%d":%d`, size-b.Len()-2)
		b.WriteString(`}}`)
		return rawJob(0, b.String())
	}},
	{"typed-struct-traits", func(size int) *ciotransformerv1.Job {
		// About 22 bytes a member on the wire.
		n := max(size/22, 1)
		fields := make(map[string]*structpb.Value, n+1)
		fields["a.b.c"] = structpb.NewNumberValue(1)
		for i := range n {
			fields["k"+strconv.Itoa(i)] = structpb.NewNumberValue(float64(i))
		}
		return &ciotransformerv1.Job{Payload: &ciotransformerv1.Job_Event{Event: &ciotransformerv1.Event{
			Type: "identify", UserId: "user-1", MessageId: "m-1",
			Traits: &structpb.Struct{Fields: fields},
		}}}
	}},
}

// writeBenchMembers writes members of format (given the member's number
// twice) until about room bytes are written.
func writeBenchMembers(b *strings.Builder, format string, room int) {
	start := b.Len()
	for i := 0; b.Len()-start < room; i++ {
		fmt.Fprintf(b, format, i, i)
	}
}

// scalingMessageBytes is about the size of each request message the
// scaling benchmarks send: copies of one event up to it.
const scalingMessageBytes = 1 << 20

// BenchmarkScalingServer sends request messages of copies of each scaling
// event, at 1 KB, 10 KB and 100 KB, through the whole server over bufconn;
// its MB/s (input bytes) compares with BenchmarkScalingServerTypical's. The
// client's work is in the figures too, the same for every event.
func BenchmarkScalingServer(b *testing.B) {
	for _, sj := range scalingJobs {
		for _, size := range []int{1_000, 10_000, 100_000} {
			job := sj.job(size)
			n := max(scalingMessageBytes/size, 1)
			jobs := make([]*ciotransformerv1.Job, n)
			for i := range jobs {
				jobs[i] = &ciotransformerv1.Job{JobId: uint64(i + 1), Payload: job.GetPayload()}
			}
			b.Run(fmt.Sprintf("%s/%dB", sj.name, size), func(b *testing.B) {
				benchBatch(b, jobs)
			})
		}
	}
}

// BenchmarkScalingServerTypical sends request messages of the typical
// event mix, the yardstick of BenchmarkScalingServer.
func BenchmarkScalingServerTypical(b *testing.B) {
	events := eventmix.Generate(1, 1000)
	jobs := make([]*ciotransformerv1.Job, len(events))
	for i, e := range events {
		jobs[i] = rawJob(uint64(i+1), string(e.JSON))
	}
	benchBatch(b, jobs)
}

// benchConn serves a default server over bufconn for the benchmark and
// returns a client connection to it, both closed when the benchmark ends.
func benchConn(b *testing.B) *grpc.ClientConn {
	b.Helper()
	srv, err := New(Config{})
	if err != nil {
		b.Fatal(err)
	}
	conn, _ := serveBufconn(b, srv, grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(64<<20), grpc.MaxCallSendMsgSize(64<<20)))
	return conn
}

// benchBatch sends jobs as one request message per iteration and reads the
// answer, checking that every job is answered.
func benchBatch(b *testing.B, jobs []*ciotransformerv1.Job) {
	req := &ciotransformerv1.TransformBatchRequest{Destination: testDestination, Jobs: jobs}
	conn := benchConn(b)
	ctx, cancel := context.WithCancel(b.Context())
	defer cancel()
	stream, err := ciotransformerv1.NewTransformerServiceClient(conn).TransformBatch(ctx)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(proto.Size(req)))
	b.ReportAllocs()
	id := uint64(0)
	for b.Loop() {
		id++
		req.RequestId = id
		if err := stream.Send(req); err != nil {
			b.Fatal(err)
		}
		answered := 0
		for {
			resp, err := stream.Recv()
			if err != nil {
				b.Fatal(err)
			}
			for _, r := range resp.GetResults() {
				answered += len(r.GetJobs())
			}
			if resp.GetFinal() {
				break
			}
		}
		if answered != len(jobs) {
			b.Fatalf("%d of %d jobs answered", answered, len(jobs))
		}
	}
}

// BenchmarkTypedStruct splits the cost of a typed identify whose traits
// Struct holds 40,000 keys and one key path into its steps: decoding the
// job from the wire, converting the Struct to JSON, and mapping it.
func BenchmarkTypedStruct(b *testing.B) {
	job := scalingJobs[3].job(40_000 * 22)
	wire, err := proto.Marshal(job)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("decode", func(b *testing.B) {
		b.SetBytes(int64(len(wire)))
		b.ReportAllocs()
		for b.Loop() {
			var j ciotransformerv1.Job
			if err := proto.Unmarshal(wire, &j); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("convert", func(b *testing.B) {
		b.SetBytes(int64(len(wire)))
		b.ReportAllocs()
		for b.Loop() {
			typedEvent(job.GetEvent())
		}
	})
	b.Run("map", func(b *testing.B) {
		b.SetBytes(int64(len(wire)))
		b.ReportAllocs()
		dest := destination(testDestination)
		for b.Loop() {
			// Converted again each time: mapping reads the event, never
			// writes it, but a fresh one keeps the steps apart.
			b.StopTimer()
			ev := typedEvent(job.GetEvent())
			b.StartTimer()
			if r := (transform.Mode{}).Map(transform.Job{Event: ev}, dest); r.Err != nil {
				b.Fatal(r.Err.Message)
			}
		}
	})
}
