package transform

import (
	"github.com/cio-transformer/cio-transformer/internal/jsvalue"
	"github.com/cio-transformer/cio-transformer/transform/internal/js"
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

// mapV1 maps one RudderStack event in API mode v1 to its Customer.io
// request, or for a group event to its Customer.io object, as the upstream
// processor transform does apart from the documented deviations. It never
// panics and never modifies msg; a msg that is not an object reads as an
// object with no keys.
//
// The output is capped at l.MaxEventBytes on the bytes of its request body
// or object: an event over it fails with a 400 naming the cap. The cap is
// enforced while the output is built, so an event that would expand far
// past it costs little before it fails. The result names the event's type
// (Result.Type), as eventTypeOf reads it.
func (l Limits) mapV1(msg jsvalue.Value, dest *Destination, a *Arena) Result {
	dest = orEmpty(dest)
	if err := checkConfig(dest); err != nil {
		return Result{Err: err, Type: eventTypeOf(msg)}
	}
	limit := l.withDefaults().MaxEventBytes
	var ev event
	ev.budget = newBudget(limit)
	ev.arena = a
	ev.load(msg, true)
	if err := ev.dispatch(); err != nil {
		return Result{Err: err, Type: eventTypeOf(msg)}
	}
	typ := dispatchedType(ev.typ)
	if ev.retl {
		if err := ev.applyRETL(); err != nil {
			return Result{Err: err, Type: typ}
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
	r = capped(r, limit)
	r.Type = typ
	return r
}

// dispatchedType is the EventType of typ, the type of an event that
// dispatch (API mode v1) or validation (API mode v2) accepted: what
// eventTypeOf reads in the event, found without reading it again.
func dispatchedType(typ string) EventType {
	switch typ {
	case typeIdentify:
		return EventIdentify
	case typeTrack:
		return EventTrack
	case typePage:
		return EventPage
	case typeScreen:
		return EventScreen
	case typeGroup:
		return EventGroup
	case typeAlias:
		return EventAlias
	case typeRecord:
		return EventRecord
	}
	return EventUnknown
}

// capped returns r, or the per-event cap's error when its body or object
// is over limit bytes.
func capped(r Result, limit int) Result {
	if outputBytes(r) > limit {
		return Result{Err: eventTooLargeError(limit)}
	}
	return r
}

// endpoint is the URL of a Track API request after the host: path, then,
// when id is defined, id as a path segment (see appendPathParam) and
// suffix, then, when id2 is defined, id2 as a path segment.
type endpoint struct {
	path, suffix string
	id, id2      jsvalue.Value
}

// appendTo appends the endpoint's path to dst. It reports whether what it
// appended is ASCII, as it is unless an id is an array (see pathParamASCII),
// and whether every id that is a string went in as it is, URI encoding
// having found nothing to encode in it, which makes it ASCII; and it
// returns kept, the text of the first id when it went in so, else "".
func (ep endpoint) appendTo(dst []byte) (out []byte, ascii, verbatim bool, kept string) {
	dst = append(dst, ep.path...)
	if ep.id.IsUndefined() {
		return dst, true, true, ""
	}
	n := len(dst)
	dst = appendPathParam(dst, ep.id)
	verbatim = true
	if ep.id.IsString() {
		verbatim = len(dst)-n == len(ep.id.Str())
		if verbatim {
			kept = ep.id.Str()
		}
	}
	dst = append(dst, ep.suffix...)
	ascii = pathParamASCII(ep.id)
	if ep.id2.IsUndefined() {
		return dst, ascii, verbatim, kept
	}
	n = len(dst)
	dst = appendPathParam(dst, ep.id2)
	if ep.id2.IsString() && len(dst)-n != len(ep.id2.Str()) {
		verbatim = false
	}
	return dst, ascii && pathParamASCII(ep.id2), verbatim, kept
}

// pathParamASCII reports whether appendPathParam appends v as ASCII without
// reading v: a string is URI-encoded, which is ASCII, and String() of
// anything but an array (a number, a boolean, null, an object) is; an
// array's is the text of its elements.
func pathParamASCII(v jsvalue.Value) bool {
	return !v.IsArray()
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

// request returns the successful Result of a Track API request with the
// given body, or the URI malformed error when an id in the endpoint cannot
// be encoded. The request, its header, its endpoint, its ordering keys and
// its body share one allocation, unless the body is large and its own (see
// store); the body's draft is released.
func (ev *event) request(dest *Destination, method, endpointPath string, ep endpoint, body draft) Result {
	defer body.release()
	var buf [256]byte
	strs := append(buf[:0], dest.host...)
	var urlASCII, verbatim bool
	var kept string
	if ep.replaces() {
		var err *Error
		if strs, err = ev.appendReplaced(strs, ep); err != nil {
			return Result{Err: err}
		}
	} else {
		strs, urlASCII, verbatim, kept = ep.appendTo(strs)
	}
	// An id that went into the path as it is holds no lone surrogate:
	// only the others are looked at again.
	if !verbatim && (!encodable(ep.id) || !encodable(ep.id2)) {
		return Result{Err: uriMalformedError()}
	}
	urlEnd := len(strs)
	var endBuf [maxRequestKeys]int
	strs, ends := ev.appendKeys(strs, endBuf[:0])
	h, s, b := store[requestHead](ev.arena, strs, body)
	keys := sliceKeys(h.keys[:len(ends):len(ends)], s, urlEnd, ends)
	// A user id that is the path id URI encoding left as it is (kept) is
	// ASCII without a look.
	userID, falsy := ev.keyedUserID(keys)
	h.req = Request{
		Method:       method,
		Endpoint:     s[:urlEnd],
		EndpointPath: endpointPath,
		Headers:      dest.headers,
		Body:         b,
		UserID:       userID,
		UserIDFalsy:  falsy,
		WellFormed:   urlASCII && (userID == kept || isASCII(userID)),
	}
	return Result{Request: &h.req, Keys: keys}
}

// appendPathParam appends v as a URL path segment the way upstream inserts
// it: a string through encodeURIComponent, anything else as String(v).
func appendPathParam(dst []byte, v jsvalue.Value) []byte {
	if v.IsString() {
		return js.AppendURIComponent(dst, v.Str())
	}
	// Appended as a string, JSString's result, rather than with
	// AppendJSString, which would make callers' stack buffers escape.
	return append(dst, v.JSString()...)
}
