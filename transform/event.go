package transform

import (
	"github.com/cio-transformer/cio-transformer/internal/jsvalue"
	"github.com/cio-transformer/cio-transformer/transform/internal/js"
)

// event is one message as the mappings read it: its fields (in API mode v1
// after deviation D5: numbers in id, name and email fields read as their
// decimal strings) and after the reverse-ETL rewrite, without touching the
// caller's message.
type event struct {
	typ string

	userID      jsvalue.Value
	anonymousID jsvalue.Value
	previousID  jsvalue.Value
	groupID     jsvalue.Value
	eventName   jsvalue.Value // message.event
	name        jsvalue.Value // message.name

	traits        jsvalue.Value
	contextTraits jsvalue.Value
	properties    jsvalue.Value

	userProperties    jsvalue.Value
	timestamp         jsvalue.Value
	originalTimestamp jsvalue.Value

	rawType    jsvalue.Value
	context    jsvalue.Value // message.context
	device     jsvalue.Value // context.device
	token      jsvalue.Value // context.device.token
	externalID jsvalue.Value // context.externalId[0]
	retl       bool          // context.mappedToDestination is truthy
	// msg is the message; dotted reports that a key of it, of its context
	// or of an externalId object may stand for a path, so that the fields
	// are read through get-value, and rootDotted that a key of the message
	// itself may (see dotted.go).
	msg                jsvalue.Value
	dotted, rootDotted bool
	// arrayTraits reports that traits, an object now, were an array the
	// reverse-ETL id was written into (see retlTraits).
	arrayTraits bool

	// action and identifiers are the members of a record event (API mode
	// v2).
	action      jsvalue.Value
	identifiers jsvalue.Value

	// d5 is set when the fields were read after deviation D5 (API mode v1).
	d5 bool

	// Resolved as upstream's generic field mapping resolves them: the first
	// source that is truthy, false or 0, else null.
	userIDOnly jsvalue.Value
	email      jsvalue.Value
	historical jsvalue.Value
	createdAt  jsvalue.Value // traits.createdAt, context.traits.createdAt

	// evName is the event name of track and page; a screen's is
	// "Viewed <screenName> Screen" (see eventName), written where it
	// is needed rather than made.
	evName     jsvalue.Value
	screenName string

	// budget is what the event may still produce.
	budget budget
	// arena stores the result when set (see Mode.MapIn).
	arena *Arena

	// ids and contextIDs are the identifier members of the traits and the
	// context traits, and propsEmail properties.email: read once by load
	// (idsRead), or by resolve when load did not or the traits changed.
	ids, contextIDs traitIDs
	propsEmail      jsvalue.Value
	idsRead         bool
}

