package transform

import (
	"strconv"
	"strings"

	"github.com/cio-transformer/cio-transformer/internal/jsvalue"
	"github.com/cio-transformer/cio-transformer/transform/internal/js"
)

// Person actions of /api/v2/batch.
const (
	actionIdentify     = "identify"
	actionEvent        = "event"
	actionMerge        = "merge"
	actionAddDevice    = "add_device"
	actionDeleteDevice = "delete_device"
	actionDelete       = "delete"
)

// deviceAttributePaths are the device attributes of an add_device payload
// and the message paths they come from (upstream's CustomerIODeviceV2
// mapping).
var deviceAttributePaths = [...]struct{ key, path string }{
	{"device_os", "context.os.name"},
	{"device_model", "context.device.model"},
	{"app_version", "context.app.version"},
	{"device_locale", "context.locale"},
}

// identifyV2 maps an identify event: the person's identify action with its
// attributes. They are built as the body of an API mode v1 identify is (see
// event.identify), except that every "." and "\" of a trait key is escaped,
// so that keys stay flat, and user_properties are not read.
func (v *v2Event) identifyV2() Result {
	if !v.identity().Truthy() {
		return Result{Err: instrumentationError("userId or email is not present")}
	}
	attrs := v.traitAttributes()
	// createdAtOnly stops at the first source that is truthy, false or 0.
	if v.createdAt.Truthy() {
		attrs.Set("created_at", v.unixSeconds(v.createdAt))
	}
	if v.historical.Truthy() {
		attrs.Set("_timestamp", v.unixSeconds(v.historical))
	}
	if v.anonymousID.Truthy() {
		attrs.Set("anonymous_id", v.anonymousID)
	}
	p := v.person(actionIdentify, 4)
	if err := v.setIdentifiers(p); err != nil {
		return Result{Err: err}
	}
	p.Set("attributes", attrs)
	return v.payload(p)
}

// traitAttributes returns the identify attributes built from the traits:
// the flattened address, then every trait but address, createdAt, userId
// and anonymousId, each written through set-value with its key fully
// escaped and its value read through get-value.
func (v *v2Event) traitAttributes() jsvalue.Value {
	// The same sources as in API mode v1.
	root, keysFrom := v.traitSources()
	a := attributes{body: v.newObject(memberCount(keysFrom) + len(addressKeys) + 3), budget: v.budget}
	v.readFromMessage(&a)
	a.setAddress(root)
	a.setAddressFromMessage()
	switch keysFrom.Kind() {
	case jsvalue.KindObject:
		for key, val := range keysFrom.All() {
			mv, read := a.fromMessage(a.traitsPrefix, key)
			if read {
				val = mv
			}
			switch {
			case reservedTrait(key):
				continue
			case addressKey(key):
				a.set(key, val)
				continue
			}
			if read {
				_ = setPath(a.body, escapeKeyPath(key), val, false, &a.budget)
				continue
			}
			if plainKey(key) {
				// Trait keys are unique and no escaped key reads as a
				// plain one, so the key is not in the body yet.
				a.add(key, val)
				continue
			}
			// Every "." escaped: one segment, which creates no array.
			_ = setPath(a.body, escapeKeyPath(key), js.Lookup(root, key), false, &a.budget)
		}
	case jsvalue.KindArray:
		for i, e := range keysFrom.Elems() {
			a.set(strconv.Itoa(i), e)
		}
	}
	return a.body
}

