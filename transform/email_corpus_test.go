package transform_test

import (
	"testing"

	"github.com/cio-transformer/cio-transformer/transform/internal/js"
)

// TestIsEmailCorpus checks isEmail against every identifier upstream chose
// in the shared corpora: alias primary/secondary and group relationship
// identifiers are keyed "email" exactly when validator's isEmail holds.
func TestIsEmailCorpus(t *testing.T) {
	t.Parallel()
	passed, failed := 0, 0
	forEachCorpusLine(t, func(name string, line map[string]any) {
		for _, out := range corpusOutputs(line) {
			for _, p := range identifierPairs(out) {
				want := p.key == "email"
				if js.IsEmail(p.value) == want {
					passed++
					continue
				}
				failed++
				t.Errorf("%s: js.IsEmail(%q) = %v, upstream keyed it %q", name, p.value, !want, p.key)
			}
		}
	})
	t.Logf("%d passed, %d failed", passed, failed)
}

// identifierPair is one identifier object of a merge or relationship.
type identifierPair struct{ key, value string }

// identifierPairs returns the string identifiers of an output's alias
// (primary, secondary) or group (cio_relationships) body, batched or not.
func identifierPairs(out map[string]any) []identifierPair {
	body, _ := out["body"].(map[string]any)
	payload, _ := body["JSON"].(map[string]any)
	objs := []any{payload}
	if batch, ok := payload["batch"].([]any); ok {
		objs = batch
	}
	var pairs []identifierPair
	add := func(ids any) {
		m, _ := ids.(map[string]any)
		for k, v := range m {
			if s, ok := v.(string); ok {
				pairs = append(pairs, identifierPair{k, s})
			}
		}
	}
	for _, o := range objs {
		obj, _ := o.(map[string]any)
		add(obj["primary"])
		add(obj["secondary"])
		rels, _ := obj["cio_relationships"].([]any)
		for _, r := range rels {
			rel, _ := r.(map[string]any)
			add(rel["identifiers"])
		}
	}
	return pairs
}
