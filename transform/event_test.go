package transform

import (
	"math"
	"testing"

	"github.com/cio-transformer/cio-transformer/internal/jsvalue"
	"github.com/cio-transformer/cio-transformer/transform/internal/js"
)

// TestIsSet checks isSet against the test it stands for, v.Truthy() ||
// isFalseOrZero(v), over values of every kind: numbers made and parsed
// (NaN, the infinities, zeros, numbers that read as 0 or as infinite),
// strings, booleans, null, undefined and containers.
func TestIsSet(t *testing.T) {
	t.Parallel()
	vals := []jsvalue.Value{
		jsvalue.Undefined(), jsvalue.Null(), jsvalue.Bool(true), jsvalue.Bool(false),
		jsvalue.String(""), jsvalue.String("0"), jsvalue.String("x"),
		jsvalue.Number(math.NaN()), jsvalue.Number(math.Inf(1)), jsvalue.Number(math.Inf(-1)),
		jsvalue.RawNumber("NaN"), jsvalue.RawNumber("Infinity"), jsvalue.RawNumber("-Infinity"),
		jsvalue.Number(0), jsvalue.Number(math.Copysign(0, -1)), jsvalue.RawNumber("-0"), jsvalue.Int(7),
		jsvalue.NewObject(0), jsvalue.NewArray(),
	}
	doc, err := jsvalue.Parse([]byte(`{"a":0,"b":-0,"c":0.0,"d":0e10,"e":1e-400,"f":-1e-400,"g":1e400,"h":-1e400,` +
		`"i":12.5,"j":"","k":"s","l":null,"m":false,"n":true,"o":{},"p":[]}`))
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range doc.All() {
		vals = append(vals, v)
	}
	for _, v := range vals {
		if got, want := isSet(v), v.Truthy() || isFalseOrZero(v); got != want {
			t.Errorf("isSet(%s of kind %d, text %q) = %t, want %t", v.JSString(), v.Kind(), v.NumberText(), got, want)
		}
	}
}

// TestLowerType checks lowerType against js.ToLowerCase, and that load
// leaves dispatch the lowercased type.
func TestLowerType(t *testing.T) {
	t.Parallel()
	for _, typ := range []string{
		"identify", "track", "page", "screen", "alias", "group", "record",
		"Identify", "TRACK", "pAge", "SCREEN", "İdentify", "", "unknown", "trackx",
	} {
		if got, want := lowerType(typ), js.ToLowerCase(typ); got != want {
			t.Errorf("lowerType(%q) = %q, want %q", typ, got, want)
		}
		msg, err := jsvalue.Parse([]byte(`{"type":` + string(jsvalue.AppendJSONString(nil, typ)) + `}`))
		if err != nil {
			t.Fatal(err)
		}
		var ev event
		ev.load(msg, true)
		if want := js.ToLowerCase(typ); ev.typ != want {
			t.Errorf("load of type %q sets typ %q, want %q", typ, ev.typ, want)
		}
	}
}

// TestTraitKeysClassified checks that load classifies the keys of the
// traits and context traits for an identify event in API mode v1, the one
// mapping that reads the classes (see directTraits), whatever the case of
// its type, and after the reverse-ETL rewrite as well.
func TestTraitKeysClassified(t *testing.T) {
	t.Parallel()
	for _, text := range []string{
		`{"type":"identify","userId":"u","traits":{"a.b":1,"city":"c"},"context":{"traits":{"x.y":1,"street":"s"}}}`,
		`{"type":"IDENTIFY","userId":"u","traits":{"a.b":1,"city":"c"},"context":{"traits":{"x.y":1,"street":"s"}}}`,
		`{"type":"identify","userId":"u","traits":{"a.b":1,"city":"c"},"context":{"mappedToDestination":1,"traits":{"x.y":1,"street":"s"}}}`,
	} {
		ev := loadedEvent(t, text)
		for _, ids := range []*traitIDs{&ev.ids, &ev.contextIDs} {
			if !ids.dotted || !ids.indirect {
				t.Errorf("%s: trait keys read as dotted %t, indirect %t, want both", text, ids.dotted, ids.indirect)
			}
		}
	}
}
