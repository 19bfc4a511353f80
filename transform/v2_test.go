package transform

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cio-transformer/cio-transformer/internal/jsvalue"
)

// v2TestDestination is a complete US destination.
var v2TestDestination = NewDestination(DestinationConfig{SiteID: "site-a", APIKey: "key-b"})

// personConnection is a connection whose records go to people.
const personConnection = `{"config":{"destination":{"object":"person"}}}`

func TestBatchPayloadLeavesInputsAlone(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, event, connection string
	}{
		{name: "identify with key paths", event: `{"type":"identify","userId":"u","traits":{"a.b":{"c":1},"x\\y":[1],"p/q.r":2,"address":{"city":"c"}}}`},
		{name: "RETL identify", event: `{"type":"identify","context":{"mappedToDestination":true,"externalId":[{"id":"e","identifierType":"a.b"}]},"traits":{"a":{"k":1}}}`},
		{name: "group with action", event: `{"type":"group","groupId":"g","userId":"u","traits":{"action":"delete","n":{"m":1}}}`},
		{name: "device", event: `{"type":"track","event":"Application Installed","userId":"u","properties":{"p":1},"context":{"device":{"token":"t","type":"ios"}}}`},
		{name: "record", event: `{"type":"record","action":"insert","identifiers":{"id":"u","created_at":"2024-01-01","x":{"y":1}}}`, connection: personConnection},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			msg := mustParse(t, tt.event)
			conn := jsvalue.Undefined()
			if tt.connection != "" {
				conn = mustParse(t, tt.connection)
			}
			before := string(msg.AppendJSON(nil)) + string(conn.AppendJSON(nil))
			r := BatchPayload(msg, conn, v2TestDestination)
			if r.Err != nil {
				t.Fatalf("error %q", r.Err.Message)
			}
			if after := string(msg.AppendJSON(nil)) + string(conn.AppendJSON(nil)); after != before {
				t.Errorf("inputs changed:\n%s\n%s", before, after)
			}
		})
	}
}

func TestBatchPayloadIsDeterministicJSON(t *testing.T) {
	t.Parallel()
	// Upstream's key order, which a reader of the request sees.
	msg := mustParse(t, `{"type":"track","userId":"u","event":"E","properties":{"a":1},"timestamp":"2024-01-15T10:00:00Z"}`)
	r := BatchPayload(msg, jsvalue.Undefined(), v2TestDestination)
	want := `{"type":"person","action":"event","identifiers":{"id":"u"},"name":"E","attributes":{"a":1},"timestamp":1705312800}`
	if string(r.Object) != want {
		t.Errorf("object\n%s\nwant\n%s", r.Object, want)
	}
}

func TestBatchPayloadNilDestination(t *testing.T) {
	t.Parallel()
	r := BatchPayload(mustParse(t, `{"type":"track","userId":"u","event":"E"}`), jsvalue.Undefined(), nil)
	if r.Err == nil || r.Err.Message != "destination.Config.siteID: Required; destination.Config.apiKey: Required" || r.Err.Type != TypeConfiguration {
		t.Errorf("got %+v", r.Err)
	}
}

func TestZodIssuesListEachLineOnce(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		issues   [][2]string
		wantMsg  string
		wantType string
	}{
		{name: "none"},
		{name: "one", issues: [][2]string{{"message", "m"}}, wantMsg: "message: m", wantType: TypeInstrumentation},
		{name: "duplicates", issues: [][2]string{{"destination.Config.apiKey", "Required"}, {"connection.config", "Required"}, {"destination.Config.apiKey", "Required"}},
			wantMsg: "destination.Config.apiKey: Required; connection.config: Required", wantType: TypeConfiguration},
		{name: "a path that only starts like destination", issues: [][2]string{{"destinations", "x"}}, wantMsg: "destinations: x", wantType: TypeInstrumentation},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var z zodIssues
			for _, is := range tt.issues {
				z.add(is[0], is[1])
			}
			err := z.err()
			if tt.wantMsg == "" {
				if err != nil {
					t.Errorf("got %+v, want none", err)
				}
				return
			}
			if err == nil || err.Message != tt.wantMsg || err.Type != tt.wantType || err.StatusCode != 400 || err.Category != CategoryDataValidation {
				t.Errorf("got %+v, want %q (%s)", err, tt.wantMsg, tt.wantType)
			}
		})
	}
}

func TestEscapeKeyPath(t *testing.T) {
	t.Parallel()
	tests := []struct{ key, want string }{
		{key: "plain", want: "plain"},
		{key: "a.b.c", want: `a\.b\.c`},
		{key: `back\slash`, want: `back\\slash`},
		{key: `a\.b`, want: `a\\\.b`},
		{key: "x.y/z", want: `x\.y/z`},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			t.Parallel()
			if got := escapeKeyPath(tt.key); got != tt.want {
				t.Errorf("escapeKeyPath(%q) = %q, want %q", tt.key, got, tt.want)
			}
		})
	}
}

func TestTraitKeysStayFlat(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, traits, want string
	}{
		{name: "dots", traits: `{"a.b.c":1,".lead":2,"trail.":3,"dou..ble":4}`, want: `{"a.b.c":1,".lead":2,"trail.":3,"dou..ble":4}`},
		{name: "backslashes", traits: `{"a\\b":1}`, want: `{"a\\b":1}`},
		// get-value joins a segment ending in a backslash with the next one,
		// so the value read for the key is undefined, which set-value drops.
		{name: "trailing backslash reads nothing", traits: `{"end\\":2}`, want: `{}`},
		{name: "slash keeps the escapes", traits: `{"p.q/r":1,"s\\t/u":2}`, want: `{"p\\.q/r":1,"s\\\\t/u":2}`},
		{name: "numeric keys", traits: `{"1":"one","x":"y"}`, want: `{"1":"one","x":"y"}`},
		{name: "array traits", traits: `["a","b"]`, want: `{"0":"a","1":"b"}`},
		{name: "string traits", traits: `"abc"`, want: `{}`},
		{name: "address key overrides", traits: `{"address":{"city":"a"},"city":"b"}`, want: `{"city":"b"}`},
		{name: "unsafe keys are ordinary (D5)", traits: `{"constructor":1,"__proto__":{"x":1}}`, want: `{"constructor":1,"__proto__":{"x":1}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			msg := mustParse(t, `{"type":"identify","userId":"u","traits":`+tt.traits+`}`)
			r := BatchPayload(msg, jsvalue.Undefined(), v2TestDestination)
			if r.Err != nil {
				t.Fatalf("error %q", r.Err.Message)
			}
			var got struct {
				Attributes map[string]any `json:"attributes"`
			}
			if err := json.Unmarshal(r.Object, &got); err != nil {
				t.Fatal(err)
			}
			var want map[string]any
			if err := json.Unmarshal([]byte(tt.want), &want); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got.Attributes); diff != "" {
				t.Errorf("attributes (-want +got):\n%s", diff)
			}
		})
	}
}

// mustParse parses JSON text.
func mustParse(t *testing.T, text string) jsvalue.Value {
	t.Helper()
	v, err := jsvalue.Parse([]byte(text))
	if err != nil {
		t.Fatal(err)
	}
	return v
}
