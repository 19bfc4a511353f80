package transform

import "github.com/cio-transformer/cio-transformer/internal/jsvalue"

// typeRecord is the message type of warehouse (RETL) record events, which
// only API mode v2 accepts.
const typeRecord = "record"

// mapV2 maps one event for API mode v2, as upstream's opt-in
// batching-framework path does: every event type, and warehouse
// record events, become one person or object of a /api/v2/batch request,
// returned as JSON in Result.Object with the event's ordering keys. A
// Batcher with V2Limits merges them; batchOfOne sends one alone.
//
// connection is the job's RudderStack connection object, {"config":
// {"destination": {"object": ...}}}, or undefined when the job has none;
// only record events read it.
//
// The event is checked first, as upstream's input schema checks it; a job
// that fails gets a 400 error listing every problem (see v2Event.validate).
// Unlike mapV1, ids that are JSON numbers are sent as numbers, as
// upstream sends them in this mode. A msg that is not an object (null, an
// array, a string, a number) reads as an object with no keys, so it fails
// with "message.type: Required", as upstream answers it. mapV2 never
// panics and never modifies msg or connection. The object is capped at
// l.MaxEventBytes, enforced as in mapV1.
func (l Limits) mapV2(msg, connection jsvalue.Value, dest *Destination, a *Arena) Result {
	limit := l.withDefaults().MaxEventBytes
	r := batchPayload(msg, connection, dest, limit, a)
	typ := r.Type
	r = capped(r, limit)
	r.Type = typ
	return r
}

// batchPayload maps one event for API mode v2 with a budget of limit bytes.
// The result names the event's type (Result.Type), as eventTypeOf reads
// it: the type validated, or for an event that fails validation the type
// read again.
func batchPayload(msg, connection jsvalue.Value, dest *Destination, limit int, a *Arena) Result {
	dest = orEmpty(dest)
	if !msg.IsObject() {
		msg = jsvalue.NewObject(0)
	}
	var v v2Event
	v.budget = newBudget(limit)
	v.arena = a
	v.load(msg)
	if err := v.validate(dest, connection); err != nil {
		return Result{Err: err, Type: eventTypeOf(msg)}
	}
	r := v.mapValid(connection, dest)
	r.Type = dispatchedType(v.typ)
	return r
}

// mapValid maps v, an event that passed validation.
func (v *v2Event) mapValid(connection jsvalue.Value, dest *Destination) Result {
	if v.typ == typeRecord {
		return v.record(connection)
	}
	if v.retl {
		if err := v.applyRETL(); err != nil {
			return Result{Err: err}
		}
	}
	v.resolve()
	switch v.typ {
	case typeIdentify:
		return v.identifyV2()
	case typeTrack:
		return v.trackV2(dest)
	case typePage:
		return v.pageV2()
	case typeScreen:
		return v.screenV2()
	case typeAlias:
		return v.mergeV2()
	default:
		// group: the same object as in API mode v1.
		r := v.group()
		r.UserID = ""
		return r
	}
}

// v2Event is one message as API mode v2 reads it: the fields the v1 mapping
// reads, but as they came (no deviation D5: upstream's v2 path sends number
// ids as numbers), with the fields of record events.
type v2Event struct {
	event

	// msg is the message, for the get-value lookups of the input schema
	// (see hasSubject).
	msg jsvalue.Value
}

// load reads the fields of msg, as they came (see event.load).
func (v *v2Event) load(msg jsvalue.Value) {
	v.msg = msg
	v.event.load(msg, false)
}
