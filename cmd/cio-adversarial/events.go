package main

import (
	"fmt"
	"strconv"
	"strings"

	ciotransformerv1 "github.com/cio-transformer/cio-transformer/gen/ciotransformer/v1"
	"github.com/cio-transformer/cio-transformer/internal/eventmix"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/structpb"
)

// destination is the Customer.io destination of every attack.
func destination() *ciotransformerv1.Destination {
	return &ciotransformerv1.Destination{Id: "dest-1", SiteId: "site-1", ApiKey: "api-key-1"}
}

// rawJob is a job carrying event JSON.
func rawJob(id uint64, event []byte) *ciotransformerv1.Job {
	return &ciotransformerv1.Job{JobId: id, Payload: &ciotransformerv1.Job_RawEvent{RawEvent: event}}
}

// typicalJobs are n jobs of the seeded realistic event mix, ids from first.
func typicalJobs(n int, first uint64) []*ciotransformerv1.Job {
	jobs := make([]*ciotransformerv1.Job, n)
	for i, ev := range eventmix.Generate(1, n) {
		jobs[i] = rawJob(first+uint64(i), ev.JSON)
	}
	return jobs
}

// batchMessage encodes a TransformBatch request message.
func batchMessage(requestID uint64, jobs []*ciotransformerv1.Job) (*rawMessage, error) {
	b, err := proto.Marshal(&ciotransformerv1.TransformBatchRequest{RequestId: requestID, Destination: destination(), Jobs: jobs})
	return &rawMessage{id: requestID, wire: b}, err
}

// batchMessages encodes jobs in request messages of per jobs, request ids
// from 1.
func batchMessages(jobs []*ciotransformerv1.Job, per int) ([]*rawMessage, error) {
	var msgs []*rawMessage
	for i := 0; i < len(jobs); i += per {
		msg, err := batchMessage(uint64(i/per+1), jobs[i:min(i+per, len(jobs))])
		if err != nil {
			return nil, err
		}
		msgs = append(msgs, msg)
	}
	return msgs, nil
}

// shape is a kind of hostile event whose size the harness can choose.
type shape struct {
	// name describes the event.
	name string
	// nominal is the size of the event in the measurement.
	nominal int
	// job builds a job of about size bytes (for keyPathArraysShape: of
	// size trait keys).
	job func(id uint64, size int) *ciotransformerv1.Job
}

// deviceShape is a device event whose properties are one long string,
// which upstream spreads into the device attributes one key per UTF-16
// unit.
var deviceShape = shape{
	name:    "device event, properties one long string",
	nominal: 150_000,
	job: func(id uint64, size int) *ciotransformerv1.Job {
		head := `{"type":"track","event":"Application Installed","userId":"user-1","messageId":"m-1",` +
			`"originalTimestamp":"2025-01-01T00:00:00.000Z","context":{"device":{"token":"token-1","type":"ios"}},"properties":"`
		tail := `"}`
		n := max(size-len(head)-len(tail), 1)
		return rawJob(id, []byte(head+strings.Repeat("p", n)+tail))
	},
}

// keysAfterDottedShape is an identify whose traits hold one dotted key
// (a key path) followed by many plain keys.
var keysAfterDottedShape = shape{
	name:    "identify, many trait keys after one dotted key",
	nominal: 50_000,
	job: func(id uint64, size int) *ciotransformerv1.Job {
		var b strings.Builder
		b.WriteString(`{"type":"identify","userId":"user-1","messageId":"m-1","traits":{"a.b.c":1`)
		writeKeys(&b, `,"k%d":%d`, size-b.Len()-2)
		b.WriteString(`}}`)
		return rawJob(id, []byte(b.String()))
	},
}

// userPropertiesShape is an identify with many user_properties keys, each
// an array index: JavaScript orders those before other keys, the costliest
// case for an object that keeps JavaScript's key order.
var userPropertiesShape = shape{
	name:    "identify, many user_properties keys (array indexes)",
	nominal: 50_000,
	job: func(id uint64, size int) *ciotransformerv1.Job {
		var b strings.Builder
		b.WriteString(`{"type":"identify","userId":"user-1","messageId":"m-1","traits":{"email":"user-1@example.com"},"user_properties":{"u":0`)
		writeKeys(&b, `,"%d":%d`, size-b.Len()-2)
		b.WriteString(`}}`)
		return rawJob(id, []byte(b.String()))
	},
}

// writeKeys writes members of format (given the member's number twice)
// until about room bytes are written.
func writeKeys(b *strings.Builder, format string, room int) {
	start := b.Len()
	for i := 0; b.Len()-start < room; i++ {
		fmt.Fprintf(b, format, i, i)
	}
}

