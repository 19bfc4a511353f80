package transform

import "github.com/cio-transformer/cio-transformer/internal/jsvalue"

// typeRecord is the message type of warehouse (RETL) record events, which
// only API mode v2 accepts.
const typeRecord = "record"

// BatchPayload maps one event for API mode v2, as upstream's opt-in
// batching-framework path does: every event type, and warehouse
// record events, become one person or object of a /api/v2/batch request,
// returned as JSON in Result.Object with the event's ordering keys. Use a
// Batcher with V2Limits to merge them, BatchOfOne to send one alone.
//
// connection is the job's RudderStack connection object, {"config":
// {"destination": {"object": ...}}}, or undefined when the job has none;
// only record events read it.
//
// The event is checked first, as upstream's input schema checks it; a job
// that fails gets a 400 error listing every problem (see v2Event.validate).
// Unlike Transform, ids that are JSON numbers are sent as numbers, as
// upstream sends them in this mode. A msg that is not an object (null, an
// array, a string, a number) reads as an object with no keys, so it fails
// with "message.type: Required", as upstream answers it. BatchPayload never
// panics and never modifies msg or connection.
func BatchPayload(msg, connection jsvalue.Value, dest *Destination) Result {
	return V2Limits().BatchPayload(msg, connection, dest)
}

// BatchPayload maps one event as the package's BatchPayload does, with a
// cap of l.MaxEventBytes on the bytes of its object, enforced as in
// Limits.Transform.
func (l Limits) BatchPayload(msg, connection jsvalue.Value, dest *Destination) Result {
	limit := l.withDefaults().MaxEventBytes
	return capped(batchPayload(msg, connection, dest, limit), limit)
}

// batchPayload maps one event for API mode v2 with a budget of limit bytes.
func batchPayload(msg, connection jsvalue.Value, dest *Destination, limit int) Result {
	dest = orEmpty(dest)
	if !msg.IsObject() {
		msg = jsvalue.NewObject(0)
	}
	var v v2Event
	v.budget = newBudget(limit)
	v.load(msg)
	if err := v.validate(dest, connection); err != nil {
		return Result{Err: err}
	}
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
// ids as numbers), and the fields of record events.
type v2Event struct {
	event

	// msg is the message, for the get-value lookups of the input schema
	// (see hasSubject).
	msg jsvalue.Value
	// context is message.context.
	context jsvalue.Value
	// action and identifiers are the members of a record event.
	action      jsvalue.Value
	identifiers jsvalue.Value
}

// load reads the fields of msg in one pass over the message and one over
// its context.
func (v *v2Event) load(msg jsvalue.Value) {
	v.msg = msg
	for _, m := range msg.Members() {
		switch m.Key {
		case "type":
			v.rawType = m.Value
		case "userId":
			v.userID = m.Value
		case "anonymousId":
			v.anonymousID = m.Value
		case "previousId":
			v.previousID = m.Value
		case "groupId":
			v.groupID = m.Value
		case "event":
			v.eventName = m.Value
		case "name":
			v.name = m.Value
		case "traits":
			v.traits = m.Value
		case "properties":
			v.properties = m.Value
		case "timestamp":
			v.timestamp = m.Value
		case "originalTimestamp":
			v.originalTimestamp = m.Value
		case "context":
			v.context = m.Value
		case "action":
			v.action = m.Value
		case "identifiers":
			v.identifiers = m.Value
		}
	}
	for _, m := range v.context.Members() {
		switch m.Key {
		case "traits":
			v.contextTraits = m.Value
		case "device":
			v.device = m.Value
			v.token = m.Value.Get("token")
		case "externalId":
			v.externalID = m.Value.Get("0")
		case "mappedToDestination":
			v.retl = m.Value.Truthy()
		}
	}
	// The schema admits only exact type names, so the type is never
	// lowercased here.
	v.typ = v.rawType.Str()
}

// getValue reads the dotted path from root as npm get-value does: the whole
// path as one key first, then segment by segment (see lookup).
func getValue(root jsvalue.Value, path string) jsvalue.Value {
	if v, ok := has(root, path); ok {
		return v
	}
	return lookup(root, path)
}
