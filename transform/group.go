package transform

import (
	"strconv"

	"github.com/cio-transformer/cio-transformer/internal/jsvalue"
	"github.com/cio-transformer/cio-transformer/transform/internal/js"
)

// defaultObjectTypeID is the object type of a group without
// traits.objectTypeId.
const defaultObjectTypeID = "1"

// group maps a group event to its Customer.io object, to be sent in a
// /api/v2/batch request. The object is returned as JSON in
// Result.Object; an object over Customer.io's per-object limit is an error
// (deviation D4). What group reads of the traits, load or resolve read into
// ev.ids.
func (ev *event) group() Result {
	objectID := ev.groupID
	if !isSet(objectID) {
		objectID = ev.ids.groupID
	}
	// Upstream converts with String() and then requires a truthy result, so
	// a missing, null or empty groupId (or []) fails.
	oid := ""
	if isSet(objectID) {
		oid = objectID.JSString()
	}
	if oid == "" {
		return Result{Err: instrumentationError(`Missing required value from "groupId"`)}
	}
	typeID := defaultObjectTypeID
	if t := ev.ids.objectTypeID; !t.IsNullish() {
		typeID = t.JSString()
	}

	action := ev.ids.action
	switch {
	case isSet(action):
	case ev.dotted:
		action = js.GetValue(ev.dottedRoot(), "properties.action")
	default:
		action = ev.properties.Get("action")
	}
	actionName := "identify"
	if action.IsString() {
		switch a := action.Str(); a {
		case "identify", "delete", "add_relationships", "delete_relationships":
			actionName = a
		}
	}

	rel, relPrefix, relID := ev.relatedPerson()
	relKey := ""
	if rel.Truthy() {
		var err *Error
		if relKey, err = identifierKey(rel); err != nil {
			return Result{Err: err}
		}
	}

	// The object is written directly, as JSON.stringify would write the
	// object upstream builds.
	buf := bodyBuffer()
	w := newObjectWriter((*buf)[:0])
	w.key(`"identifiers"`)
	ids := newObjectWriter(w.dst)
	ids.key(`"object_id"`)
	ids.dst = appendString(ids.dst, oid)
	if typeID != "" {
		ids.key(`"object_type_id"`)
		ids.dst = appendString(ids.dst, typeID)
	}
	w.dst = ids.end()
	w.key(`"type"`)
	w.dst = append(w.dst, `"object"`...)
	w.key(`"action"`)
	w.dst = appendString(w.dst, actionName)
	w.key(`"attributes"`)
	w.dst = ev.appendGroupAttributes(w.dst)
	w.key(`"cio_relationships"`)
	if rel.Truthy() {
		w.dst = append(w.dst, `[{"identifiers":`...)
		w.dst = appendPersonRef(w.dst, relKey, rel)
		w.dst = append(w.dst, "}]"...)
	} else {
		w.dst = append(w.dst, "[]"...)
	}
	data := finish(buf, w.end())
	defer data.release()
	if len(data.body) > MaxObjectBytes {
		return Result{Err: objectTooLargeError(len(data.body))}
	}

	// The keys: the event's own, the related person's when they lack it,
	// and the object's.
	var keyBuf [256]byte
	var endBuf [maxKeys]int
	text, ends := ev.appendKeys(keyBuf[:0], endBuf[:0])
	if relPrefix != "" {
		text = append(text, relPrefix...)
		text = append(text, relID...)
		ends = append(ends, len(text))
	}
	text = append(text, objectKeyPrefix...)
	text = append(text, typeID...)
	text = append(text, '/')
	text = append(text, oid...)
	ends = append(ends, len(text))
	r := objectResult(ev.arena, text, ends, data)
	r.UserID, _ = ev.keyedUserID(r.Keys)
	return r
}

// appendGroupAttributes appends the group traits without their action
// member, or {} when the traits are falsy. Upstream deletes the action from
// the message's own traits; this leaves it out of the copy it writes.
func (ev *event) appendGroupAttributes(dst []byte) []byte {
	t := ev.traits
	if !t.Truthy() {
		return append(dst, "{}"...)
	}
	if ev.arrayTraits {
		return appendIndexed(dst, t)
	}
	if !t.IsObject() || ev.ids.action.IsUndefined() {
		return t.AppendJSON(dst)
	}
	w := newObjectWriter(dst)
	for key, val := range t.All() {
		if key != "action" {
			w.memberKey(key, val)
		}
	}
	return w.end()
}

// appendIndexed appends the members of o whose keys are array indexes as
// the JSON array JavaScript's JSON.stringify writes of an array that
// holds them: its elements in index order, a hole as null, a member of
// another name left out. o holds traits that were an array, into which
// the reverse-ETL id was written (retlTraits), so its indexes are those
// of the array and at most one more, bounded as every key path's is.
func appendIndexed(dst []byte, o jsvalue.Value) []byte {
	n := int64(0)
	for key := range o.All() {
		if i, ok := jsvalue.ArrayIndex(key); ok && i >= n {
			n = i + 1
		}
	}
	dst = append(dst, '[')
	var buf [20]byte
	for i := int64(0); i < n; i++ {
		if i > 0 {
			dst = append(dst, ',')
		}
		v := o.Get(string(strconv.AppendInt(buf[:0], i, 10)))
		if v.IsUndefined() {
			v = jsvalue.Null()
		}
		dst = appendValue(dst, v)
	}
	return append(dst, ']')
}

// relatedPerson returns the person related to the object, falsy when there
// is none, and, when the event's own keys lack it, the prefix and id of its
// ordering key: the event's user id (as a string), else the email from
// context.traits, properties or the external id (the group's traits.email
// names the group, not the person).
func (ev *event) relatedPerson() (rel jsvalue.Value, keyPrefix, keyID string) {
	// Upstream's mapping converts the user id with String() first, so a
	// user id of false or 0 relates the person "false" or "0".
	if u := ev.userIDOnly; isSet(u) {
		if s := u.JSString(); s != "" {
			if !u.Truthy() {
				return jsvalue.String(s), userKeyPrefix, s
			}
			return jsvalue.String(s), "", ""
		}
	}
	rel = firstSet(ev.contextIDs.email, ev.propsEmail, ev.externalID.Get("id"))
	if !rel.Truthy() {
		return rel, "", ""
	}
	s := rel.JSString()
	if ev.email.Truthy() && ev.email.JSString() == s {
		return rel, "", ""
	}
	return rel, emailKeyPrefix, s
}
