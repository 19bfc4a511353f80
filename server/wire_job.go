package server

import (
	"bytes"
	"errors"

	ciotransformerv1 "github.com/cio-transformer/cio-transformer/gen/ciotransformer/v1"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/known/structpb"
)

// Field numbers of Job.
const (
	jobIDField         protowire.Number = 1
	jobMetadataField   protowire.Number = 2
	jobEventField      protowire.Number = 3
	jobRawEventField   protowire.Number = 4
	jobConnectionField protowire.Number = 5
)

// metadataTag is the tag of Job.metadata and JobRef.metadata, as protobuf
// writes it.
var metadataTag = protowire.AppendTag(nil, jobMetadataField, protowire.BytesType)

// metadataReadKeys are the metadata keys the service reads: dontBatch
// (see dontBatch) and the trace context (see jobLinker.link).
var metadataReadKeys = [...]string{dontBatchKey, "traceparent", "tracestate"}

// requestShape is where a transform request message holds its destination
// and its jobs.
type requestShape struct {
	destField, jobField protowire.Number
}

// requestShapes are the request messages the codec builds from a walk.
var requestShapes = map[protoreflect.FullName]requestShape{
	batchRequestName: {destField: 2, jobField: 3},
	(&ciotransformerv1.TransformRequest{}).ProtoReflect().Descriptor().FullName(): {destField: 1, jobField: 2},
}

// errWireShape is the error of a build that met bytes the walk had not
// checked: the message is then decoded by protobuf instead.
var errWireShape = errors.New("unexpected wire bytes")

// buildRequest fills m, a TransformBatchRequest or a TransformRequest whose
// bytes own the walk w has checked, from w's notes. Jobs are built as
// jobBuilder has them, sharing own, which nothing may write to after.
func buildRequest(own []byte, w *wireWalk, m proto.Message) error {
	dest, err := buildDestination(own, w.destParts)
	if err != nil {
		return err
	}
	var jb jobBuilder
	switch r := m.(type) {
	case *ciotransformerv1.TransformBatchRequest:
		r.RequestId = w.requestID
		r.Destination = dest
		if len(w.jobParts) == 0 {
			return nil
		}
		slab := make([]ciotransformerv1.Job, len(w.jobParts))
		r.Jobs = make([]*ciotransformerv1.Job, len(w.jobParts))
		for i := range w.jobParts {
			if err := jb.build(&slab[i], own, w.jobParts[i:i+1]); err != nil {
				return err
			}
			r.Jobs[i] = &slab[i]
		}
	case *ciotransformerv1.TransformRequest:
		r.Destination = dest
		if len(w.jobParts) > 0 {
			// The occurrences of a message field merge, as their
			// concatenation decodes.
			r.Job = &ciotransformerv1.Job{}
			return jb.build(r.Job, own, w.jobParts)
		}
	}
	return nil
}

