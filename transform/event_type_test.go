package transform

import (
	"testing"

	"github.com/cio-transformer/cio-transformer/internal/jsvalue"
)

func TestEventTypeOf(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		event string
		want  string
	}{
		{"identify", `{"type":"identify"}`, "identify"},
		{"upper case like upstream's lowercasing", `{"type":"TRACK"}`, "track"},
		{"alias", `{"type":"alias"}`, "alias"},
		{"warehouse record", `{"type":"record"}`, "record"},
		{"misspelt", `{"type":"trak"}`, "unknown"},
		{"number", `{"type":7}`, "unknown"},
		{"missing", `{"userId":"u"}`, "unknown"},
		{"unreadable", ``, "unknown"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var ev jsvalue.Value
			if tc.event != "" {
				ev = mustParse(t, tc.event)
			}
			if got := eventTypeOf(ev).String(); got != tc.want {
				t.Errorf("got %s, want %s", got, tc.want)
			}
		})
	}
	if got := EventType(200).String(); got != "unknown" {
		t.Errorf("out of range: got %s, want unknown", got)
	}
}
