package transform

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cio-transformer/cio-transformer/internal/jsvalue"
)

// testDest is the destination of the mapping tests: US, credentials
// "site:key".
var testDest = NewDestination(DestinationConfig{SiteID: "site", APIKey: "key"})

// mapping is one row of a mapping table: an event (JSON) mapped for a
// destination, and the parts of the outcome that are checked.
type mapping struct {
	name  string
	dest  *Destination // testDest when nil
	event string
	// want holds the checked fields of outcomeJSON: any of method,
	// endpoint, endpointPath, headers, body, userId, object, keys, error,
	// errorType, status.
	want string
}

// runMappings maps each row's event and compares the fields of want with
// the outcome, structurally.
func runMappings(t *testing.T, rows []mapping) {
	t.Helper()
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			t.Parallel()
			dest := row.dest
			if dest == nil {
				dest = testDest
			}
			got := outcomeJSON(t, transformText(t, row.event, dest))
			var want map[string]any
			if err := json.Unmarshal([]byte(row.want), &want); err != nil {
				t.Fatalf("want: %v", err)
			}
			for k, w := range want {
				if diff := cmp.Diff(w, got[k]); diff != "" {
					t.Errorf("%s (-want +got):\n%s", k, diff)
				}
			}
		})
	}
}

// transformText parses event and maps it, checking that the message is
// left as it was.
func transformText(t *testing.T, event string, dest *Destination) Result {
	t.Helper()
	msg, err := jsvalue.Parse([]byte(event))
	if err != nil {
		t.Fatalf("event: %v", err)
	}
	before := string(msg.AppendJSON(nil))
	r := Transform(msg, dest)
	if after := string(msg.AppendJSON(nil)); after != before {
		t.Errorf("message modified:\n%s", cmp.Diff(before, after))
	}
	return r
}

// outcomeJSON renders a Result as a generic JSON object.
func outcomeJSON(t *testing.T, r Result) map[string]any {
	t.Helper()
	out := map[string]any{}
	if r.Err != nil {
		out["error"] = r.Err.Message
		out["errorType"] = r.Err.Type
		out["status"] = float64(r.Err.StatusCode)
		return out
	}
	if r.Request != nil {
		for k, v := range requestJSON(r.Request) {
			out[k] = v
		}
	}
	if r.Object != nil {
		out["object"] = decodeJSON(t, r.Object)
		out["userId"] = r.UserID
	}
	keys := make([]any, len(r.Keys))
	for i, k := range r.Keys {
		keys[i] = k
	}
	out["keys"] = keys
	return out
}

// decodeJSON parses JSON text into generic values.
func decodeJSON(t *testing.T, data []byte) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatalf("invalid JSON %q: %v", data, err)
	}
	return v
}

func TestTransformDispatch(t *testing.T) {
	t.Parallel()
	runMappings(t, []mapping{
		{
			name:  "config is checked before the type",
			dest:  NewDestination(DestinationConfig{APIKey: "key"}),
			event: `{"type":"nonsense"}`,
			want:  `{"error":"siteID not found in Configs","errorType":"configuration","status":400}`,
		},
		{
			name:  "missing apiKey",
			dest:  NewDestination(DestinationConfig{SiteID: "site"}),
			event: `{"type":"identify","userId":"u"}`,
			want:  `{"error":"apiKey not found in Configs","errorType":"configuration"}`,
		},
		{
			name:  "empty destination",
			dest:  NewDestination(DestinationConfig{}),
			event: `{}`,
			want:  `{"error":"siteID not found in Configs"}`,
		},
		{
			name:  "missing type",
			event: `{"userId":"u"}`,
			want:  `{"error":"could not determine type undefined","errorType":"instrumentation","status":400}`,
		},
		{
			name:  "null type",
			event: `{"type":null}`,
			want:  `{"error":"could not determine type undefined"}`,
		},
		{
			name:  "empty type",
			event: `{"type":""}`,
			want:  `{"error":"could not determine type "}`,
		},
		{
			name:  "unknown type is lowercased in the message",
			event: `{"type":"Record"}`,
			want:  `{"error":"could not determine type record"}`,
		},
		{
			name:  "non-string type",
			event: `{"type":5}`,
			want:  `{"error":"could not determine type 5"}`,
		},
		{
			name:  "array type is not a type",
			event: `{"type":["identify"],"userId":"u"}`,
			want:  `{"error":"could not determine type identify"}`,
		},
		{
			name:  "dotted capital I lowercases to i and a combining dot",
			event: `{"type":"İDENTIFY","userId":"u"}`,
			want:  `{"error":"could not determine type i̇dentify"}`,
		},
		{
			name:  "upper-case type",
			event: `{"type":"IDENTIFY","userId":"u"}`,
			want:  `{"method":"PUT","endpoint":"https://track.customer.io/api/v1/customers/u","headers":{"Authorization":"Basic c2l0ZTprZXk="}}`,
		},
		{
			name:  "non-object message",
			event: `[1,2]`,
			want:  `{"error":"could not determine type undefined"}`,
		},
		{
			name:  "EU destination",
			dest:  NewDestination(DestinationConfig{SiteID: "site", APIKey: "key", EU: true}),
			event: `{"type":"track","event":"E","userId":"u"}`,
			want:  `{"endpoint":"https://track-eu.customer.io/api/v1/customers/u/events"}`,
		},
	})
}

