package transform

import (
	"strings"
	"sync/atomic"

	"github.com/cio-transformer/cio-transformer/internal/jsvalue"
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
	customersPath       = "/api/v1/customers/"
	eventsSuffix        = "/events"
	devicesSuffix       = "/devices"
	anonymousEventsPath = "/api/v1/events"
	mergeCustomersPath  = "/api/v1/merge_customers"

	customersEndpointPath    = "v1/customers"
	eventsEndpointPath       = "v1/customers/events"
	anonymousEndpointPath    = "v1/events"
	mergeEndpointPath        = "v1/merge_customers"
	devicesEndpointPath      = "v1/customers/devices"
	deviceDeleteEndpointPath = "v1/customers/devices/delete"
)

// HTTP methods and the request header of every Track API request.
const (
	methodPost          = "POST"
	methodPut           = "PUT"
	methodDelete        = "DELETE"
	authorizationHeader = "Authorization"
)

// bodyCapacity is the initial capacity of a request body buffer, enough for
// a typical event without growing.
const bodyCapacity = 256

// Transform maps one RudderStack event to its Customer.io request, or for a
// group event to its Customer.io object, as the upstream processor transform
// does apart from the documented deviations. It never panics and never
// modifies msg; a msg that is not an object reads as an object with no keys.
// The output of one event is capped at DefaultMaxEventBytes (see
// Limits.Transform).
func Transform(msg jsvalue.Value, dest *Destination) Result {
	return DefaultLimits().Transform(msg, dest)
}

// Transform maps one event as the package's Transform does, with a cap of
// l.MaxEventBytes on the bytes of its request body or object: an event over
// it fails with a 400 naming the cap. The cap is enforced while the output
// is built, so an event that would expand far past it costs little before
// it fails.
func (l Limits) Transform(msg jsvalue.Value, dest *Destination) Result {
	dest = orEmpty(dest)
	if err := checkConfig(dest); err != nil {
		return Result{Err: err}
	}
	limit := l.withDefaults().MaxEventBytes
	var ev event
	ev.budget = newBudget(limit)
	ev.load(msg)
	if err := ev.dispatch(); err != nil {
		return Result{Err: err}
	}
	if ev.retl {
		if err := ev.applyRETL(); err != nil {
			return Result{Err: err}
		}
	}
	ev.resolve()
	var r Result
	switch ev.typ {
	case typeIdentify:
		r = ev.identify(dest)
	case typeAlias:
		r = ev.alias(dest)
	case typeGroup:
		r = ev.group()
	default:
		r = ev.track(dest)
	}
	return capped(r, limit)
}

// capped returns r, or the per-event cap's error when its body or object
// is over limit bytes.
func capped(r Result, limit int) Result {
	n := len(r.Object)
	if r.Request != nil {
		n = len(r.Request.Body)
	}
	if n > limit {
		return Result{Err: eventTooLargeError(limit)}
	}
	return r
}

// event is one message as the mapping reads it: its fields after deviation
// D5 (numbers in id, name and email fields read as their decimal strings) and
// after the reverse-ETL rewrite, without touching the caller's message.
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
	createdAt  jsvalue.Value // traits.createdAt, context.traits.createdAt

	// evName is the event name of track, page and screen.
	evName jsvalue.Value

	// budget is what the event may still produce.
	budget budget

	// ids and contextIDs are the identifier members of the traits and the
	// context traits, and propsEmail properties.email: read once by load
	// (idsRead), or by resolve when load did not or the traits changed.
	ids, contextIDs traitIDs
	propsEmail      jsvalue.Value
	idsRead         bool
}

