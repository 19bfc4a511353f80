package transform_test

import (
	"encoding/json"
	"testing"

	"github.com/cio-transformer/cio-transformer/internal/eventmix"
	"github.com/cio-transformer/cio-transformer/transform"
)

// TestResultOwnsItsText maps events from bytes that are then overwritten,
// and checks that the Results did not change: a Result refers to no text
// of its event, so that a caller may reuse the event's space, or its lent
// document's (see Job.event), as soon as the Result is made. The events
// are the corpora's and the benchmark mix, in both API modes and as
// unbatched jobs.
func TestResultOwnsItsText(t *testing.T) {
	var events [][]byte
	for _, e := range eventmix.Generate(7, 300) {
		events = append(events, e.JSON)
	}
	forEachCorpusLine(t, func(_ string, line map[string]any) {
		msgs := []any{line["message"]}
		if input, ok := line["input"].([]any); ok {
			for _, j := range input {
				if j, ok := j.(map[string]any); ok {
					msgs = append(msgs, j["message"])
				}
			}
		}
		for _, m := range msgs {
			if m == nil {
				continue
			}
			b, err := json.Marshal(m)
			if err != nil {
				t.Fatal(err)
			}
			events = append(events, b)
		}
	})
	dest := transform.NewDestination(transform.DestinationConfig{SiteID: "site", APIKey: "key"})
	modes := []struct {
		name      string
		mode      transform.Mode
		dontBatch bool
	}{
		{"v1", transform.Mode{}, false},
		{"v2", transform.Mode{V2: true}, false},
		{"v2 unbatched", transform.Mode{V2: true}, true},
	}
	checked := 0
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			for _, e := range events {
				transform.MapOwned(t, m.mode, e, m.dontBatch, dest)
				checked++
			}
		})
	}
	t.Logf("%d results checked", checked)
}
