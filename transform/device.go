package transform

import (
	"github.com/cio-transformer/cio-transformer/internal/jsvalue"
	"github.com/cio-transformer/cio-transformer/transform/internal/js"
)

// deviceEventNames are the event names that register (or, for Application
// Uninstalled, delete) a device.
var deviceEventNames = [...]string{"Application Installed", "Application Opened", deviceUninstalled}

// appleFamily are the lowercased device types Customer.io calls "ios".
var appleFamily = [...]string{"ios", "watchos", "ipados", "tvos"}

// isDeviceEvent reports whether the event registers a device: one of the
// device event names or the destination's deviceTokenEventName. An event
// without a name never does (deviation D6), where upstream compares an
// unset deviceTokenEventName with an undefined name and finds them equal.
func (ev *event) isDeviceEvent(dest *Destination) bool {
	if ev.typ == typeScreen {
		// No device event name is a screen's, "Viewed ... Screen".
		custom := dest.config.DeviceTokenEventName
		return custom != "" && isScreenEventName(custom, ev.screenName)
	}
	if !ev.evName.IsString() || ev.evName.Str() == "" {
		return false
	}
	name := ev.evName.Str()
	for _, n := range deviceEventNames {
		if name == n {
			return true
		}
	}
	return dest.config.DeviceTokenEventName != "" && name == dest.config.DeviceTokenEventName
}

// deleteDevice maps Application Uninstalled: DELETE
// /api/v1/customers/{id}/devices/{token} with an empty body.
func (ev *event) deleteDevice(dest *Destination, id jsvalue.Value) Result {
	if !id.Truthy() || !ev.token.Truthy() {
		// Upstream encodes the id before this check (see track).
		if !encodable(id) {
			return Result{Err: uriMalformedError()}
		}
		return Result{Err: instrumentationError("userId/email or device_token not present")}
	}
	ep := endpoint{path: customersPath, id: id, suffix: devicesSuffix + "/", id2: ev.token}
	return ev.request(dest, methodDelete, deviceDeleteEndpointPath, ep, emptyObject)
}

// registerDevice maps a device event of a known person with a token: PUT
// /api/v1/customers/{id}/devices with the device built from the event's
// properties.
func (ev *event) registerDevice(dest *Destination, id jsvalue.Value) Result {
	ep := endpoint{path: customersPath, id: id, suffix: devicesSuffix}
	if ev.properties.IsString() {
		body, err := ev.spreadDeviceBody(ev.properties.Str())
		if err != nil {
			return Result{Err: err}
		}
		return ev.request(dest, methodPut, devicesEndpointPath, ep, body)
	}
	if plainDeviceProperties(ev.properties) {
		return ev.request(dest, methodPut, devicesEndpointPath, ep, ev.plainDeviceBody())
	}
	body, err := ev.builtDeviceBody()
	if err != nil {
		return Result{Err: err}
	}
	return ev.request(dest, methodPut, devicesEndpointPath, ep, body)
}

// builtDeviceBody builds the body of registerDevice as upstream does, the
// device as {...properties} with id, last_used and platform set on it, and
// encodes it: for properties that are not plain (see
// plainDeviceProperties).
func (ev *event) builtDeviceBody() (draft, *Error) {
	device := ev.newObject(memberCount(ev.properties) + 3)
	if err := spreadInto(device, ev.properties, &ev.budget); err != nil {
		return draft{}, err
	}
	// The token is sent as it came, neither encoded nor stringified.
	device.Set("id", ev.token)
	// Plain ||, not the generic mapping: a timestamp of 0 falls through.
	ts := ev.timestamp
	if !ts.Truthy() {
		ts = ev.originalTimestamp
	}
	device.Set("last_used", ev.unixSeconds(ts))
	if t := ev.device.Get("type"); t.IsString() && t.Str() != "" {
		device.Set("platform", jsvalue.String(platform(t.Str())))
	}
	body := ev.newObject(1)
	body.Set("device", device)
	return encodeBody(body), nil
}