// load reads the fields of msg the mapping needs, in one pass over the
// message and one over its context.
func (ev *event) load(msg jsvalue.Value) {
	// All reads a parsed message's text as it goes: the mapping reads a
	// few members and copies others whole, and builds none of them.
	var context jsvalue.Value
	for key, val := range msg.All() {
		switch key {
		case "type":
			ev.rawType = val
		case "userId":
			ev.userID = idString(val)
		case "anonymousId":
			ev.anonymousID = idString(val)
		case "previousId":
			ev.previousID = idString(val)
		case "groupId":
			ev.groupID = idString(val)
		case "event":
			ev.eventName = idString(val)
		case "name":
			ev.name = idString(val)
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
			context = val
		}
	}
	for key, val := range context.All() {
		switch key {
		case "traits":
			ev.contextTraits = val
		case "device":
			ev.device = val
			ev.token = idString(val.Get("token"))
		case "externalId":
			ev.externalID = val.Get("0")
		case "mappedToDestination":
			ev.retl = val.Truthy()
		}
	}
	ev.traits, ev.ids = withStringEmail(ev.traits)
	ev.contextTraits, ev.contextIDs = withStringEmail(ev.contextTraits)
	ev.propsEmail = ev.properties.Get("email")
	if ev.propsEmail.IsNumber() && ev.properties.IsObject() {
		ev.propsEmail = idString(ev.propsEmail)
		ev.properties = ev.properties.ShallowCopy()
		ev.properties.Set("email", ev.propsEmail)
	}
	ev.idsRead = true
}

// dispatch checks the message type, lowercased as upstream reads it, and
// computes the event name: a page's name or url, "Viewed <event> Screen",
// or a track's event, which must be a non-empty string.
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

// resolve computes the identifiers every mapping reads: the user id
// (userId, traits.userId, traits.id, then the same in context.traits), the
// email (traits, context.traits, properties, then the external id), the
// event time (timestamp, then originalTimestamp) and the creation time.
func (ev *event) resolve() {
	if !ev.idsRead || ev.retl {
		ev.ids = readTraitIDs(ev.traits)
		ev.contextIDs = readTraitIDs(ev.contextTraits)
		ev.propsEmail = ev.properties.Get("email")
	}
	t, c := &ev.ids, &ev.contextIDs
	ev.userIDOnly = firstSet(ev.userID, t.userID, t.id, c.userID, c.id)
	ev.email = firstSet(t.email, c.email, ev.propsEmail, ev.externalID.Get("id"))
	ev.historical = firstSet(ev.timestamp, ev.originalTimestamp)
	ev.createdAt = firstSet(t.createdAt, c.createdAt)
}

// traitIDs are the members of a traits object the identifiers come from.
type traitIDs struct {
	userID, id, email, createdAt jsvalue.Value
}

// readTraitIDs reads the identifier members of traits in one pass.
func readTraitIDs(traits jsvalue.Value) traitIDs {
	var t traitIDs
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
		}
	}
	return t
}

// identity returns userIdOnly || email, the person a request is about.
func (ev *event) identity() jsvalue.Value {
	if ev.userIDOnly.Truthy() {
		return ev.userIDOnly
	}
	return ev.email
}

// outputUserID returns the request's RudderStack user id: String of
// userIdOnly || anonymousId, or "" when that is falsy. It is never the
// email, even when the email identifies the person in the endpoint.
func (ev *event) outputUserID() string {
	switch {
	case ev.userIDOnly.Truthy():
		return ev.userIDOnly.JSString()
	case ev.anonymousID.Truthy():
		return ev.anonymousID.JSString()
	}
	return ""
}

// endpoint is the URL of a Track API request after the host: path, then,
// when id is defined, id as a path segment (see appendPathParam) and
// suffix, then, when id2 is defined, id2 as a path segment.
type endpoint struct {
	path, suffix string
	id, id2      jsvalue.Value
}

// appendTo appends the endpoint's path to dst.
func (ep endpoint) appendTo(dst []byte) []byte {
	dst = append(dst, ep.path...)
	if ep.id.IsUndefined() {
		return dst
	}
	dst = appendPathParam(dst, ep.id)
	dst = append(dst, ep.suffix...)
	if ep.id2.IsUndefined() {
		return dst
	}
	return appendPathParam(dst, ep.id2)
}

// uriMalformed is the message of JavaScript's URIError, which upstream's
// encodeURIComponent (of an id in a URL) and validator's isEmail (through
// encodeURI) throw on a string holding a lone surrogate.
const uriMalformed = "URI malformed"

// uriMalformedError is the error of a string that upstream's URI encoding
// throws on: upstream answers a 500, this service a 400 (deviation D5, see
// docs/DEVIATIONS.md: bad input is never a 500).
func uriMalformedError() *Error {
	return instrumentationError(uriMalformed)
}

// encodable reports whether JavaScript's encodeURIComponent accepts v as a
// path parameter: anything but a string holding a lone surrogate.
func encodable(v jsvalue.Value) bool {
	return !v.IsString() || !jsvalue.HasLoneSurrogate(v.Str())
}