// load reads the fields of msg both mappings need, in one pass over the
// message and one over its context. API mode v1 (d5) reads them after
// deviation D5: numbers in id, name and email fields read as their decimal
// strings. API mode v2 reads them as they came, as upstream's v2 path sends
// number ids as numbers, and takes the type as it is, since its schema
// admits only exact type names. ev is a new event, zero but for its
// budget: load fills only the fields msg has.
func (ev *event) load(msg jsvalue.Value, d5 bool) {
	ev.d5 = d5
	ev.msg = msg
	var channel jsvalue.Value
	// All reads a parsed message's text as it goes: the mapping reads a
	// few members and copies others whole, and builds none of them.
	for key, val := range msg.All() {
		switch key {
		case "type":
			ev.rawType = val
		case "channel":
			channel = val
		case "userId":
			ev.userID = ev.id(val)
		case "anonymousId":
			ev.anonymousID = ev.id(val)
		case "previousId":
			ev.previousID = ev.id(val)
		case "groupId":
			ev.groupID = ev.id(val)
		case "event":
			ev.eventName = ev.id(val)
		case "name":
			ev.name = ev.id(val)
		case "traits":
			ev.traits = val
		case "properties":
			ev.properties = val
		case "user_properties":
			ev.userProperties = val
		case "timestamp":
			ev.timestamp = val
		case "originalTimestamp":
			ev.originalTimestamp = val
		case "context":
			ev.context = val
		case "action":
			ev.action = val
		case "identifiers":
			ev.identifiers = val
		default:
			if rootPathKey(key) {
				ev.rootDotted = true
			}
		}
	}
	dotted := ev.rootDotted
	for key, val := range ev.context.All() {
		switch key {
		case "traits":
			ev.contextTraits = val
		case "device":
			ev.device = val
			ev.token = ev.id(val.Get("token"))
		case "externalId":
			ev.externalID = val.Get("0")
			if val.IsObject() && anyDottedKey(val) {
				dotted = true
			}
		case "mappedToDestination":
			ev.retl = val.Truthy()
		default:
			if contextPathKey(key) {
				dotted = true
			}
		}
	}
	if dotted {
		ev.dotted = true
		ev.readDotted()
	}
	if channel.IsString() && channel.Str() == sourcesChannel {
		ev.sourcesTimestamp(msg)
	}
	if !d5 {
		ev.typ = ev.rawType.Str()
		return
	}
	// Upstream lowercases the type before dispatching on it; dispatch
	// reads it lowercased here, once.
	ev.typ = lowerType(ev.rawType.Str())
	keys := ev.classifiesTraitKeys()
	ev.traits = withStringEmail(ev.traits, &ev.ids, keys)
	ev.contextTraits = withStringEmail(ev.contextTraits, &ev.contextIDs, keys)
	ev.propsEmail = ev.properties.Get("email")
	if ev.propsEmail.IsNumber() && ev.properties.IsObject() {
		ev.propsEmail = idString(ev.propsEmail)
		ev.properties = ev.properties.ShallowCopy()
		ev.properties.Set("email", ev.propsEmail)
	}
	if ev.dotted {
		ev.readDottedIDs(msg)
	}
	ev.idsRead = true
}

// newObject returns an empty object with room for n members, for a
// mapping to build and write out before it returns: in the arena's
// scratch when the event is mapped into an arena, which lends the storage
// again for the next job (see Mode.MapIn).
func (ev *event) newObject(n int) jsvalue.Value {
	return ev.arena.scratchObjects().NewObject(n)
}

// unixSeconds returns unixSeconds(v), in the arena's scratch when the
// event is mapped into an arena, as newObject does.
func (ev *event) unixSeconds(v jsvalue.Value) jsvalue.Value {
	return unixSeconds(v, ev.arena.scratchObjects())
}

// sourcesChannel is the channel of events from a warehouse source.
const sourcesChannel = "sources"

// The fields an identify's and a track's timestamp are read from when the
// event comes from a warehouse source (see sourcesTimestamp), in order.
var (
	identifySourceTimestamps = []string{"context.timestamp", "context.traits.timestamp", "traits.timestamp", "timestamp", "originalTimestamp"}
	trackSourceTimestamps    = []string{"properties.timestamp", "timestamp", "originalTimestamp"}
)

// sourcesTimestamp reads the timestamp of an event from a warehouse source
// as upstream does before any destination reads the event: an identify's
// or a track's that is not mapped to the destination (ev.retl unset, as
// load read context.mappedToDestination) is the first of its fields
// (identifySourceTimestamps, trackSourceTimestamps) that is truthy, false
// or 0, else null. The type is matched as it came, not lowercased, as
// upstream matches it.
func (ev *event) sourcesTimestamp(msg jsvalue.Value) {
	var paths []string
	switch ev.rawType.Str() {
	case typeIdentify:
		paths = identifySourceTimestamps
	case typeTrack:
		paths = trackSourceTimestamps
	}
	if paths == nil || ev.retl {
		return
	}
	ev.timestamp = jsvalue.Null()
	for _, p := range paths {
		if v := js.GetValue(msg, p); isSet(v) {
			ev.timestamp = v
			return
		}
	}
}

// id returns an id, name or token field as the mapping reads it: after
// deviation D5 in API mode v1, as it came in API mode v2.
func (ev *event) id(v jsvalue.Value) jsvalue.Value {
	if ev.d5 {
		return idString(v)
	}
	return v
}

// lowerType returns the message type t lowercased, as js.ToLowerCase
// lowercases it: a type already lowercase, as nearly all are, as it is.
func lowerType(t string) string {
	switch t {
	case typeIdentify, typeTrack, typePage, typeScreen, typeAlias, typeGroup:
		return t
	}
	return js.ToLowerCase(t)
}

