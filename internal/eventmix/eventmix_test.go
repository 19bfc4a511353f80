package eventmix

import (
	"bytes"
	"encoding/json"
	"testing"
)

func TestGenerateIsDeterministic(t *testing.T) {
	t.Parallel()
	a, b := Generate(7, 500), Generate(7, 500)
	for i := range a {
		if a[i].Kind != b[i].Kind || !bytes.Equal(a[i].JSON, b[i].JSON) {
			t.Fatalf("event %d differs between two runs with the same seed", i)
		}
	}
	c := Generate(8, 500)
	same := 0
	for i := range a {
		if bytes.Equal(a[i].JSON, c[i].JSON) {
			same++
		}
	}
	if same == len(a) {
		t.Fatal("seeds 7 and 8 gave the same events")
	}
}

func TestGenerateShape(t *testing.T) {
	t.Parallel()
	events := Generate(1, 5000)
	for i, e := range events {
		var m map[string]any
		if err := json.Unmarshal(e.JSON, &m); err != nil {
			t.Fatalf("event %d is not a JSON object: %v", i, err)
		}
		if _, ok := m["messageId"]; !ok {
			t.Fatalf("event %d has no messageId", i)
		}
		if _, ok := m["context"].(map[string]any); !ok {
			t.Fatalf("event %d has no context object", i)
		}
	}
	s := Summarize(events)
	tests := []struct {
		name string
		ok   bool
	}{
		{"median near 600 bytes", s.MedianBytes >= 500 && s.MedianBytes <= 750},
		{"a few events over 2 KB", s.Over2KB > len(events)/100 && s.Over2KB < len(events)/10},
		{"largest event several KB", s.MaxBytes > 3000},
		{"every kind present", len(s.Kinds) == len(Kinds)},
		{"track is the commonest kind", s.Kinds[KindTrack] > s.Kinds[KindIdentify]},
	}
	for _, tt := range tests {
		if !tt.ok {
			t.Errorf("%s: stats %+v", tt.name, s)
		}
	}
}
