package httpapi

import "testing"

// TestV2SelectorTrims checks that workspace ids are trimmed as
// JavaScript's trim does: a byte order mark is whitespace, U+0085 is not.
func TestV2SelectorTrims(t *testing.T) {
	t.Parallel()
	s := newV2Selector(" ws-a ,\ufeffws-b, ,")
	for workspace, want := range map[string]bool{
		"ws-a":        true,
		"\ufeffws-a ": true,
		"\u3000ws-b":  true,
		"\u0085ws-a":  false,
		"":            false,
		"ws-c":        false,
	} {
		if got := s.selects(workspace); got != want {
			t.Errorf("selects(%q) = %v, want %v", workspace, got, want)
		}
	}
}