// typedStructShape is a typed identify whose traits Struct holds one
// dotted key among many (40,000 in the measurement).
var typedStructShape = shape{
	name:    "typed identify, traits Struct of many keys and one a.b.c",
	nominal: 40_000 * typedKeyBytes,
	job: func(id uint64, size int) *ciotransformerv1.Job {
		n := max(size/typedKeyBytes, 1)
		fields := make(map[string]*structpb.Value, n+1)
		fields["a.b.c"] = structpb.NewNumberValue(1)
		for i := range n {
			fields["k"+strconv.Itoa(i)] = structpb.NewNumberValue(float64(i))
		}
		return &ciotransformerv1.Job{JobId: id, Payload: &ciotransformerv1.Job_Event{Event: &ciotransformerv1.Event{
			Type: "identify", UserId: "user-1", MessageId: "m-1",
			Traits: &structpb.Struct{Fields: fields},
		}}}
	},
}

// typedKeyBytes is about the encoded size of one "kN": N member of a
// Struct of tens of thousands of keys.
const typedKeyBytes = 22

// keyPathArraysShape is an identify of trait keys that each write index
// 6,553 of an array, the largest index a key path may write.
var keyPathArraysShape = shape{
	name:    "identify, 1,000 trait keys x.kN.6553",
	nominal: 1000,
	job: func(id uint64, keys int) *ciotransformerv1.Job {
		var b strings.Builder
		b.WriteString(`{"type":"identify","userId":"user-1","messageId":"m-1","traits":{`)
		for i := range keys {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `"x.k%d.6553":1`, i)
		}
		b.WriteString(`}}`)
		return rawJob(id, []byte(b.String()))
	},
}

// deepKeyPathShape is an identify whose one trait key is a path of as
// many segments as its size allows ("x.a.a.a…"), each of which would nest
// the body one object deeper.
var deepKeyPathShape = shape{
	name:    "identify, one trait key path of 100,000 segments",
	nominal: 200_000,
	job: func(id uint64, size int) *ciotransformerv1.Job {
		head := `{"type":"identify","userId":"user-1","messageId":"m-1","traits":{"x`
		tail := `":1}}`
		n := max((size-len(head)-len(tail))/2, 1)
		return rawJob(id, []byte(head+strings.Repeat(".a", n)+tail))
	},
}

// emptyJobsMessage is a TransformBatch request message of size bytes made
// of empty jobs (two bytes each on the wire).
func emptyJobsMessage(size int) *rawMessage {
	const requestID = 1
	b := protowire.AppendTag(nil, 1, protowire.VarintType)
	b = protowire.AppendVarint(b, requestID)
	d, _ := proto.Marshal(destination())
	b = protowire.AppendTag(b, 2, protowire.BytesType)
	b = protowire.AppendBytes(b, d)
	for len(b)+2 <= size {
		b = append(b, 3<<3|byte(protowire.BytesType), 0)
	}
	return &rawMessage{id: requestID, wire: b}
}

// emptyListMetadataJob is an encoded Job (without an event) whose metadata
// holds one list of empty values, about size bytes in all.
func emptyListMetadataJob(size int) []byte {
	n := max((size-32)/2, 0)
	list := make([]byte, 0, 2*n)
	for range n {
		// ListValue.values (field 1), an empty Value.
		list = append(list, 1<<3|byte(protowire.BytesType), 0)
	}
	value := protowire.AppendTag(nil, 6, protowire.BytesType) // Value.list_value
	value = protowire.AppendBytes(value, list)
	entry := protowire.AppendTag(nil, 1, protowire.BytesType) // entry key
	entry = protowire.AppendString(entry, "k")
	entry = protowire.AppendTag(entry, 2, protowire.BytesType) // entry value
	entry = protowire.AppendBytes(entry, value)
	st := protowire.AppendTag(nil, 1, protowire.BytesType) // Struct.fields
	st = protowire.AppendBytes(st, entry)
	job := protowire.AppendTag(nil, 1, protowire.VarintType)
	job = protowire.AppendVarint(job, 1)
	job = protowire.AppendTag(job, 2, protowire.BytesType) // Job.metadata
	return protowire.AppendBytes(job, st)
}

// emptyListBatchMessage is a TransformBatch request message of about size
// bytes: one job whose metadata is a list of empty values.
func emptyListBatchMessage(size int) *rawMessage {
	d, _ := proto.Marshal(destination())
	b := protowire.AppendTag(nil, 2, protowire.BytesType)
	b = protowire.AppendBytes(b, d)
	b = protowire.AppendTag(b, 3, protowire.BytesType)
	return &rawMessage{wire: protowire.AppendBytes(b, emptyListMetadataJob(size-len(b)-8))}
}

// emptyListUnaryMessage is a Transform request message of about size
// bytes: its job's metadata is a list of empty values.
func emptyListUnaryMessage(size int) []byte {
	d, _ := proto.Marshal(destination())
	b := protowire.AppendTag(nil, 1, protowire.BytesType)
	b = protowire.AppendBytes(b, d)
	b = protowire.AppendTag(b, 2, protowire.BytesType)
	return protowire.AppendBytes(b, emptyListMetadataJob(size-len(b)-8))
}

// grpcFrame prefixes msg with gRPC's message header (not compressed, its
// length).
func grpcFrame(msg []byte) []byte {
	return append(grpcHeader(len(msg)), msg...)
}

// grpcHeader is the 5-byte gRPC message header of an uncompressed message
// of n bytes.
func grpcHeader(n int) []byte {
	return []byte{0, byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)}
}
