package transform

import "github.com/cio-transformer/cio-transformer/transform/jsvalue"

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
	if !ev.evName.IsString() || ev.evName.Str() == "" {
		return false
	}
	name := ev.evName.Str()
	for _, n := range deviceEventNames {
		if name == n {
			return true
		}
	}
	return dest.DeviceTokenEventName != "" && name == dest.DeviceTokenEventName
}

// deleteDevice maps Application Uninstalled: DELETE
// /api/v1/customers/{id}/devices/{token} with an empty body.
func (ev *event) deleteDevice(dest *Destination, id jsvalue.Value) Result {
	if !id.Truthy() || !ev.token.Truthy() {
		return Result{Err: instrumentationError("userId/email or device_token not present")}
	}
	ep := endpoint{path: customersPath, id: id, suffix: devicesSuffix + "/", id2: ev.token}
	return ev.request(dest, methodDelete, deviceDeleteEndpointPath, ep, []byte("{}"))
}

// registerDevice maps a device event of a known person with a token: PUT
// /api/v1/customers/{id}/devices with the device built from the event's
// properties.
func (ev *event) registerDevice(dest *Destination, id jsvalue.Value) Result {
	device := jsvalue.NewObject(len(ev.properties.Members()) + 3)
	if err := spreadInto(device, ev.properties, &ev.budget); err != nil {
		return Result{Err: err}
	}
	// The token is sent as it came, neither encoded nor stringified.
	device.Set("id", ev.token)
	// Plain ||, not the generic mapping: a timestamp of 0 falls through.
	ts := ev.timestamp
	if !ts.Truthy() {
		ts = ev.originalTimestamp
	}
	device.Set("last_used", unixSeconds(ts))
	if t := ev.device.Get("type"); t.IsString() && t.Str() != "" {
		device.Set("platform", jsvalue.String(platform(t.Str())))
	}
	body := jsvalue.NewObject(1)
	body.Set("device", device)
	ep := endpoint{path: customersPath, id: id, suffix: devicesSuffix}
	return ev.request(dest, methodPut, devicesEndpointPath, ep, encodeBody(body))
}

// platform returns Customer.io's platform for a device type: "ios" for the
// Apple family, else the lowercased type.
func platform(deviceType string) string {
	lower := jsLower(deviceType)
	for _, a := range appleFamily {
		if lower == a {
			return "ios"
		}
	}
	return lower
}
