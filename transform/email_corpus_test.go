package transform

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
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

// primitivesCorpusDir is the shared conformance corpus, relative to this
// package.
var primitivesCorpusDir = filepath.Join("..", "..", "shared", "conformance", "customerio")

// forEachCorpusLine calls fn with every line of the processor and router
// corpora, upstream's and the differential ones. It skips the test when the
// corpus is absent.
func forEachCorpusLine(t *testing.T, fn func(name string, line map[string]any)) {
	t.Helper()
	if _, err := os.Stat(primitivesCorpusDir); err != nil {
		t.Skipf("conformance corpus not available: %v", err)
	}
	for _, file := range []string{"processor.jsonl", "router.jsonl", "differential/processor.jsonl", "differential/router.jsonl"} {
		f, err := os.Open(filepath.Join(primitivesCorpusDir, file))
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 0, 1<<20), 64<<20)
		for n := 1; sc.Scan(); n++ {
			if len(bytes.TrimSpace(sc.Bytes())) == 0 {
				continue
			}
			var line map[string]any
			dec := json.NewDecoder(bytes.NewReader(sc.Bytes()))
			dec.UseNumber()
			if err := dec.Decode(&line); err != nil {
				t.Fatalf("%s line %d: %v", file, n, err)
			}
			fn(file+":"+strconv.Itoa(n), line)
		}
		if err := sc.Err(); err != nil {
			t.Fatal(err)
		}
		f.Close()
	}
}

// corpusOutputs returns the request objects of a corpus line's answers
// (expected and project_expected; processor output or router
// batchedRequest).
func corpusOutputs(line map[string]any) []map[string]any {
	var outs []map[string]any
	for _, key := range []string{"expected", "project_expected"} {
		switch e := line[key].(type) {
		case map[string]any:
			if o, ok := e["output"].(map[string]any); ok {
				outs = append(outs, o)
			}
		case []any:
			for _, entry := range e {
				if m, ok := entry.(map[string]any); ok {
					if o, ok := m["batchedRequest"].(map[string]any); ok {
						outs = append(outs, o)
					}
				}
			}
		}
	}
	return outs
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
