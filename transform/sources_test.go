package transform

import (
	"encoding/json"
	"testing"

	"github.com/cio-transformer/cio-transformer/internal/jsvalue"
)

// TestSourcesTimestamp checks the timestamp of events from a warehouse
// source (channel "sources") as upstream reads it before any destination
// does: an identify's or a track's is its source's own timestamp field,
// first truthy, false or 0 of the list, else null; other types, other
// channels and events mapped to the destination keep theirs. Both API
// modes see it.
func TestSourcesTimestamp(t *testing.T) {
	t.Parallel()
	const (
		y2020 = `"2020-01-01T00:00:00Z"` // 1577836800
		y2021 = `"2021-01-01T00:00:00Z"` // 1609459200
		y2022 = `"2022-01-01T00:00:00Z"` // 1640995200
	)
	tests := []struct {
		name, event string
		want        any // the body's _timestamp or timestamp, nil when none
	}{
		{"identify, context timestamp first",
			`{"type":"identify","channel":"sources","userId":"u","context":{"timestamp":` + y2021 + `,"traits":{"timestamp":` + y2022 + `}},"timestamp":` + y2020 + `}`, 1609459200.0},
		{"identify, context traits",
			`{"type":"identify","channel":"sources","userId":"u","context":{"traits":{"timestamp":` + y2022 + `}},"timestamp":` + y2020 + `}`, 1640995200.0},
		{"identify, traits",
			`{"type":"identify","channel":"sources","userId":"u","traits":{"timestamp":` + y2021 + `},"timestamp":` + y2020 + `}`, 1609459200.0},
		{"identify, none of its own",
			`{"type":"identify","channel":"sources","userId":"u","timestamp":` + y2020 + `}`, 1577836800.0},
		{"identify, an empty string is passed over",
			`{"type":"identify","channel":"sources","userId":"u","traits":{"timestamp":""},"originalTimestamp":` + y2022 + `}`, 1640995200.0},
		// 0 ends the search; an identify writes a falsy timestamp not at all.
		{"identify, 0 is taken",
			`{"type":"identify","channel":"sources","userId":"u","traits":{"timestamp":0},"timestamp":` + y2020 + `}`, nil},
		{"identify, no timestamp at all",
			`{"type":"identify","channel":"sources","userId":"u"}`, nil},
		{"track, properties first",
			`{"type":"track","channel":"sources","userId":"u","event":"e","properties":{"timestamp":` + y2021 + `},"timestamp":` + y2020 + `}`, 1609459200.0},
		{"track, context timestamp is not its",
			`{"type":"track","channel":"sources","userId":"u","event":"e","context":{"timestamp":` + y2021 + `},"timestamp":` + y2020 + `}`, 1577836800.0},
		{"track, originalTimestamp",
			`{"type":"track","channel":"sources","userId":"u","event":"e","properties":{},"originalTimestamp":` + y2022 + `}`, 1640995200.0},
		{"page keeps its own",
			`{"type":"page","channel":"sources","userId":"u","name":"n","properties":{"timestamp":` + y2021 + `},"timestamp":` + y2020 + `}`, 1577836800.0},
		{"a type in capitals keeps its own",
			`{"type":"Track","channel":"sources","userId":"u","event":"e","properties":{"timestamp":` + y2021 + `},"timestamp":` + y2020 + `}`, 1577836800.0},
		{"another channel keeps its own",
			`{"type":"track","channel":"server","userId":"u","event":"e","properties":{"timestamp":` + y2021 + `},"timestamp":` + y2020 + `}`, 1577836800.0},
		{"mapped to the destination keeps its own",
			`{"type":"track","channel":"sources","userId":"u","event":"e","properties":{"timestamp":` + y2021 + `},"timestamp":` + y2020 + `,"context":{"mappedToDestination":true}}`, 1577836800.0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := transformText(t, tt.event, testDest)
			if r.Err != nil || r.Request == nil {
				t.Fatalf("not a request: %+v", r.Err)
			}
			var body map[string]any
			if err := json.Unmarshal(r.Request.Body, &body); err != nil {
				t.Fatal(err)
			}
			// An identify's body has _timestamp, a track's or page's a
			// name and timestamp.
			key := "_timestamp"
			if _, named := body["name"]; named {
				key = "timestamp"
			}
			if got := body[key]; got != tt.want {
				t.Errorf("%s %v, want %v: %s", key, got, tt.want, r.Request.Body)
			}
		})
	}
	// API mode v2 reads the same timestamp into the person's.
	msg := mustParse(t, `{"type":"track","channel":"sources","userId":"u","event":"e","properties":{"timestamp":`+y2021+`},"timestamp":`+y2020+`}`)
	r := BatchPayload(msg, jsvalue.Undefined(), v2TestDestination)
	if r.Err != nil {
		t.Fatalf("API mode v2: %s", r.Err.Message)
	}
	var person struct {
		Timestamp float64 `json:"timestamp"`
	}
	if err := json.Unmarshal(r.Object, &person); err != nil || person.Timestamp != 1609459200 {
		t.Errorf("API mode v2: timestamp %v (%v), want 1609459200: %s", person.Timestamp, err, r.Object)
	}
}