// buildDestination decodes the occurrences of a destination, merged; nil
// when there are none.
func buildDestination(b []byte, parts []span) (*ciotransformerv1.Destination, error) {
	if len(parts) == 0 {
		return nil, nil
	}
	d := &ciotransformerv1.Destination{}
	for _, p := range parts {
		if err := (proto.UnmarshalOptions{Merge: true}).Unmarshal(b[p.off:p.end], d); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// jobBuilder builds jobs from their wire bytes, reusing its scratch space
// from one job to the next.
//
// A built job holds its metadata as wire bytes: the records of its
// metadata field, in the job's unknown fields (see metadataWire), with
// only metadataReadKeys decoded into Metadata. Its typed event is an Event
// whose unknown fields hold the event's wire bytes, read into JSON when
// the job is mapped (see eventJSON). Its raw event shares the copy of the
// message's bytes.
type jobBuilder struct {
	metaRecords, metaValues, event, conn []span
}

// Kinds of a job's payload.
const (
	payloadNone = iota
	payloadEvent
	payloadRaw
)

// build fills job from the occurrences parts of its message in own.
func (jb *jobBuilder) build(job *ciotransformerv1.Job, own []byte, parts []span) error {
	jb.metaRecords, jb.metaValues, jb.event, jb.conn = jb.metaRecords[:0], jb.metaValues[:0], jb.event[:0], jb.conn[:0]
	payload := payloadNone
	var raw span
	for _, p := range parts {
		fs := fieldsOf(own, p)
		for fs.next() {
			if fs.typ == protowire.VarintType && fs.num == jobIDField {
				job.JobId = fs.x
				continue
			}
			if fs.typ != protowire.BytesType {
				continue
			}
			switch fs.num {
			case jobMetadataField:
				jb.metaRecords = append(jb.metaRecords, span{fs.start, fs.pos})
				jb.metaValues = append(jb.metaValues, fs.val)
			case jobEventField:
				if payload != payloadEvent {
					// A oneof member replaces the other; the same one
					// again merges.
					payload, jb.event = payloadEvent, jb.event[:0]
				}
				jb.event = append(jb.event, fs.val)
			case jobRawEventField:
				payload, raw = payloadRaw, fs.val
			case jobConnectionField:
				jb.conn = append(jb.conn, fs.val)
			}
		}
		if fs.bad {
			return errWireShape
		}
	}
	switch payload {
	case payloadEvent:
		ev := &ciotransformerv1.Event{}
		ev.ProtoReflect().SetUnknown(joinSpans(own, jb.event))
		job.Payload = &ciotransformerv1.Job_Event{Event: ev}
	case payloadRaw:
		job.Payload = &ciotransformerv1.Job_RawEvent{RawEvent: own[raw.off:raw.end:raw.end]}
	}
	if len(jb.conn) > 0 {
		job.Connection = &ciotransformerv1.Connection{}
		for _, p := range jb.conn {
			if err := (proto.UnmarshalOptions{Merge: true}).Unmarshal(own[p.off:p.end], job.Connection); err != nil {
				return err
			}
		}
	}
	if len(jb.metaRecords) > 0 {
		job.ProtoReflect().SetUnknown(metadataRecords(own, jb.metaRecords))
		md, err := readMetadataKeys(own, jb.metaValues)
		if err != nil {
			return err
		}
		job.Metadata = md
	}
	return nil
}

// joinSpans returns the bytes of parts of own, one after the other: the
// bytes themselves when there is one part.
func joinSpans(own []byte, parts []span) []byte {
	if len(parts) == 1 {
		p := parts[0]
		return own[p.off:p.end:p.end]
	}
	var out []byte
	for _, p := range parts {
		out = append(out, own[p.off:p.end]...)
	}
	return out
}

// metadataRecords returns the metadata field records at records of own,
// each with the tag protobuf writes: the bytes themselves when there is
// one record and it has that tag already.
func metadataRecords(own []byte, records []span) []byte {
	if len(records) == 1 {
		r := records[0]
		if bytes.HasPrefix(own[r.off:r.end], metadataTag) {
			return own[r.off:r.end:r.end]
		}
	}
	var out []byte
	for _, r := range records {
		_, _, n := protowire.ConsumeTag(own[r.off:r.end])
		out = append(out, metadataTag...)
		out = append(out, own[r.off+n:r.end]...)
	}
	return out
}

// readMetadataKeys decodes the metadataReadKeys of the metadata Structs at
// values of own, merged as protobuf merges them; nil when it has none.
func readMetadataKeys(own []byte, values []span) (*structpb.Struct, error) {
	var md *structpb.Struct
	for _, v := range values {
		fs := fieldsOf(own, v)
		for fs.next() {
			if fs.num != structFieldsField || fs.typ != protowire.BytesType {
				continue
			}
			key, value, err := readKey(fs.bytes())
			if err != nil {
				return nil, err
			}
			if value == nil {
				continue
			}
			if md == nil {
				md = &structpb.Struct{Fields: map[string]*structpb.Value{}}
			}
			md.Fields[key] = value
		}
		if fs.bad {
			return nil, errWireShape
		}
	}
	return md, nil
}

// readKey decodes a Struct map entry when its key is one of
// metadataReadKeys; value is nil otherwise.
func readKey(entry []byte) (key string, value *structpb.Value, err error) {
	if k, _, ok := entryAtSight(entry, span{0, len(entry)}); ok && !isReadKey(entry[k.off:k.end]) {
		// An entry as protobuf writes it, whose fields are well formed,
		// of a key not read: most are.
		return "", nil, nil
	}
	var keyBytes []byte
	var values [][]byte
	fs := fields{b: entry}
	for fs.next() {
		if fs.typ != protowire.BytesType {
			continue
		}
		switch fs.num {
		case entryKeyField:
			keyBytes = fs.bytes()
		case entryValueField:
			values = append(values, fs.bytes())
		}
	}
	if fs.bad {
		return "", nil, errWireShape
	}
	for _, k := range metadataReadKeys {
		if string(keyBytes) != k {
			continue
		}
		// A map entry's value occurrences merge into one value.
		value = &structpb.Value{}
		for _, v := range values {
			if err := (proto.UnmarshalOptions{Merge: true}).Unmarshal(v, value); err != nil {
				return "", nil, err
			}
		}
		return k, value, nil
	}
	return "", nil, nil
}

// isReadKey reports whether key is one of metadataReadKeys.
func isReadKey(key []byte) bool {
	for _, k := range metadataReadKeys {
		if string(key) == k {
			return true
		}
	}
	return false
}

// metadataWire returns the records of job's metadata field that the codec
// kept as wire bytes (see jobBuilder), nil when it kept none: the job's
// Metadata is then its metadata.
func metadataWire(job *ciotransformerv1.Job) []byte {
	raw := job.ProtoReflect().GetUnknown()
	if len(raw) == 0 {
		return nil
	}
	all := true
	fs := fields{b: raw}
	for fs.next() {
		if fs.num != jobMetadataField || fs.typ != protowire.BytesType {
			all = false
		}
	}
	if fs.bad {
		return nil
	}
	if all {
		return raw
	}
	var out []byte
	for fs := (fields{b: raw}); fs.next(); {
		if fs.num == jobMetadataField && fs.typ == protowire.BytesType {
			out = append(out, raw[fs.start:fs.pos]...)
		}
	}
	return out
}

// setRefMetadata gives ref the metadata of job: the job's metadata wire
// bytes verbatim when the codec kept them, its Metadata otherwise.
func setRefMetadata(ref *ciotransformerv1.JobRef, job *ciotransformerv1.Job) {
	if raw := metadataWire(job); raw != nil {
		ref.Metadata = nil
		ref.ProtoReflect().SetUnknown(raw)
		return
	}
	ref.Metadata = job.GetMetadata()
}

// metadataSize is about the encoded size of job's metadata.
func metadataSize(job *ciotransformerv1.Job) int {
	if raw := metadataWire(job); raw != nil {
		return len(raw)
	}
	if md := job.GetMetadata(); md != nil {
		return proto.Size(md) + len(metadataTag) + 5
	}
	return 0
}