func TestTransformUserID(t *testing.T) {
	t.Parallel()
	runMappings(t, []mapping{
		{
			name:  "userId",
			event: `{"type":"track","event":"E","userId":"u","anonymousId":"a"}`,
			want:  `{"userId":"u"}`,
		},
		{
			name:  "anonymousId when there is no user id",
			event: `{"type":"track","event":"E","anonymousId":"a","context":{"traits":{"email":"x@y.com"}}}`,
			want:  `{"userId":"a","endpoint":"https://track.customer.io/api/v1/customers/x%40y.com/events"}`,
		},
		{
			name:  "traits.id resolves the user",
			event: `{"type":"track","event":"E","traits":{"id":7}}`,
			want:  `{"userId":"7","endpoint":"https://track.customer.io/api/v1/customers/7/events"}`,
		},
		{
			name:  "a resolved 0 stops the search and reads as absent",
			event: `{"type":"identify","traits":{"userId":0,"id":"later"},"anonymousId":"a","context":{"traits":{"email":"x@y.com"}}}`,
			want:  `{"userId":"a","endpoint":"https://track.customer.io/api/v1/customers/x%40y.com"}`,
		},
		{
			name:  "empty when nothing identifies the user",
			event: `{"type":"identify","traits":{"email":"x@y.com"}}`,
			want:  `{"userId":""}`,
		},
	})
}

// TestTransformNumericIDs covers deviation D5: numbers in id, name and
// email fields are read as their decimal strings.
func TestTransformNumericIDs(t *testing.T) {
	t.Parallel()
	runMappings(t, []mapping{
		{
			name:  "userId 0 is the user \"0\"",
			event: `{"type":"track","event":"E","userId":0}`,
			want:  `{"endpoint":"https://track.customer.io/api/v1/customers/0/events","userId":"0","keys":["user:0"]}`,
		},
		{
			name:  "numeric event names a track event",
			event: `{"type":"track","event":12.50,"userId":"u"}`,
			want:  `{"body":{"name":"12.5","type":"event"}}`,
		},
		{
			name:  "numeric anonymousId is sent as a string",
			event: `{"type":"page","name":"P","anonymousId":1e21}`,
			want:  `{"body":{"name":"P","type":"page","anonymous_id":"1e+21"},"userId":"1e+21"}`,
		},
		{
			name:  "numeric token",
			event: `{"type":"track","event":"Application Opened","userId":"u","context":{"device":{"token":123}}}`,
			want:  `{"body":{"device":{"id":"123","last_used":null}}}`,
		},
		{
			name:  "numeric traits.email",
			event: `{"type":"identify","traits":{"email":5}}`,
			want:  `{"endpoint":"https://track.customer.io/api/v1/customers/5","body":{"email":"5"},"keys":["email:5"]}`,
		},
		{
			name:  "numeric properties.email",
			event: `{"type":"track","event":"E","properties":{"email":-1}}`,
			want:  `{"endpoint":"https://track.customer.io/api/v1/customers/-1/events","body":{"data":{"email":"-1"},"name":"E","type":"event"}}`,
		},
		{
			name:  "traits ids outside D5 are inserted with String()",
			event: `{"type":"identify","traits":{"userId":12.0}}`,
			want:  `{"endpoint":"https://track.customer.io/api/v1/customers/12","userId":"12"}`,
		},
	})
}

func TestTransformNilDestination(t *testing.T) {
	t.Parallel()
	r := Transform(jsvalue.NewObject(0), nil)
	if r.Err == nil || r.Err.Message != "siteID not found in Configs" {
		t.Fatalf("got %+v, want the siteID configuration error", r)
	}
}
