package jsvalue

import (
	"math"
	"testing"
)

func TestJSString(t *testing.T) {
	t.Parallel()
	cyclic := NewArray(Int(1))
	cyclic.Append(cyclic)
	cyclic.Append(Int(2))
	tests := []struct {
		name string
		in   Value
		want string
	}{
		{"undefined", Undefined(), "undefined"},
		{"null", Null(), "null"},
		{"true", Bool(true), "true"},
		{"false", Bool(false), "false"},
		{"integer", Int(712136), "712136"},
		{"fraction", Number(49.99), "49.99"},
		{"non-canonical raw number", RawNumber("1.50"), "1.5"},
		{"raw exponent", RawNumber("1e21"), "1e+21"},
		{"raw negative zero", RawNumber("-0"), "0"},
		{"raw huge", RawNumber("1e400"), "Infinity"},
		{"NaN", Number(math.NaN()), "NaN"},
		{"-Infinity", Number(math.Inf(-1)), "-Infinity"},
		{"string", String("a b"), "a b"},
		{"empty string", String(""), ""},
		{"object", NewObject(0), "[object Object]"},
		{"empty array", NewArray(), ""},
		{"array", NewArray(Int(1), String("a"), Bool(true)), "1,a,true"},
		{"array nullish elements", NewArray(Null(), Int(1), Undefined()), ",1,"},
		{"nested arrays flatten", NewArray(Int(1), NewArray(Int(2), NewArray(Int(3))), NewArray()), "1,2,3,"},
		{"single string", NewArray(String("id")), "id"},
		{"single null", NewArray(Null()), ""},
		{"single nested", NewArray(NewArray(Int(5))), "5"},
		{"array with object", NewArray(NewObject(0), RawNumber("1.0")), "[object Object],1"},
		{"array containing itself", cyclic, "1,,2"},
		{"parsed array", mustParse(t, `[1e-7,"x",null,[true]]`), "1e-7,x,,true"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := tt.in.JSString(); got != tt.want {
				t.Errorf("JSString() = %q, want %q", got, tt.want)
			}
			if got := tt.in.AppendJSString([]byte("x")); string(got) != "x"+tt.want {
				t.Errorf("AppendJSString() = %q, want %q", got, "x"+tt.want)
			}
		})
	}
}
