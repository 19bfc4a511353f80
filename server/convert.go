package server

import (
	"slices"
	"strings"

	ciotransformerv1 "github.com/cio-transformer/cio-transformer/gen/ciotransformer/v1"
	"github.com/cio-transformer/cio-transformer/internal/jsvalue"
	"github.com/cio-transformer/cio-transformer/transform"
	"google.golang.org/protobuf/types/known/structpb"
)

// destination converts the contract's destination to the mapper's.
func destination(d *ciotransformerv1.Destination) *transform.Destination {
	return transform.NewDestination(transform.DestinationConfig{
		ID:                   d.GetId(),
		SiteID:               d.GetSiteId(),
		APIKey:               d.GetApiKey(),
		EU:                   d.GetDatacenter() == ciotransformerv1.Datacenter_DATACENTER_EU,
		DeviceTokenEventName: d.GetDeviceTokenEventName(),
	})
}

// dontBatchKey is the job metadata key with which RudderStack asks for a job
// to be sent in a request of its own.
const dontBatchKey = "dontBatch"

// mode converts the contract's destination to the mode its jobs are mapped
// in, with a cap of maxEventBytes on one event's output.
func mode(d *ciotransformerv1.Destination, maxEventBytes int) transform.Mode {
	return transform.Mode{
		V2:            d.GetApiMode() == ciotransformerv1.ApiMode_API_MODE_V2_BATCH,
		MaxEventBytes: maxEventBytes,
	}
}

// job converts the contract's job to the mapper's: its raw JSON or typed
// event, its connection, and its metadata's dontBatch, and the bytes its
// event took in the message. A typed event's Value is read in space held
// for it (see eventJSON), which the caller releases once the job is
// mapped; held is nil for other jobs.
func job(j *ciotransformerv1.Job) (tj transform.Job, size int, held *eventText) {
	tj = transform.Job{Connection: connectionValue(j.GetConnection()), DontBatch: dontBatch(j)}
	switch p := j.GetPayload().(type) {
	case *ciotransformerv1.Job_RawEvent:
		// Non-nil even when empty: empty bytes are an event that is not
		// valid JSON, not a missing one.
		tj.Raw = p.RawEvent
		if tj.Raw == nil {
			tj.Raw = []byte{}
		}
		// The request's bytes are its own, never written once decoded:
		// the codec's copy of the message (buildRequest) or protobuf's
		// copy of the field.
		tj.RawImmutable = true
		size = len(tj.Raw)
	case *ciotransformerv1.Job_Event:
		b := eventWire(p.Event)
		tj.Event, held = eventJSON(b)
		size = len(b)
	default:
		tj.Missing = true
	}
	return tj, size, held
}

// mapJob maps j for dest in mode m, within what its request message may
// still produce, and releases the space its event was read in: a Result
// refers to nothing of the event (see transform.Result).
func mapJob(m transform.Mode, a *transform.Arena, j *ciotransformerv1.Job, dest *transform.Destination, produced *transform.Output) transform.Result {
	tj, size, held := job(j)
	r := produced.MapIn(m, a, tj, dest, size)
	if held != nil {
		held.release()
	}
	return r
}

// dontBatch reports whether the job's metadata has dontBatch set to true,
// the one value upstream honours.
func dontBatch(j *ciotransformerv1.Job) bool {
	v, ok := j.GetMetadata().GetFields()[dontBatchKey]
	return ok && v.GetBoolValue()
}

// connectionValue converts a job's connection to the part of RudderStack's
// connection object the mapping reads, {"config": ...}; undefined when the
// job has none.
func connectionValue(c *ciotransformerv1.Connection) jsvalue.Value {
	if c == nil {
		return jsvalue.Undefined()
	}
	v := jsvalue.NewObject(1)
	if cfg := c.GetConfig(); cfg != nil {
		v.Set("config", structValue(cfg))
	}
	return v
}

// structValue converts a Struct to a JSON object, members in key order:
// protobuf maps have no order, and sorted keys make the output
// deterministic.
func structValue(s *structpb.Struct) jsvalue.Value {
	fields := s.GetFields()
	// The entries are sorted as key and pointer pairs, a third of the size
	// of a member, before any value is converted; the members are then
	// appended directly: map keys are unique, and Set would look for each
	// key first, which is quadratic in a wide Struct.
	entries := make([]structEntry, 0, len(fields))
	for k, v := range fields {
		entries = append(entries, structEntry{k, v})
	}
	if len(entries) > 1 {
		slices.SortFunc(entries, func(a, b structEntry) int { return strings.Compare(a.key, b.key) })
	}
	// The texts of the numbers are written into one string, rather than
	// one string each.
	var digits []byte
	ends := make([]int, len(entries))
	for i, e := range entries {
		if n, ok := e.value.GetKind().(*structpb.Value_NumberValue); ok {
			digits = jsvalue.AppendNumber(digits, n.NumberValue)
			ends[i] = len(digits)
		}
	}
	numbers := string(digits)
	o := jsvalue.NewObject(len(entries))
	start := 0
	for i, e := range entries {
		var v jsvalue.Value
		if ends[i] > 0 {
			v = jsvalue.RawNumber(numbers[start:ends[i]])
			start = ends[i]
		} else {
			v = protoValue(e.value)
		}
		o.Add(e.key, v)
	}
	return o
}

// structEntry is one field of a Struct.
type structEntry struct {
	key   string
	value *structpb.Value
}

// protoValue converts a protobuf Value to a JSON value.
func protoValue(v *structpb.Value) jsvalue.Value {
	switch k := v.GetKind().(type) {
	case *structpb.Value_NullValue:
		return jsvalue.Null()
	case *structpb.Value_NumberValue:
		return jsvalue.Number(k.NumberValue)
	case *structpb.Value_StringValue:
		return jsvalue.String(k.StringValue)
	case *structpb.Value_BoolValue:
		return jsvalue.Bool(k.BoolValue)
	case *structpb.Value_StructValue:
		return structValue(k.StructValue)
	case *structpb.Value_ListValue:
		vals := k.ListValue.GetValues()
		elems := make([]jsvalue.Value, len(vals))
		for i, e := range vals {
			elems[i] = protoValue(e)
		}
		return jsvalue.NewArray(elems...)
	}
	return jsvalue.Null()
}

// jobError converts a mapping error to the contract's per-job error. A
// message that quotes the event may hold a lone surrogate, which reads
// U+FFFD in the protobuf string.
func jobError(e *transform.Error) *ciotransformerv1.JobError {
	return &ciotransformerv1.JobError{
		StatusCode:    int32(e.StatusCode),
		Message:       jsvalue.ToWellFormed(e.Message),
		ErrorCategory: e.Category,
		ErrorType:     e.Type,
	}
}
