package transform

import (
	"strings"
	"testing"
)

func TestTrack(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("x", 150)
	euros := strings.Repeat("€", 40)
	runMappings(t, []mapping{
		{
			name:  "identified",
			event: `{"type":"track","event":"test track event","userId":"12345","properties":{"a":1},"timestamp":"2019-10-14T11:15:18.300Z"}`,
			want: `{"method":"POST","endpoint":"https://track.customer.io/api/v1/customers/12345/events","endpointPath":"v1/customers/events",
				"body":{"data":{"a":1},"name":"test track event","type":"event","timestamp":1571051718},"userId":"12345"}`,
		},
		{
			name:  "ids are percent-encoded",
			event: `{"type":"track","event":"E","userId":"user/with slashes?&=#"}`,
			want:  `{"endpoint":"https://track.customer.io/api/v1/customers/user%2Fwith%20slashes%3F%26%3D%23/events"}`,
		},
		{
			name:  "names of identified events are kept whole",
			event: `{"type":"track","event":"` + long + `","userId":"u"}`,
			want:  `{"body":{"name":"` + long + `","type":"event"}}`,
		},
		{
			name:  "null properties are sent as null",
			event: `{"type":"track","event":"E","userId":"u","properties":null}`,
			want:  `{"body":{"data":null,"name":"E","type":"event"}}`,
		},
		{
			name:  "anonymous",
			event: `{"type":"track","event":"E","anonymousId":"a1","properties":{"p":1},"originalTimestamp":"2022-01-10T20:52:18.678+05:30"}`,
			want: `{"method":"POST","endpoint":"https://track.customer.io/api/v1/events","endpointPath":"v1/events",
				"body":{"data":{"p":1},"name":"E","type":"event","timestamp":1641828138,"anonymous_id":"a1"},"userId":"a1","keys":["anon:a1"]}`,
		},
		{
			name:  "anonymous names are truncated to 100 bytes",
			event: `{"type":"track","event":"` + long + euros + `","anonymousId":"a"}`,
			want:  `{"body":{"name":"` + long[:100] + `","type":"event","anonymous_id":"a"}}`,
		},
		{
			name:  "truncation keeps whole characters",
			event: `{"type":"track","event":"` + euros + `","anonymousId":"a"}`,
			want:  `{"body":{"name":"` + strings.Repeat("€", 33) + `","type":"event","anonymous_id":"a"}}`,
		},
		{
			name:  "event is required",
			event: `{"type":"track","userId":"u"}`,
			want:  `{"error":"Event is a required field and should be a string","errorType":"instrumentation"}`,
		},
		{
			name:  "event must not be empty",
			event: `{"type":"track","event":"","userId":"u"}`,
			want:  `{"error":"Event is a required field and should be a string"}`,
		},
		{
			name:  "event must be a string",
			event: `{"type":"track","event":{"n":1},"userId":"u"}`,
			want:  `{"error":"Event is a required field and should be a string"}`,
		},
		{
			name:  "anonymous without anonymousId",
			event: `{"type":"track","event":"E"}`,
			want:  `{"error":"Anonymous id/ user id is required","errorType":"instrumentation"}`,
		},
	})
}

func TestPage(t *testing.T) {
	t.Parallel()
	runMappings(t, []mapping{
		{
			name:  "named",
			event: `{"type":"page","name":"ApplicationLoaded","userId":"u","properties":{"url":"https://x"}}`,
			want:  `{"body":{"data":{"url":"https://x"},"name":"ApplicationLoaded","type":"page"},"endpointPath":"v1/customers/events"}`,
		},
		{
			name:  "url names an unnamed page",
			event: `{"type":"page","userId":"u","properties":{"url":"https://x"}}`,
			want:  `{"body":{"data":{"url":"https://x"},"name":"https://x","type":"page"}}`,
		},
		{
			name:  "no name and no url",
			event: `{"type":"page","userId":"u","timestamp":"2024-01-02T10:00:00Z"}`,
			want:  `{"body":{"type":"page","timestamp":1704189600}}`,
		},
		{
			name:  "a null url is sent as a null name",
			event: `{"type":"page","userId":"u","properties":{"url":null}}`,
			want:  `{"body":{"data":{"url":null},"name":null,"type":"page"}}`,
		},
		{
			name:  "non-string names are converted with String()",
			event: `{"type":"page","name":["a","b"],"userId":"u"}`,
			want:  `{"body":{"name":"a,b","type":"page"}}`,
		},
		{
			name:  "anonymous without a name",
			event: `{"type":"page","anonymousId":"a"}`,
			want:  `{"error":"Event Name type should be a string","errorType":"instrumentation"}`,
		},
		{
			name:  "the name is checked before the anonymousId",
			event: `{"type":"page"}`,
			want:  `{"error":"Event Name type should be a string"}`,
		},
		{
			name:  "anonymous",
			event: `{"type":"page","name":"Home","anonymousId":"a"}`,
			want:  `{"endpoint":"https://track.customer.io/api/v1/events","body":{"name":"Home","type":"page","anonymous_id":"a"}}`,
		},
	})
}

func TestScreen(t *testing.T) {
	t.Parallel()
	e60 := strings.Repeat("é", 60)
	runMappings(t, []mapping{
		{
			name:  "identified",
			event: `{"type":"screen","event":"Home","userId":"u","properties":{"name":"ignored"}}`,
			want:  `{"body":{"data":{"name":"ignored"},"name":"Viewed Home Screen","type":"event"}}`,
		},
		{
			name:  "properties.name names an unnamed screen",
			event: `{"type":"screen","userId":"u","properties":{"name":"Cart"}}`,
			want:  `{"body":{"data":{"name":"Cart"},"name":"Viewed Cart Screen","type":"event"}}`,
		},
		{
			name:  "no name at all",
			event: `{"type":"screen","userId":"u"}`,
			want:  `{"body":{"name":"Viewed undefined Screen","type":"event"}}`,
		},
		{
			name:  "anonymous without a name",
			event: `{"type":"screen","anonymousId":"a"}`,
			want:  `{"body":{"name":"Viewed  Screen","type":"event","anonymous_id":"a"}}`,
		},
		{
			name:  "anonymous names are truncated to 86 bytes inside the wrapper",
			event: `{"type":"screen","event":"` + e60 + `","anonymousId":"a"}`,
			want:  `{"body":{"name":"Viewed ` + strings.Repeat("é", 43) + ` Screen","type":"event","anonymous_id":"a"}}`,
		},
		{
			name:  "anonymous with a numeric event",
			event: `{"type":"screen","event":7,"anonymousId":"a"}`,
			want:  `{"body":{"name":"Viewed 7 Screen","type":"event","anonymous_id":"a"}}`,
		},
		{
			name:  "anonymous with a non-string properties.name",
			event: `{"type":"screen","properties":{"name":true},"anonymousId":"a"}`,
			want:  `{"body":{"data":{"name":true},"name":"Viewed true Screen","type":"event","anonymous_id":"a"}}`,
		},
		{
			name:  "anonymous without anonymousId",
			event: `{"type":"screen","event":"Home"}`,
			want:  `{"error":"Anonymous id/ user id is required"}`,
		},
	})
}
