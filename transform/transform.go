package transform

import (
	"strings"

	"github.com/cio-transformer/cio-transformer/transform/jsvalue"
)

// Message types, as RudderStack names them (lowercased).
const (
	typeIdentify = "identify"
	typeTrack    = "track"
	typePage     = "page"
	typeScreen   = "screen"
	typeAlias    = "alias"
	typeGroup    = "group"
)

// Track API paths and their endpointPath labels.
const (
	customersPath          = "/api/v1/customers/"
	anonymousEventsPath    = "/api/v1/events"
	mergeCustomersPath     = "/api/v1/merge_customers"
	customersEndpointPath  = "v1/customers"
	eventsEndpointPath     = "v1/customers/events"
	anonymousEndpointPath  = "v1/events"
	mergeEndpointPath      = "v1/merge_customers"
	devicesEndpointPath    = "v1/customers/devices"
	deviceDeleteEndpoint   = "v1/customers/devices/delete"
	authorizationHeader    = "Authorization"
	bodyCapacity           = 256
	methodPost, methodPut  = "POST", "PUT"
	methodDelete           = "DELETE"
	eventsSuffix           = "/events"
	devicesSuffix          = "/devices"
	devicesSuffixWithSlash = "/devices/"
)

// Transform maps one RudderStack event to its Customer.io request, or for a
// group event to its Customer.io object, as the upstream processor transform
// does apart from the documented deviations. It never panics and never
// modifies msg; a msg that is not an object reads as an object with no keys.
func Transform(msg jsvalue.Value, dest *Destination) Result {
	dest = orEmpty(dest)
	if err := checkConfig(dest); err != nil {
		return Result{Err: err}
	}
	var ev event
	ev.load(msg)
	if err := ev.dispatch(); err != nil {
		return Result{Err: err}
	}
	if ev.retl {
		ev.applyRETL()
	}
	ev.resolve()
	switch ev.typ {
	case typeIdentify:
		return ev.identify(dest)
	case typeAlias:
		return ev.alias(dest)
	case typeGroup:
		return ev.group()
	default:
		return ev.track(dest)
	}
}

// event is one message as the mapping reads it: its fields after deviation
// D5 (numbers in id, name and email fields read as their decimal strings) and
// after the RETL rewrite of §3, without touching the caller's message.
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
	device     jsvalue.Value // context.device
	token      jsvalue.Value // context.device.token
	externalID jsvalue.Value // context.externalId[0]
	retl       bool          // context.mappedToDestination is truthy

	// Resolved as upstream's generic field mapping resolves them: the first
	// source that is truthy, false or 0, else null.
	userIDOnly jsvalue.Value
	email      jsvalue.Value
	historical jsvalue.Value

	// evName is the event name of track, page and screen (§3 step 3).
	evName jsvalue.Value
}

// load reads the fields of msg the mapping needs, in one pass over the
// message and one over its context.
func (ev *event) load(msg jsvalue.Value) {
	var context jsvalue.Value
	for _, m := range msg.Members() {
		switch m.Key {
		case "type":
			ev.rawType = m.Value
		case "userId":
			ev.userID = idString(m.Value)
		case "anonymousId":
			ev.anonymousID = idString(m.Value)
		case "previousId":
			ev.previousID = idString(m.Value)
		case "groupId":
			ev.groupID = idString(m.Value)
		case "event":
			ev.eventName = idString(m.Value)
		case "name":
			ev.name = idString(m.Value)
		case "traits":
			ev.traits = withStringEmail(m.Value)
		case "properties":
			ev.properties = withStringEmail(m.Value)
		case "user_properties":
			ev.userProperties = m.Value
		case "timestamp":
			ev.timestamp = m.Value
		case "originalTimestamp":
			ev.originalTimestamp = m.Value
		case "context":
			context = m.Value
		}
	}
	for _, m := range context.Members() {
		switch m.Key {
		case "traits":
			ev.contextTraits = withStringEmail(m.Value)
		case "device":
			ev.device = m.Value
			ev.token = idString(m.Value.Get("token"))
		case "externalId":
			ev.externalID = m.Value.Get("0")
		case "mappedToDestination":
			ev.retl = m.Value.Truthy()
		}
	}
}

// dispatch checks the message type and computes the event name (§3 steps 2
// and 3).
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
	ev.typ = jsLower(ev.rawType.Str())
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
		ev.evName = jsvalue.String("Viewed " + x.JSString() + " Screen")
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

// resolve computes the identifiers of §3 step 5.
func (ev *event) resolve() {
	ev.userIDOnly = firstSet(
		ev.userID,
		ev.traits.Get("userId"),
		ev.traits.Get("id"),
		ev.contextTraits.Get("userId"),
		ev.contextTraits.Get("id"),
	)
	ev.email = firstSet(
		ev.traits.Get("email"),
		ev.contextTraits.Get("email"),
		ev.properties.Get("email"),
		ev.externalID.Get("id"),
	)
	ev.historical = firstSet(ev.timestamp, ev.originalTimestamp)
}

// identity returns userIdOnly || email, the person a request is about.
func (ev *event) identity() jsvalue.Value {
	if ev.userIDOnly.Truthy() {
		return ev.userIDOnly
	}
	return ev.email
}

// outputUserID returns the request's RudderStack user id: String of
// userIdOnly || anonymousId, or "" when that is falsy (§2.3).
func (ev *event) outputUserID() string {
	switch {
	case ev.userIDOnly.Truthy():
		return ev.userIDOnly.JSString()
	case ev.anonymousID.Truthy():
		return ev.anonymousID.JSString()
	}
	return ""
}

// request returns the successful Result of a Track API request.
func (ev *event) request(dest *Destination, method, endpointPath, endpoint string, body jsvalue.Value) Result {
	return Result{
		Request: &Request{
			Method:       method,
			Endpoint:     endpoint,
			EndpointPath: endpointPath,
			Headers:      []Header{{Name: authorizationHeader, Value: basicAuth(dest.SiteID, dest.APIKey)}},
			Body:         body.AppendJSON(make([]byte, 0, bodyCapacity)),
			UserID:       ev.outputUserID(),
		},
		Keys: ev.keys(),
	}
}

// firstSet returns the first value that is truthy, false or 0, else null, as
// upstream's getValueFromMessage picks among its sources.
func firstSet(vals ...jsvalue.Value) jsvalue.Value {
	for _, v := range vals {
		if v.Truthy() || isFalseOrZero(v) {
			return v
		}
	}
	return jsvalue.Null()
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

// withStringEmail applies D5 to the email member of traits or properties,
// copying the object only when that member is a number.
func withStringEmail(v jsvalue.Value) jsvalue.Value {
	if e := v.Get("email"); e.IsNumber() && v.IsObject() {
		c := v.ShallowCopy()
		c.Set("email", idString(e))
		return c
	}
	return v
}

// pathParam returns v as a URL path segment the way upstream inserts it: a
// string through encodeURIComponent, anything else as String(v).
func pathParam(v jsvalue.Value) string {
	if v.IsString() {
		return encodeURIComponent(v.Str())
	}
	return v.JSString()
}

// jsLower lowercases s as String.prototype.toLowerCase does for the strings
// that can matter here: ASCII fast, and U+0130 (İ) to "i̇", which Go's
// ToLower maps to a bare "i".
func jsLower(s string) string {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x80 {
			return strings.ToLower(strings.ReplaceAll(s, "\u0130", "i\u0307"))
		}
		if 'A' <= c && c <= 'Z' {
			return strings.ToLower(s)
		}
	}
	return s
}
