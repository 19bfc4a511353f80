package transform

import (
	"reflect"
	"strings"
	"testing"

	"github.com/cio-transformer/cio-transformer/internal/eventmix"
)

// arenaEvents returns events of every kind for the arena tests: the
// benchmark mix, and events whose results are too large for an arena's
// text, or for a text allocated with its head.
func arenaEvents() [][]byte {
	var events [][]byte
	for _, e := range eventmix.Generate(11, 600) {
		events = append(events, e.JSON)
	}
	for _, n := range []int{maxArenaText - 200, maxArenaText + 1, maxInlineText + 1, 3 * textChunk} {
		long := strings.Repeat("x", n)
		events = append(events,
			[]byte(`{"type":"identify","userId":"u-long","traits":{"bio":"`+long+`"}}`),
			[]byte(`{"type":"track","userId":"u-long","event":"Long","context":{"device":{"token":"t"}},"properties":"`+long+`"}`),
			[]byte(`{"type":"group","userId":"u-long","groupId":"g","traits":{"bio":"`+long+`"}}`))
	}
	return events
}

// TestArenaResults maps events into one arena, in both API modes and as
// unbatched jobs, and checks that every result is the one Map gives
// without an arena, once all of them are mapped (no storage of a result
// went to another), then again after a Reset, mapped in the reverse order
// (storage lent again is written whole).
func TestArenaResults(t *testing.T) {
	events := arenaEvents()
	dest := NewDestination(DestinationConfig{SiteID: "site", APIKey: "key"})
	for _, m := range []struct {
		name      string
		mode      Mode
		dontBatch bool
	}{
		{"v1", Mode{}, false},
		{"v2", Mode{V2: true}, false},
		{"v2 unbatched", Mode{V2: true}, true},
	} {
		t.Run(m.name, func(t *testing.T) {
			want := make([]string, len(events))
			for i, e := range events {
				want[i] = dumpResult(m.mode.Map(Job{Raw: e, DontBatch: m.dontBatch}, dest))
			}
			var a Arena
			for run := range 3 {
				order := make([]int, len(events))
				for i := range order {
					order[i] = i
					if run%2 == 1 {
						order[i] = len(events) - 1 - i
					}
				}
				got := make([]Result, len(events))
				for _, i := range order {
					got[i] = m.mode.MapIn(&a, Job{Raw: events[i], DontBatch: m.dontBatch}, dest)
				}
				for i, r := range got {
					if d := dumpResult(r); d != want[i] {
						t.Fatalf("run %d, event %d: mapped into the arena\n%.300s\nwithout\n%.300s", run, i, d, want[i])
					}
				}
				a.Reset()
			}
		})
	}
}

// TestArenaResetLetsGo checks that an arena keeps nothing of its results
// once reset, and no more storage than its bounds, after a run of a few
// results and after a run of many.
func TestArenaResetLetsGo(t *testing.T) {
	dest := NewDestination(DestinationConfig{SiteID: "site", APIKey: "key"})
	var a Arena
	long := strings.Repeat("y", maxArenaText-300)
	for _, n := range []int{10, 2000} {
		for i := range n {
			Mode{}.MapIn(&a, Job{Raw: []byte(`{"type":"identify","userId":"u` + string(rune('a'+i%26)) + `","traits":{"bio":"` + long + `"}}`)}, dest)
			Mode{V2: true}.MapIn(&a, Job{Raw: []byte(`{"type":"identify","userId":"u","traits":{"bio":"` + long + `"}}`)}, dest)
		}
		if n > 10 && (len(a.texts.Chunks()) <= maxKeptTexts || len(a.requests.Chunks()) <= maxKeptHeads) {
			t.Fatalf("%d results took %d chunks of text and %d of heads; the test needs more than the arena keeps", n, len(a.texts.Chunks()), len(a.requests.Chunks()))
		}
		a.Reset()
		if len(a.texts.Chunks()) > maxKeptTexts || len(a.requests.Chunks()) > maxKeptHeads || len(a.objects.Chunks()) > maxKeptHeads {
			t.Fatalf("after %d results, reset keeps %d chunks of text and %d and %d of heads", n, len(a.texts.Chunks()), len(a.requests.Chunks()), len(a.objects.Chunks()))
		}
		for _, c := range a.requests.Chunks() {
			for i := range c {
				if !reflect.ValueOf(c[i]).IsZero() {
					t.Fatalf("after %d results, a request head still holds %+v after the reset", n, c[i].req)
				}
			}
		}
		for _, c := range a.objects.Chunks() {
			for i := range c {
				if !reflect.ValueOf(c[i]).IsZero() {
					t.Fatalf("after %d results, an object head still holds %q after the reset", n, c[i].keys)
				}
			}
		}
	}
}
