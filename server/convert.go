package server

import (
	"slices"
	"strings"

	ciotransformerv1 "github.com/cio-transformer/cio-transformer/gen/ciotransformer/v1"
	"github.com/cio-transformer/cio-transformer/transform"
	"github.com/cio-transformer/cio-transformer/transform/jsvalue"
	"google.golang.org/protobuf/types/known/structpb"
)

// destination converts the contract's destination to the mapper's.
func destination(d *ciotransformerv1.Destination) *transform.Destination {
	return &transform.Destination{
		ID:                   d.GetId(),
		SiteID:               d.GetSiteId(),
		APIKey:               d.GetApiKey(),
		EU:                   d.GetDatacenter() == ciotransformerv1.Datacenter_DATACENTER_EU,
		DeviceTokenEventName: d.GetDeviceTokenEventName(),
	}
}

// eventValue returns a job's event as a JSON value, or the job's error when
// its raw JSON cannot be read. Raw JSON that is valid but not an object
// (null, an array, a string, a number, a boolean) is passed on: the mapping
// reads it as an event without a type, as upstream does, and answers with
// upstream's wording for that.
func eventValue(j *ciotransformerv1.Job) (jsvalue.Value, *transform.Error) {
	switch p := j.GetPayload().(type) {
	case *ciotransformerv1.Job_RawEvent:
		v, err := jsvalue.Parse(p.RawEvent)
		if err != nil {
			return jsvalue.Value{}, badEvent("Event is not valid JSON: " + err.Error())
		}
		return v, nil
	case *ciotransformerv1.Job_Event:
		return eventJSON(eventWire(p.Event)), nil
	}
	return jsvalue.Value{}, badEvent("Event is missing")
}

// badEvent is the 400 of an event whose JSON cannot be read.
func badEvent(msg string) *transform.Error {
	return &transform.Error{
		StatusCode: 400,
		Message:    msg,
		Category:   transform.CategoryDataValidation,
		Type:       transform.TypeInstrumentation,
	}
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
	obj := o.Object()
	start := 0
	for i, e := range entries {
		var v jsvalue.Value
		if ends[i] > 0 {
			v = jsvalue.RawNumber(numbers[start:ends[i]])
			start = ends[i]
		} else {
			v = protoValue(e.value)
		}
		obj.Members = append(obj.Members, jsvalue.Member{Key: e.key, Value: v})
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
