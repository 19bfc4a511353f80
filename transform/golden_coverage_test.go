package transform

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

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
	for _, path := range goldenPaths(t, goldenV2Dir) {
		c := readGolden[goldenCase](t, path)
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