// plainDeviceProperties reports whether the device registerDevice builds
// from props is what plainDeviceBody writes: props spread as they came (an
// object, or a value that spreads to nothing), with no member that the
// device's own id, last_used or platform would replace in place.
func plainDeviceProperties(props jsvalue.Value) bool {
	switch props.Kind() {
	case jsvalue.KindArray, jsvalue.KindString:
		return false
	case jsvalue.KindObject:
		for k := range props.All() {
			switch k {
			case "id", "last_used", "platform":
				return false
			}
		}
	}
	return true
}

// plainDeviceBody writes the body registerDevice builds when its
// properties are plain (see plainDeviceProperties): the members of the
// properties in their order, then id, last_used and platform. It is
// written directly rather than built as an object only to be encoded.
func (ev *event) plainDeviceBody() draft {
	buf := bodyBuffer()
	w := newObjectWriter(append((*buf)[:0], `{"device":`...))
	for k, v := range ev.properties.All() {
		w.memberKey(k, v)
	}
	ev.appendDeviceTail(&w)
	return finish(buf, append(w.end(), '}'))
}

// appendDeviceTail writes the members a registered device has after its
// properties: id, last_used and platform.
func (ev *event) appendDeviceTail(w *objectWriter) {
	// The token is sent as it came, neither encoded nor stringified.
	w.member(`"id"`, ev.token)
	// Plain ||, not the generic mapping: a timestamp of 0 falls through.
	ts := ev.timestamp
	if !ts.Truthy() {
		ts = ev.originalTimestamp
	}
	w.key(`"last_used"`)
	w.dst = appendUnixSeconds(w.dst, ts)
	if t := ev.device.Get("type"); t.IsString() && t.Str() != "" {
		w.key(`"platform"`)
		w.dst = appendPlatform(w.dst, t.Str())
	}
}

// spreadDeviceBody writes the body registerDevice builds when the
// properties are the string s: the device is s spread, one member per
// UTF-16 unit, then id, last_used and platform, which as keys that are not
// array indexes follow them. The members of s are written as they are
// read, as encoding the object of them would write them, without making
// the object: a string of n units makes n members.
func (ev *event) spreadDeviceBody(s string) (draft, *Error) {
	c := js.CountSpread(s)
	if err := ev.budget.spend(c.Bytes()); err != nil {
		return draft{}, err
	}
	const open = `{"device":{`
	var dst []byte
	var buf *[]byte
	if size := len(open) + c.Room() + bodySlack; size > maxPooledBody {
		dst = make([]byte, 0, size)
	} else {
		buf = bodyBuffer()
		dst = (*buf)[:0]
	}
	w := objectWriter{dst: js.AppendSpread(append(dst, open...), s), some: c.Units() > 0}
	ev.appendDeviceTail(&w)
	return finish(buf, append(w.end(), '}')), nil
}

// appendPlatform appends platform(deviceType) as a JSON string, without
// making the lowercased string when the type is ASCII.
func appendPlatform(dst []byte, deviceType string) []byte {
	var buf [16]byte
	lower, ok := asciiLower(buf[:0], deviceType)
	if !ok {
		return appendString(dst, platform(deviceType))
	}
	for _, a := range appleFamily {
		if string(lower) == a {
			return append(dst, `"ios"`...)
		}
	}
	return appendString(dst, string(lower))
}

// asciiLower appends s lowercased to dst when s is ASCII, as
// js.ToLowerCase lowercases it; ok is false for any other s.
func asciiLower(dst []byte, s string) ([]byte, bool) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x80 {
			return dst, false
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		dst = append(dst, c)
	}
	return dst, true
}

// platform returns Customer.io's platform for a device type: "ios" for the
// Apple family, else the lowercased type.
func platform(deviceType string) string {
	lower := js.ToLowerCase(deviceType)
	for _, a := range appleFamily {
		if lower == a {
			return "ios"
		}
	}
	return lower
}