// dispatch checks the message type, lowercased as upstream reads it, and
// computes the event name: a page's name or url, "Viewed <event> Screen",
// or a track's event, which must be a non-empty string. It relies on load
// (in API mode v1) having set ev.typ to the lowercased type.
func (ev *event) dispatch() *Error {
	if !ev.rawType.IsString() {
		// Upstream lowercases with type?.toLowerCase(): a missing or null type
		// reads "undefined"; other non-strings would throw a TypeError there.
		t := "undefined"
		if !ev.rawType.IsNullish() {
			t = ev.rawType.JSString()
		}
		return instrumentationError("could not determine type " + t)
	}
	switch ev.typ {
	case typeIdentify, typeAlias, typeGroup:
		return nil
	case typePage:
		ev.evName = ev.name
		if !ev.evName.Truthy() {
			ev.evName = ev.properties.Get("url")
		}
	case typeScreen:
		x := ev.eventName
		if !x.Truthy() {
			x = ev.properties.Get("name")
		}
		ev.screenName = x.JSString()
		return nil
	case typeTrack:
		if !ev.eventName.IsString() || ev.eventName.Str() == "" {
			return instrumentationError("Event is a required field and should be a string")
		}
		ev.evName = ev.eventName
		return nil
	default:
		return instrumentationError("could not determine type " + ev.typ)
	}
	if ev.evName.Truthy() && !ev.evName.IsString() {
		ev.evName = jsvalue.String(ev.evName.JSString())
	}
	return nil
}

// resolve computes the identifiers every mapping reads: the user id
// (userId, traits.userId, traits.id, then the same in context.traits), the
// email (traits, context.traits, properties, then the external id), the
// event time (timestamp, then originalTimestamp) and the creation time.
func (ev *event) resolve() {
	if !ev.idsRead || ev.retl {
		keys := ev.classifiesTraitKeys()
		readTraitIDs(ev.traits, &ev.ids, keys)
		readTraitIDs(ev.contextTraits, &ev.contextIDs, keys)
		ev.propsEmail = ev.properties.Get("email")
		if ev.dotted {
			ev.readDottedIDs(ev.dottedRoot())
		}
	}
	// firstSet written out: its arguments, copied into a slice, cost more
	// than the tests.
	t, c := &ev.ids, &ev.contextIDs
	switch {
	case isSet(ev.userID):
		ev.userIDOnly = ev.userID
	case isSet(t.userID):
		ev.userIDOnly = t.userID
	case isSet(t.id):
		ev.userIDOnly = t.id
	case isSet(c.userID):
		ev.userIDOnly = c.userID
	case isSet(c.id):
		ev.userIDOnly = c.id
	default:
		ev.userIDOnly = jsvalue.Null()
	}
	switch {
	case isSet(t.email):
		ev.email = t.email
	case isSet(c.email):
		ev.email = c.email
	case isSet(ev.propsEmail):
		ev.email = ev.propsEmail
	default:
		ev.email = jsvalue.Null()
		if id := ev.externalID.Get("id"); isSet(id) {
			ev.email = id
		}
	}
	switch {
	case isSet(ev.timestamp):
		ev.historical = ev.timestamp
	case isSet(ev.originalTimestamp):
		ev.historical = ev.originalTimestamp
	default:
		ev.historical = jsvalue.Null()
	}
	switch {
	case isSet(t.createdAt):
		ev.createdAt = t.createdAt
	case isSet(c.createdAt):
		ev.createdAt = c.createdAt
	default:
		ev.createdAt = jsvalue.Null()
	}
}

// classifiesTraitKeys reports whether the traits' keys are classified as
// they are read (traitIDs.indirect and dotted): only identify in API mode
// v1 writes traits directly (see directTraits), and only it reads them.
func (ev *event) classifiesTraitKeys() bool {
	return ev.d5 && ev.typ == typeIdentify
}