// escapeKeyPath escapes every "\" and then every "." of key, as upstream
// does before handing trait keys to set-value, so that set-value reads the
// key as one segment.
func escapeKeyPath(key string) string {
	if strings.IndexByte(key, '\\') >= 0 {
		key = strings.ReplaceAll(key, `\`, `\\`)
	}
	return strings.ReplaceAll(key, ".", `\.`)
}

// trackV2 maps a track event: a device action for the device event names
// (Application Uninstalled always; the others when the person and the
// token are known), else the person's event.
func (v *v2Event) trackV2(dest *Destination) Result {
	// isDeviceEvent reads evName; a nameless event is never a device event
	// (deviation D6).
	v.evName = v.eventName
	if v.isDeviceEvent(dest) {
		id := v.identity()
		if v.evName.Str() == deviceUninstalled {
			if !id.Truthy() || !v.token.Truthy() {
				return Result{Err: instrumentationError("userId/email or device_token not present")}
			}
			return v.deleteDeviceV2()
		}
		if id.Truthy() && v.token.Truthy() {
			return v.addDeviceV2()
		}
	}
	if !v.eventName.IsString() || v.eventName.Str() == "" {
		return Result{Err: instrumentationError("Event is a required field and should be a string")}
	}
	return v.eventV2(actionEvent, v.eventName)
}

// pageV2 maps a page event: the person's page action, named by the page
// name or else its URL, which must be a string.
func (v *v2Event) pageV2() Result {
	name := v.name
	if !name.Truthy() {
		name = js.GetValue(v.msg, "properties.url")
	}
	if !name.IsString() {
		return Result{Err: instrumentationError("Event Name type should be a string")}
	}
	return v.eventV2(typePage, name)
}

// screenV2 maps a screen event: the person's screen action named "Viewed
// <name> Screen", where the name (the event, else properties.name) must be
// a string. Unlike API mode v1, no name is truncated.
func (v *v2Event) screenV2() Result {
	inner := v.eventName
	if !inner.Truthy() {
		inner = js.GetValue(v.msg, "properties.name")
	}
	if !inner.IsString() {
		return Result{Err: instrumentationError("Event Name type should be a string")}
	}
	return v.eventV2(typeScreen, jsvalue.String("Viewed "+inner.Str()+" Screen"))
}

// eventV2 returns the payload of a track, page or screen event: its name,
// its properties as attributes ({} when falsy) and its timestamp.
func (v *v2Event) eventV2(action string, name jsvalue.Value) Result {
	p := v.person(action, 6)
	if err := v.setIdentifiers(p); err != nil {
		return Result{Err: err}
	}
	p.Set("name", name)
	attrs := v.properties
	if !attrs.Truthy() {
		attrs = v.newObject(0)
	}
	p.Set("attributes", attrs)
	if v.historical.Truthy() {
		p.Set("timestamp", v.unixSeconds(v.historical))
	}
	return v.payload(p)
}

// deleteDeviceV2 returns the delete_device payload of the event's token.
func (v *v2Event) deleteDeviceV2() Result {
	p := v.person(actionDeleteDevice, 4)
	if err := v.setIdentifiers(p); err != nil {
		return Result{Err: err}
	}
	device := v.newObject(1)
	device.Set("token", v.token)
	p.Set("device", device)
	return v.payload(p)
}

// addDeviceV2 returns the add_device payload: the token as it came, when it
// was last used, the device attributes of the context overlaid with the
// event's properties, and the platform.
func (v *v2Event) addDeviceV2() Result {
	p := v.person(actionAddDevice, 4)
	if err := v.setIdentifiers(p); err != nil {
		return Result{Err: err}
	}
	device := v.newObject(4)
	device.Set("token", v.token)
	// Plain ||, not the generic mapping: a timestamp of 0 falls through.
	ts := v.timestamp
	if !ts.Truthy() {
		ts = v.originalTimestamp
	}
	if ts.Truthy() {
		device.Set("last_used", v.unixSeconds(ts))
	}
	attrs := v.newObject(len(deviceAttributePaths) + memberCount(v.properties))
	for _, d := range deviceAttributePaths {
		if x := js.GetValue(v.msg, d.path); isSet(x) {
			attrs.Set(d.key, x)
		}
	}
	if err := spreadInto(attrs, v.properties, &v.budget); err != nil {
		return Result{Err: err}
	}
	device.Set("attributes", attrs)
	if t := js.GetValue(v.msg, "context.device.type"); t.IsString() && t.Str() != "" {
		device.Set("platform", jsvalue.String(platform(t.Str())))
	}
	p.Set("device", device)
	return v.payload(p)
}

// mergeV2 maps an alias event: the person's merge action, the previous
// profile merged into the user's. Each is named by email when its String()
// is an email address, else by id, with its value as it came.
func (v *v2Event) mergeV2() Result {
	primary, err := v.mergeRef(v.userIDOnly)
	if err != nil {
		return Result{Err: err}
	}
	secondary, err := v.mergeRef(v.previousID)
	if err != nil {
		return Result{Err: err}
	}
	p := v.person(actionMerge, 4)
	p.Set("primary", primary)
	p.Set("secondary", secondary)
	return v.payload(p)
}

// mergeRef returns {"email": id} or {"id": id}, or the URI malformed error
// when validator's isEmail throws on String(id) (see emailOrID).
func (v *v2Event) mergeRef(id jsvalue.Value) (jsvalue.Value, *Error) {
	key, err := emailOrID(id.JSString())
	if err != nil {
		return jsvalue.Value{}, err
	}
	ref := v.newObject(1)
	ref.Set(key, id)
	return ref, nil
}

// person returns a person payload with the given action and room for n
// members.
func (v *v2Event) person(action string, n int) jsvalue.Value {
	p := v.newObject(n)
	p.Set("type", jsvalue.String("person"))
	p.Set("action", jsvalue.String(action))
	return p
}

// setIdentifiers sets the identifiers of the person the event is about: its
// userId, else its email (as a string), else its anonymousId. Ids are sent
// as they came: a number stays a number.
func (v *v2Event) setIdentifiers(p jsvalue.Value) *Error {
	ids := v.newObject(1)
	switch {
	case v.userIDOnly.Truthy():
		ids.Set("id", v.userIDOnly)
	case v.email.Truthy():
		ids.Set("email", jsvalue.String(v.email.JSString()))
	case v.anonymousID.Truthy():
		ids.Set("anonymous_id", v.anonymousID)
	default:
		// Reachable after validation by a RETL event whose external id is
		// empty.
		return instrumentationError(missingPersonMessage)
	}
	p.Set("identifiers", ids)
	return nil
}

// payload returns the successful Result of a person payload, with the
// event's ordering keys.
func (v *v2Event) payload(p jsvalue.Value) Result {
	var keyBuf [256]byte
	var endBuf [maxKeys]int
	text, ends := v.appendKeys(keyBuf[:0], endBuf[:0])
	return encodedObject(v.arena, p, text, ends)
}

// encodedObject returns the successful Result of the object p with the
// ordering keys in keys that end at ends (see objectResult), or the error
// of an object over Customer.io's per-object limit, which upstream checks
// in this mode too.
func encodedObject(a *Arena, p jsvalue.Value, keys []byte, ends []int) Result {
	data := encodeBody(p)
	defer data.release()
	if len(data.body) > MaxObjectBytes {
		return Result{Err: objectTooLargeError(len(data.body))}
	}
	return objectResult(a, keys, ends, data)
}

// objectResult returns the successful Result of an object, data, whose
// ordering keys are the texts in keys that end at ends, one after the
// other. The keys and the object share one allocation (see store).
func objectResult(a *Arena, keys []byte, ends []int, data draft) Result {
	h, s, obj := store[objectHead](a, keys, data)
	return Result{Object: obj, Keys: sliceKeys(h.keys[:len(ends):len(ends)], s, 0, ends)}
}