// request returns the successful Result of a Track API request, or the
// URI malformed error when an id in the endpoint cannot be encoded. The
// endpoint and the ordering keys share one allocation, as do the request,
// its header and the slice of keys.
func (ev *event) request(dest *Destination, method, endpointPath string, ep endpoint, body []byte) Result {
	if !encodable(ep.id) || !encodable(ep.id2) {
		return Result{Err: uriMalformedError()}
	}
	tr := &trackRequest{}
	var buf [256]byte
	text := append(buf[:0], apiHost(dest)...)
	text = ep.appendTo(text)
	urlEnd := len(text)
	var endBuf [maxKeys]int
	text, ends := ev.appendKeys(text, endBuf[:0])
	s := string(text)
	keys := sliceKeys(tr.keys[:len(ends):len(ends)], s, urlEnd, ends)
	tr.headers[0] = Header{Name: authorizationHeader, Value: authorization(dest)}
	tr.req = Request{
		Method:       method,
		Endpoint:     s[:urlEnd],
		EndpointPath: endpointPath,
		Headers:      tr.headers[:],
		Body:         body,
		UserID:       ev.outputUserID(),
	}
	return Result{Request: &tr.req, Keys: keys}
}

// trackRequest holds a Request, its one header and its ordering keys in one
// allocation.
type trackRequest struct {
	req     Request
	headers [1]Header
	keys    [maxKeys]string
}

// authCache is the Authorization value of the credentials last used, so
// that a stream of events for one destination encodes them once.
type authCache struct {
	siteID, apiKey, value string
}

// lastAuth holds the most recent authCache.
var lastAuth atomic.Pointer[authCache]

// authorization returns basicAuth of the destination's credentials.
func authorization(dest *Destination) string {
	if c := lastAuth.Load(); c != nil && c.siteID == dest.SiteID && c.apiKey == dest.APIKey {
		return c.value
	}
	c := &authCache{siteID: dest.SiteID, apiKey: dest.APIKey, value: basicAuth(dest.SiteID, dest.APIKey)}
	lastAuth.Store(c)
	return c.value
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

// withStringEmail applies D5 to the email member of traits, copying the
// object only when that member is a number, and returns the traits with
// their identifier members.
func withStringEmail(v jsvalue.Value) (jsvalue.Value, traitIDs) {
	t := readTraitIDs(v)
	if t.email.IsNumber() && v.IsObject() {
		t.email = idString(t.email)
		c := v.ShallowCopy()
		c.Set("email", t.email)
		return c, t
	}
	return v, t
}

// appendPathParam appends v as a URL path segment the way upstream inserts
// it: a string through encodeURIComponent, anything else as String(v).
func appendPathParam(dst []byte, v jsvalue.Value) []byte {
	if v.IsString() {
		return appendURIComponent(dst, v.Str())
	}
	// Appended as a string, JSString's result, rather than with
	// AppendJSString, which would make callers' stack buffers escape.
	return append(dst, v.JSString()...)
}

// jsLower lowercases s as String.prototype.toLowerCase does for the strings
// that can matter here: ASCII fast, and U+0130 (İ) to "i̇", which Go's
// ToLower maps to a bare "i".
func jsLower(s string) string {
	upper := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x80 {
			return jsLowerUnicode(s)
		}
		upper = upper || ('A' <= c && c <= 'Z')
	}
	if upper {
		return strings.ToLower(s)
	}
	return s
}

// jsLowerUnicode lowercases non-ASCII s. Lone surrogates stay as they are,
// as toLowerCase leaves them; Go's ToLower would turn each of their bytes
// into U+FFFD.
func jsLowerUnicode(s string) string {
	if !jsvalue.HasLoneSurrogate(s) {
		return strings.ToLower(strings.ReplaceAll(s, "\u0130", "i\u0307"))
	}
	var b strings.Builder
	b.Grow(len(s))
	start := 0
	for i := 0; i < len(s); {
		r, size := jsvalue.DecodeRune(s[i:])
		if jsvalue.IsSurrogate(r) {
			b.WriteString(jsLowerUnicode(s[start:i]))
			b.WriteString(s[i : i+size])
			start = i + size
		}
		i += size
	}
	b.WriteString(jsLowerUnicode(s[start:]))
	return b.String()
}
