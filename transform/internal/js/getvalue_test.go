package js

import (
	"testing"

	"github.com/cio-transformer/cio-transformer/internal/jsvalue"
)

// TestLookupArrayLength checks that a path reads an array's length, as
// JavaScript's `in` finds it, and no other key of an array but its
// indexes.
func TestLookupArrayLength(t *testing.T) {
	t.Parallel()
	root, err := jsvalue.Parse([]byte(`{"a":[7,8,9],"a.length":"v","o":{"length":2},"e":[]}`))
	if err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]string{
		"a.length":   "3",
		"a.1":        "8",
		"o.length":   "2",
		"e.length":   "0",
		"a.size":     "undefined",
		"a.length.x": "undefined",
	} {
		if got := Lookup(root, path).JSString(); got != want {
			t.Errorf("Lookup(%q) = %s, want %s", path, got, want)
		}
	}
	// The whole path as a key comes first.
	if got := GetValue(root, "a.length").JSString(); got != "v" {
		t.Errorf(`GetValue("a.length") = %s, want v`, got)
	}
}

// TestArrayLength checks the lengths Node gives arr.length = v, and the
// values it throws RangeError for.
func TestArrayLength(t *testing.T) {
	t.Parallel()
	for text, want := range map[string]int64{
		`3`: 3, `0`: 0, `-0`: 0, `1e3`: 1000, `4294967295`: 4294967295,
		`"2"`: 2, `" 2 "`: 2, `""`: 0, `"  "`: 0, `"0x10"`: 16, `"1e1"`: 10,
		`null`: 0, `true`: 1, `false`: 0,
		`[]`: 0, `[5]`: 5, `[[" 7"]]`: 7, `[null]`: 0,
	} {
		v, err := jsvalue.Parse([]byte(text))
		if err != nil {
			t.Fatal(err)
		}
		if got, ok := ArrayLength(v); !ok || got != want {
			t.Errorf("ArrayLength(%s) = %d, %v, want %d", text, got, ok, want)
		}
	}
	for _, text := range []string{`-1`, `1.5`, `4294967296`, `1e400`, `"x"`, `"-0x1"`, `"Infinity"`, `[1,2]`, `{}`} {
		v, err := jsvalue.Parse([]byte(text))
		if err != nil {
			t.Fatal(err)
		}
		if got, ok := ArrayLength(v); ok {
			t.Errorf("ArrayLength(%s) = %d, want RangeError", text, got)
		}
	}
}
