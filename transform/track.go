package transform

import (
	"github.com/cio-transformer/cio-transformer/internal/jsvalue"
	"github.com/cio-transformer/cio-transformer/transform/internal/js"
)

// deviceUninstalled is the event name that deletes a device.
const deviceUninstalled = "Application Uninstalled"

// track maps a track, page or screen event: a device deletion or
// registration, an event of a known person, or an anonymous event.
func (ev *event) track(dest *Destination) Result {
	id := ev.identity()
	if ev.evName.IsString() && ev.evName.Str() == deviceUninstalled {
		return ev.deleteDevice(dest, id)
	}
	if id.Truthy() && ev.token.Truthy() && ev.isDeviceEvent(dest) {
		return ev.registerDevice(dest, id)
	}

	evType := "event"
	if ev.typ == typePage {
		evType = typePage
	}
	if id.Truthy() {
		body := ev.eventBody(evType, ev.evName, jsvalue.Undefined())
		ep := endpoint{path: customersPath, id: id, suffix: eventsSuffix}
		return ev.request(dest, methodPost, eventsEndpointPath, ep, body)
	}

	// Customer.io takes at most 100 bytes of an anonymous event's name, so
	// upstream truncates it here (and only here).
	var name string
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
		name = "Viewed " + js.TruncateUTF8Bytes(inner, maxScreenNameBytes) + " Screen"
	} else {
		if !ev.evName.IsString() {
			return Result{Err: instrumentationError("Event Name type should be a string")}
		}
		name = js.TruncateUTF8Bytes(ev.evName.Str(), maxAnonymousNameBytes)
	}
	if !ev.anonymousID.Truthy() {
		return Result{Err: instrumentationError("Anonymous id/ user id is required")}
	}
	body := ev.eventBody(evType, jsvalue.String(name), ev.anonymousID)
	return ev.request(dest, methodPost, anonymousEndpointPath, endpoint{path: anonymousEventsPath}, body)
}

// eventBody returns the draft of an event's payload: data, name, type,
// timestamp and the anonymous id, each omitted when undefined. It is
// written directly rather than built as an object only to be encoded; the
// properties, unread, are copied as they came.
func (ev *event) eventBody(evType string, name, anonymousID jsvalue.Value) draft {
	buf := bodyBuffer()
	w := newObjectWriter((*buf)[:0])
	w.member(`"data"`, ev.properties)
	w.member(`"name"`, name)
	w.key(`"type"`)
	w.dst = jsvalue.AppendJSONString(w.dst, evType)
	if ev.historical.Truthy() {
		w.key(`"timestamp"`)
		w.dst = appendUnixSeconds(w.dst, ev.historical)
	}
	w.member(`"anonymous_id"`, anonymousID)
	return finish(buf, w.end())
}
