package transform

import (
	"strings"

	"github.com/cio-transformer/cio-transformer/internal/jsvalue"
	"github.com/cio-transformer/cio-transformer/transform/internal/js"
)

// deviceUninstalled is the event name that deletes a device.
const deviceUninstalled = "Application Uninstalled"

// track maps a track, page or screen event: a device deletion or
// registration, an event of a known person, or an anonymous event.
func (ev *event) track(dest *Destination) Result {
	id := ev.identity()
	// Upstream URI-encodes the device token and the id first, whether or
	// not the request's URL then carries them: a lone surrogate in either
	// fails the event before any other check. A truthy id goes into the
	// URL, where request looks at it, unless a device deletion fails first
	// (see deleteDevice).
	if !encodable(ev.token) {
		return Result{Err: uriMalformedError()}
	}
	if ev.evName.IsString() && ev.evName.Str() == deviceUninstalled {
		return ev.deleteDevice(dest, id)
	}
	if id.Truthy() && ev.token.Truthy() && ev.isDeviceEvent(dest) {
		return ev.registerDevice(dest, id)
	}

	// The payload's type, as a JSON string.
	evType := `"event"`
	if ev.typ == typePage {
		evType = `"page"`
	}
	if id.Truthy() {
		name := eventName{v: ev.evName}
		if ev.typ == typeScreen {
			name = eventName{screen: true, inner: ev.screenName}
		}
		body := ev.eventBody(evType, name, jsvalue.Undefined())
		ep := endpoint{path: customersPath, id: id, suffix: eventsSuffix}
		return ev.request(dest, methodPost, eventsEndpointPath, ep, body)
	}

	// Customer.io takes at most 100 bytes of an anonymous event's name, so
	// upstream truncates it here (and only here).
	var name eventName
	if ev.typ == typeScreen {
		raw := ev.eventName
		if !raw.Truthy() {
			raw = ev.properties.Get("name")
		}
		inner := ""
		if raw.Truthy() {
			// Upstream's truncation throws on a non-string (a 500); the
			// name is read as String(value) instead, as the template of
			// an identified screen reads it.
			inner = raw.JSString()
		}
		name = eventName{screen: true, inner: js.TruncateUTF8Bytes(inner, maxScreenNameBytes)}
	} else {
		if !ev.evName.IsString() {
			return Result{Err: instrumentationError("Event Name type should be a string")}
		}
		name = eventName{v: jsvalue.String(js.TruncateUTF8Bytes(ev.evName.Str(), maxAnonymousNameBytes))}
	}
	if !ev.anonymousID.Truthy() {
		return Result{Err: instrumentationError("Anonymous id/ user id is required")}
	}
	body := ev.eventBody(evType, name, ev.anonymousID)
	return ev.request(dest, methodPost, anonymousEndpointPath, endpoint{path: anonymousEventsPath}, body)
}

// screenPrefix and screenSuffix enclose the name of a screen in its
// event's name.
const (
	screenPrefix = "Viewed "
	screenSuffix = " Screen"
)

// eventName is the name of an event's payload: v, or for a screen
// "Viewed <inner> Screen".
type eventName struct {
	v      jsvalue.Value
	screen bool
	inner  string
}

// appendTo appends the name as a JSON value, nothing when it is undefined.
// A screen's name is written in parts, without making the string: as its
// prefix ends and its suffix starts with ASCII, the escapes of the parts
// are the escapes of the whole.
func (n eventName) appendTo(dst []byte) []byte {
	if !n.screen {
		return appendValue(dst, n.v)
	}
	dst = append(dst, '"')
	dst = append(dst, screenPrefix...)
	start := len(dst)
	dst = appendString(dst, n.inner)
	// Drop the inner string's quotes.
	dst = dst[:start+copy(dst[start:], dst[start+1:len(dst)-1])]
	dst = append(dst, screenSuffix...)
	return append(dst, '"')
}

// isScreenEventName reports whether name is the name of a screen named
// inner: "Viewed <inner> Screen".
func isScreenEventName(name, inner string) bool {
	return len(name) == len(screenPrefix)+len(inner)+len(screenSuffix) &&
		strings.HasPrefix(name, screenPrefix) && strings.HasSuffix(name, screenSuffix) &&
		name[len(screenPrefix):len(name)-len(screenSuffix)] == inner
}

// eventBody returns the draft of an event's payload: data, name, type
// (quotedType, a JSON string), timestamp and the anonymous id, each omitted
// when undefined. It is written directly rather than built as an object
// only to be encoded; the properties, unread, are copied as they came.
func (ev *event) eventBody(quotedType string, name eventName, anonymousID jsvalue.Value) draft {
	buf := bodyBuffer()
	w := newObjectWriter((*buf)[:0])
	w.member(`"data"`, ev.properties)
	if name.screen || !name.v.IsUndefined() {
		w.key(`"name"`)
		w.dst = name.appendTo(w.dst)
	}
	w.key(`"type"`)
	w.dst = append(w.dst, quotedType...)
	if ev.historical.Truthy() {
		w.key(`"timestamp"`)
		w.dst = appendUnixSeconds(w.dst, ev.historical)
	}
	w.member(`"anonymous_id"`, anonymousID)
	return finish(buf, w.end())
}
