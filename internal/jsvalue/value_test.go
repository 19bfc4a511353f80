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
