package jsvalue

import (
	"math"
	"testing"
)

// TestTruthy checks JavaScript truthiness for each kind, the numbers zero
// written several ways and NaN among them.
func TestTruthy(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		v    Value
		want bool
	}{
		{"undefined", Value{}, false},
		{"null", Null(), false},
		{"false", Bool(false), false},
		{"true", Bool(true), true},
		{"empty string", String(""), false},
		{"string 0", String("0"), true},
		{"string false", String("false"), true},
		{"0", Int(0), false},
		{"-0", RawNumber("-0"), false},
		{"0.0", RawNumber("0.0"), false},
		{"0e5", RawNumber("0e5"), false},
		{"underflow", RawNumber("1e-400"), false},
		{"NaN", Number(math.NaN()), false},
		{"1", Int(1), true},
		{"-0.5", RawNumber("-0.5"), true},
		{"Infinity", RawNumber("Infinity"), true},
		{"-Infinity", RawNumber("-Infinity"), true},
		{"object", NewObject(0), true},
		{"parsed array", mustParse(t, `[]`), true},
		{"parsed string", mustParse(t, `""`), false},
		{"parsed number", mustParse(t, `-0.0`), false},
	}
	for _, tt := range tests {
		if got := tt.v.Truthy(); got != tt.want {
			t.Errorf("%s: Truthy() = %v, want %v", tt.name, got, tt.want)
		}
	}
}

// TestTruncate checks that Truncate drops the elements past n, and that
// growing the array again leaves storage shared with an earlier copy of its
// elements as it was.
func TestTruncate(t *testing.T) {
	t.Parallel()
	v, err := Parse([]byte(`[1,2,3]`))
	if err != nil {
		t.Fatal(err)
	}
	elems := v.Elems()
	v.Truncate(1)
	if got := string(v.AppendJSON(nil)); got != `[1]` {
		t.Fatalf("after Truncate(1): %s", got)
	}
	v.SetIndex(2, String("x"))
	if got := string(v.AppendJSON(nil)); got != `[1,null,"x"]` {
		t.Fatalf("after SetIndex(2): %s", got)
	}
	if got := elems[1].JSString() + elems[2].JSString(); got != "23" {
		t.Errorf("the elements read before were changed: %s", got)
	}
	v.Truncate(5)
	if v.Len() != 3 {
		t.Errorf("Truncate past the length changed it to %d", v.Len())
	}
}
