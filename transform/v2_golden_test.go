package transform

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cio-transformer/cio-transformer/internal/jsvalue"
)

// goldenV2Dir holds the golden cases of API mode v2, one JSON file each;
// go test -run GoldenV2 -update rewrites their wants.
const goldenV2Dir = "testdata/golden_v2"

// goldenV2Case is one golden file of API mode v2: a destination Config, the
// job's connection (absent when it has none), an event, and the expected
// outcome (see goldenV2Outcome).
type goldenV2Case struct {
	Description string          `json:"description"`
	Destination map[string]any  `json:"destination"`
	Connection  json.RawMessage `json:"connection,omitempty"`
	Event       json.RawMessage `json:"event"`
	Want        json.RawMessage `json:"want"`
}

// TestGoldenV2 maps the event of every API mode v2 golden case and compares
// the outcome with its want, structurally.
func TestGoldenV2(t *testing.T) {
	t.Parallel()
	for _, path := range goldenV2Paths(t) {
		name := strings.TrimSuffix(filepath.Base(path), ".json")
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c := readGolden[goldenV2Case](t, path)
			got := goldenV2Outcome(t, c)
			if *updateGolden {
				c.Want = wantJSON(t, got)
				writeGolden(t, path, c)
				return
			}
			var want any
			if err := json.Unmarshal(markLoneSurrogates(c.Want), &want); err != nil {
				t.Fatalf("want: %v", err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%s\n(-want +got):\n%s", c.Description, diff)
			}
		})
	}
}

// v2Errors are the problems API mode v2 reports, each as a substring of a
// message; every one must be the outcome of some golden case.
var v2Errors = []string{
	// The input schema.
	"message.type: Required",
	"message.type: Expected 'identify' | 'track' | 'page' | 'screen' | 'alias' | 'group', received number",
	"message.type: Invalid enum value. Expected 'identify' | 'track' | 'page' | 'screen' | 'alias' | 'group', received 'Identify'",
	"message.userId: Invalid input",
	"message.anonymousId: Invalid input",
	"message.previousId: Invalid input",
	"message.groupId: Invalid input",
	"message: userId, email or anonymousId is required",
	"destination.Config.siteID: Required",
	"destination.Config.apiKey: Required",
	"message.action: Required",
	"message.action: Expected 'insert' | 'update' | 'delete', received number",
	"message.action: Invalid enum value. Expected 'insert' | 'update' | 'delete', received 'upsert'",
	"message.identifiers: Required",
	"message.identifiers: Expected object, received array",
	"message: A non-empty `id` or `email` identifier is required",
	"connection: Expected object, received",
	"connection.config: Required",
	"connection.config: Expected object, received",
	"connection.config.destination: Required",
	"connection.config.destination: Expected object, received",
	"connection.config.destination.object: Required",
	"connection.config.destination.object: Expected 'person' | 'event', received number",
	"connection.config.destination.object: Invalid enum value. Expected 'person' | 'event', received 'account'",
	"connection.config.destination.syncMode: Expected string, received",
	"connection.config.destination.identifierMappings: Expected array, received",
	"connection.config.destination.identifierMappings.1: Expected object, received",
	"connection.config.destination.identifierMappings.0.from: Required",
	"connection.config.destination.fieldMappings.0.to: Expected string, received",
	// The mapping.
	"userId or email is not present",
	"Event is a required field and should be a string",
	"Event Name type should be a string",
	"userId/email or device_token not present",
	`Missing required value from "groupId"`,
	"exceeds CustomerIO's 32KB per-object limit.",
	// Record events.
	"Missing connection config",
	`"delete" is not supported for object type "event"`,
	"Event name is required for CustomerIO event records",
}

// TestGoldenV2CoversEveryError checks that the golden cases show every
// problem API mode v2 reports, and every record event outcome.
func TestGoldenV2CoversEveryError(t *testing.T) {
	t.Parallel()
	var messages, records []string
	for _, path := range goldenV2Paths(t) {
		c := readGolden[goldenV2Case](t, path)
		var want struct {
			Error *struct {
				Message string `json:"message"`
			} `json:"error"`
			Request *struct {
				Body struct {
					Batch []map[string]any `json:"batch"`
				} `json:"body"`
			} `json:"request"`
		}
		if err := json.Unmarshal(c.Want, &want); err != nil {
			t.Fatalf("%s: want: %v", path, err)
		}
		if want.Error != nil {
			messages = append(messages, want.Error.Message)
		}
		if want.Request != nil && bytes.Contains(c.Event, []byte(`"record"`)) {
			for _, o := range want.Request.Body.Batch {
				_, hasAttrs := o["attributes"]
				_, hasTime := o["timestamp"]
				records = append(records, goldenRecordShape(o["action"], hasAttrs, hasTime))
			}
		}
	}
	for _, e := range v2Errors {
		found := false
		for _, m := range messages {
			found = found || strings.Contains(m, e)
		}
		if !found {
			t.Errorf("no golden case fails with %q", e)
		}
	}
	// Every action a record becomes, with and without its optional members.
	for _, shape := range []string{
		goldenRecordShape("identify", true, true),
		goldenRecordShape("identify", false, false),
		goldenRecordShape("delete", false, true),
		goldenRecordShape("delete", false, false),
		goldenRecordShape("event", true, true),
		goldenRecordShape("event", false, false),
	} {
		found := false
		for _, r := range records {
			found = found || r == shape
		}
		if !found {
			t.Errorf("no golden record case gives %s", shape)
		}
	}
}

// goldenRecordShape describes a record payload: its action and whether it
// has attributes and a timestamp.
func goldenRecordShape(action any, attrs, timestamp bool) string {
	s, _ := action.(string)
	if attrs {
		s += " with attributes"
	}
	if timestamp {
		s += " with timestamp"
	}
	return s
}

// goldenV2Paths lists the golden case files of API mode v2.
func goldenV2Paths(t *testing.T) []string {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(goldenV2Dir, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) == 0 {
		t.Fatal("no golden cases")
	}
	return paths
}

// goldenV2Input parses a case's event and connection.
func goldenV2Input(t testing.TB, c goldenV2Case) (msg, connection jsvalue.Value) {
	t.Helper()
	msg, err := jsvalue.Parse(c.Event)
	if err != nil {
		t.Fatalf("event: %v", err)
	}
	if len(c.Connection) > 0 {
		if connection, err = jsvalue.Parse(c.Connection); err != nil {
			t.Fatalf("connection: %v", err)
		}
	}
	return msg, connection
}

// goldenV2Outcome maps the case's event with BatchPayload and renders the
// outcome as the unary call returns it: {"request": {...}, "keys": [...]}
// with the object in a batch of one, or {"error": {...}}.
func goldenV2Outcome(t *testing.T, c goldenV2Case) any {
	t.Helper()
	msg, connection := goldenV2Input(t, c)
	dest := destinationFromConfig(c.Destination)
	r := BatchPayload(msg, connection, dest)
	if r.Err != nil {
		return map[string]any{"error": map[string]any{
			"statusCode":    float64(r.Err.StatusCode),
			"message":       markSurrogateBytes(r.Err.Message),
			"errorCategory": r.Err.Category,
			"errorType":     r.Err.Type,
		}}
	}
	if r.Request != nil || r.UserID != "" {
		t.Errorf("BatchPayload returned a request or a user id: %+v", r)
	}
	keys := make([]any, len(r.Keys))
	for i, k := range r.Keys {
		keys[i] = markSurrogateBytes(k)
	}
	return map[string]any{"request": requestJSON(BatchOfOne(dest, r)), "keys": keys}
}
