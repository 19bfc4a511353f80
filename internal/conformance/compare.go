package conformance

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
)

// decodeJSON parses one JSON text into nil, bool, string, json.Number,
// []any or map[string]any. Numbers keep their text, so that the comparison
// decides how to read them.
func decodeJSON(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("unexpected data after the JSON value")
	}
	return v, nil
}

// difference is one place where the service's answer differs from the
// expected one. A difference either contrasts two values (want and got,
// each possibly absent) or carries a note.
type difference struct {
	path       string
	want, got  any
	wantAbsent bool
	gotAbsent  bool
	note       string
}

// noteAt returns a difference that is a remark rather than two values.
func noteAt(path, format string, args ...any) difference {
	return difference{path: path, note: fmt.Sprintf(format, args...)}
}

// compareJSON appends to diffs every place where got differs from want.
//
// Objects are compared key by key regardless of order. A key missing on
// one side stands for JavaScript's undefined, which upstream's serialization
// drops, so only keys present on either side matter, and a key that is null
// on one side and missing on the other differs. Numbers are equal when they
// denote the same IEEE-754 double, as they do for JavaScript (1 and 1.0 are
// the same number).
func compareJSON(path string, want, got any, diffs *[]difference) {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			break
		}
		for _, k := range unionKeys(w, g) {
			wv, wok := w[k]
			gv, gok := g[k]
			p := joinKey(path, k)
			switch {
			case !wok:
				*diffs = append(*diffs, difference{path: p, wantAbsent: true, got: gv})
			case !gok:
				*diffs = append(*diffs, difference{path: p, want: wv, gotAbsent: true})
			default:
				compareJSON(p, wv, gv, diffs)
			}
		}
		return
	case []any:
		g, ok := got.([]any)
		if !ok {
			break
		}
		for i := range max(len(w), len(g)) {
			p := path + "[" + strconv.Itoa(i) + "]"
			switch {
			case i >= len(w):
				*diffs = append(*diffs, difference{path: p, wantAbsent: true, got: g[i]})
			case i >= len(g):
				*diffs = append(*diffs, difference{path: p, want: w[i], gotAbsent: true})
			default:
				compareJSON(p, w[i], g[i], diffs)
			}
		}
		return
	default:
		if scalarEqual(want, got) {
			return
		}
	}
	*diffs = append(*diffs, difference{path: path, want: want, got: got})
}

// equalJSON reports whether want and got are structurally equal.
func equalJSON(want, got any) bool {
	var diffs []difference
	compareJSON("", want, got, &diffs)
	return len(diffs) == 0
}

// scalarEqual compares two JSON scalars (nil, bool, string, number).
func scalarEqual(a, b any) bool {
	if fa, ok := numberValue(a); ok {
		fb, ok := numberValue(b)
		return ok && fa == fb
	}
	switch x := a.(type) {
	case nil:
		return b == nil
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	case string:
		y, ok := b.(string)
		return ok && x == y
	}
	return false
}

// numberValue returns a JSON number as the double JavaScript reads it.
func numberValue(v any) (float64, bool) {
	switch n := v.(type) {
	case json.Number:
		f, err := strconv.ParseFloat(string(n), 64)
		if err != nil {
			// Out of double range: JavaScript reads it as ±Infinity, which
			// ParseFloat also returns alongside the error.
			if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
				return f, true
			}
			return 0, false
		}
		return f, true
	case float64:
		return n, true
	case int:
		return float64(n), true
	}
	return 0, false
}

// unionKeys returns the keys of a and b, sorted.
func unionKeys(a, b map[string]any) []string {
	keys := slices.Collect(maps.Keys(a))
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}

// joinKey appends an object key to a path: .key for plain identifiers,
// ["key"] for anything else.
func joinKey(path, key string) string {
	if isIdentifier(key) {
		if path == "" {
			return key
		}
		return path + "." + key
	}
	q, _ := json.Marshal(key)
	return path + "[" + string(q) + "]"
}

// isIdentifier reports whether key can be written after a dot.
func isIdentifier(key string) bool {
	if key == "" {
		return false
	}
	for i, r := range key {
		switch {
		case r == '_' || r == '$' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z'):
		case i > 0 && r >= '0' && r <= '9':
		default:
			return false
		}
	}
	return true
}