// traitIDs are the members of a traits object the identifiers come from,
// the members group reads, and what identify needs to know of the others
// (see directTraitKey), read in the same pass.
type traitIDs struct {
	userID, id, email, createdAt jsvalue.Value
	address                      jsvalue.Value
	// groupID, objectTypeID and action are what group reads of the
	// traits.
	groupID, objectTypeID, action jsvalue.Value
	// indirect is set when some key is not one identify writes directly;
	// dotted when some key is a dotted one it may (see directTraits). Both
	// are read only when the keys are classified (see
	// classifiesTraitKeys).
	indirect, dotted bool
}

// readTraitIDs reads the identifier members of traits into t in one pass,
// and, when keys is set, classifies their keys for identify; t is filled
// in place, as it is too large to copy for nothing.
func readTraitIDs(traits jsvalue.Value, t *traitIDs, keys bool) {
	*t = traitIDs{}
	readNewTraitIDs(traits, t, keys)
}

// readNewTraitIDs is readTraitIDs into t, a zero traitIDs: that of an
// event being loaded (see event.load), which is not cleared again.
func readNewTraitIDs(traits jsvalue.Value, t *traitIDs, keys bool) {
	for key, val := range traits.All() {
		switch key {
		case "userId":
			t.userID = val
		case "id":
			t.id = val
		case "email":
			t.email = val
		case "createdAt":
			t.createdAt = val
		case "address":
			t.address = val
		case "groupId":
			t.groupID = val
		case "objectTypeId":
			t.objectTypeID = val
		case "action":
			t.action = val
		}
		if !keys {
			continue
		}
		switch directTraitKey(key) {
		case traitKeyIndirect:
			t.indirect = true
		case traitKeyDotted:
			t.dotted = true
		}
	}
}

// identity returns userIdOnly || email, the person a request is about.
func (ev *event) identity() jsvalue.Value {
	if ev.userIDOnly.Truthy() {
		return ev.userIDOnly
	}
	return ev.email
}

// isASCII reports whether s is ASCII.
func isASCII(s string) bool { return jsvalue.ASCIIPrefix(s) == len(s) }

// firstSet returns the first value that is set (see isSet), else null, as
// upstream's getValueFromMessage picks among its sources.
func firstSet(vals ...jsvalue.Value) jsvalue.Value {
	for _, v := range vals {
		if isSet(v) {
			return v
		}
	}
	return jsvalue.Null()
}

// isSet reports whether v is truthy, false or 0 (v.Truthy() ||
// isFalseOrZero(v)), as upstream's getValueFromMessage and the mappings
// test a value: anything but undefined, null, "" and NaN. It reads no
// number: a number's text is "NaN" for NaN and otherwise a number (JSON's
// text, or "Infinity" or "-Infinity"), which is truthy or 0 (TestIsSet).
func isSet(v jsvalue.Value) bool {
	switch v.Kind() {
	case jsvalue.KindUndefined, jsvalue.KindNull:
		return false
	case jsvalue.KindString:
		return v.Str() != ""
	case jsvalue.KindNumber:
		return v.NumberText() != "NaN"
	}
	return true
}

// isFalseOrZero reports whether v is false or the number 0.
func isFalseOrZero(v jsvalue.Value) bool {
	switch v.Kind() {
	case jsvalue.KindBool:
		return !v.Bool()
	case jsvalue.KindNumber:
		return v.Float() == 0
	}
	return false
}

// idString applies deviation D5: a number in an id, name or email field is
// read as its decimal string, so that it never reaches upstream's string-only
// code paths as a number.
func idString(v jsvalue.Value) jsvalue.Value {
	if v.IsNumber() {
		return jsvalue.String(v.JSString())
	}
	return v
}

// withStringEmail applies D5 to the email member of traits, copying the
// object only when that member is a number, and returns the traits, with
// their identifier members read into t, a zero traitIDs (and their keys
// classified when keys is set, see readTraitIDs).
func withStringEmail(v jsvalue.Value, t *traitIDs, keys bool) jsvalue.Value {
	readNewTraitIDs(v, t, keys)
	if t.email.IsNumber() && v.IsObject() {
		t.email = idString(t.email)
		c := v.ShallowCopy()
		c.Set("email", t.email)
		return c
	}
	return v
}
