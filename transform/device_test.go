package transform

import "testing"

func TestDevice(t *testing.T) {
	t.Parallel()
	custom := NewDestination(DestinationConfig{SiteID: "site", APIKey: "key", DeviceTokenEventName: "Registered"})
	runMappings(t, []mapping{
		{
			name: "register",
			event: `{"type":"track","event":"Application Installed","userId":"12345","properties":{"p":1,"id":"dropped"},
				"context":{"device":{"token":"abc/xyz","type":"Android"}},"timestamp":"2020-01-09T10:01:53.558Z"}`,
			want: `{"method":"PUT","endpoint":"https://track.customer.io/api/v1/customers/12345/devices","endpointPath":"v1/customers/devices",
				"body":{"device":{"p":1,"id":"abc/xyz","last_used":1578564113,"platform":"android"}},"userId":"12345"}`,
		},
		{
			name:  "apple devices are ios",
			event: `{"type":"track","event":"Application Opened","userId":"u","context":{"device":{"token":"t","type":"ipadOS"}},"originalTimestamp":"2020-01-09T10:01:53Z"}`,
			want:  `{"body":{"device":{"id":"t","last_used":1578564113,"platform":"ios"}}}`,
		},
		{
			name:  "properties.platform survives without a device type",
			event: `{"type":"track","event":"Application Opened","userId":"u","properties":{"platform":"web"},"context":{"device":{"token":"t","type":""}}}`,
			want:  `{"body":{"device":{"platform":"web","id":"t","last_used":null}}}`,
		},
		{
			name:  "a null timestamp is the epoch",
			event: `{"type":"track","event":"Application Opened","userId":"u","timestamp":null,"originalTimestamp":null,"context":{"device":{"token":"t"}}}`,
			want:  `{"body":{"device":{"id":"t","last_used":0}}}`,
		},
		{
			name:  "string properties spread into characters",
			event: `{"type":"track","event":"Application Opened","userId":"u","properties":"ab","context":{"device":{"token":"t"}}}`,
			want:  `{"body":{"device":{"0":"a","1":"b","id":"t","last_used":null}}}`,
		},
		{
			name:  "custom device event name",
			dest:  custom,
			event: `{"type":"track","event":"Registered","userId":"u","context":{"device":{"token":"t"}}}`,
			want:  `{"endpointPath":"v1/customers/devices"}`,
		},
		{
			name:  "a screen can carry the custom name",
			dest:  NewDestination(DestinationConfig{SiteID: "site", APIKey: "key", DeviceTokenEventName: "Viewed Home Screen"}),
			event: `{"type":"screen","event":"Home","userId":"u","context":{"device":{"token":"t"}}}`,
			want:  `{"endpointPath":"v1/customers/devices"}`,
		},
		{
			name:  "without a token it is an event",
			event: `{"type":"track","event":"Application Installed","userId":"u"}`,
			want:  `{"endpointPath":"v1/customers/events","body":{"name":"Application Installed","type":"event"}}`,
		},
		{
			name:  "anonymous with a token it is an anonymous event",
			event: `{"type":"track","event":"Application Installed","anonymousId":"a","context":{"device":{"token":"t"}}}`,
			want:  `{"endpointPath":"v1/events","body":{"name":"Application Installed","type":"event","anonymous_id":"a"}}`,
		},
		{
			name:  "a nameless page is never a device event",
			event: `{"type":"page","userId":"u","context":{"device":{"token":"t"}}}`,
			want:  `{"endpointPath":"v1/customers/events","body":{"type":"page"}}`,
		},
		{
			name:  "a nameless page is never a device event, also with a custom name",
			dest:  custom,
			event: `{"type":"page","name":"","properties":{"url":""},"userId":"u","context":{"device":{"token":"t"}}}`,
			want:  `{"endpointPath":"v1/customers/events","body":{"data":{"url":""},"name":"","type":"page"}}`,
		},
		{
			name:  "delete",
			event: `{"type":"track","event":"Application Uninstalled","context":{"traits":{"email":"a@b.co"},"device":{"token":"abc xyz"}}}`,
			want: `{"method":"DELETE","endpoint":"https://track.customer.io/api/v1/customers/a%40b.co/devices/abc%20xyz",
				"endpointPath":"v1/customers/devices/delete","body":{},"userId":""}`,
		},
		{
			name:  "delete by page",
			event: `{"type":"page","name":"Application Uninstalled","userId":"u","context":{"device":{"token":5}}}`,
			want:  `{"method":"DELETE","endpoint":"https://track.customer.io/api/v1/customers/u/devices/5"}`,
		},
		{
			name:  "delete without a token",
			event: `{"type":"track","event":"Application Uninstalled","userId":"u"}`,
			want:  `{"error":"userId/email or device_token not present","errorType":"instrumentation"}`,
		},
		{
			name:  "delete without a person",
			event: `{"type":"track","event":"Application Uninstalled","anonymousId":"a","context":{"device":{"token":"t"}}}`,
			want:  `{"error":"userId/email or device_token not present"}`,
		},
	})
}
