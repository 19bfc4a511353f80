package transform

import "github.com/cio-transformer/cio-transformer/internal/jsvalue"

// Record object types: what connection.config.destination.object makes of
// a warehouse record.
const (
	recordObjectPerson = "person"
	recordObjectEvent  = "event"
)

// Record members with a meaning of their own.
const (
	recordCreatedAtKey = "created_at"
	recordNameKey      = "name"
)

// cioKeyPrefix prefixes the ordering key of a person named by its
// Customer.io id (a record's cio_id).
const cioKeyPrefix = "cio:"

// record maps a warehouse (reverse ETL) record event, which validation has
// checked: an action of insert, update or delete, and identifiers naming the
// person. The connection's object decides the payload: for "person", insert
// and update identify the person and delete deletes it; for "event", insert
// and update send an event named by the record's name.
//
// The identifiers hold the whole record: the first of cio_id, id and email
// that is a non-empty string identifies the person, created_at is the
// payload's timestamp, and every other member (but an event's name) is an
// attribute, except for a delete.
func (v *v2Event) record(connection jsvalue.Value) Result {
	if connection.IsUndefined() {
		return Result{Err: configurationError("Missing connection config")}
	}
	object := connection.Get("config").Get("destination").Get("object").Str()
	action := v.action.Str()
	cioAction := actionIdentify
	switch object {
	case recordObjectPerson:
		if action == actionDelete {
			cioAction = actionDelete
		}
	case recordObjectEvent:
		if action == actionDelete {
			return Result{Err: configurationError(`"delete" is not supported for object type "event"`)}
		}
		cioAction = actionEvent
	default:
		// validate admits only the two objects; an error, never a panic, if
		// that ever changes.
		return Result{Err: configurationError(`Unsupported object type: "` + object + `"`)}
	}

	key := recordIdentifierKey(v.identifiers)
	id := v.identifiers.Get(key)
	p := v.person(cioAction, 6)
	ids := v.newObject(1)
	ids.Set(key, id)
	p.Set("identifiers", ids)
	if object == recordObjectEvent {
		name := v.identifiers.Get(recordNameKey)
		if !name.IsString() || name.Str() == "" {
			return Result{Err: instrumentationError("Event name is required for CustomerIO event records")}
		}
		p.Set("name", name)
	}
	if created := v.identifiers.Get(recordCreatedAtKey); !created.IsUndefined() {
		p.Set("timestamp", v.unixSeconds(created))
	}
	if cioAction != actionDelete {
		attrs := v.newObject(memberCount(v.identifiers))
		for k, val := range v.identifiers.All() {
			if k == key || k == recordCreatedAtKey || (object == recordObjectEvent && k == recordNameKey) {
				continue
			}
			attrs.Set(k, val)
		}
		if attrs.Len() > 0 {
			p.Set("attributes", attrs)
		}
	}
	var keyBuf [128]byte
	k := appendRecordKey(keyBuf[:0], key, id.Str())
	return encodedObject(v.arena, p, k, []int{len(k)})
}

// appendRecordKey appends the ordering key of the person a record names:
// its user id or email, as for other events, or its Customer.io id.
func appendRecordKey(dst []byte, key, id string) []byte {
	prefix := cioKeyPrefix
	switch key {
	case "id":
		prefix = userKeyPrefix
	case "email":
		prefix = emailKeyPrefix
	}
	return append(append(dst, prefix...), id...)
}
