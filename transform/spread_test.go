package transform

import (
	"testing"

	"github.com/cio-transformer/cio-transformer/internal/jsvalue"
)

func TestSpreadInto(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		dst  string
		src  string // JSON, or undefinedJSON
		want string
	}{
		{"object", `{"a":1}`, `{"b":2,"a":3}`, `{"a":3,"b":2}`},
		{"nested shared", `{}`, `{"o":{"x":[1]}}`, `{"o":{"x":[1]}}`},
		{"string", `{}`, `"abc"`, `{"0":"a","1":"b","2":"c"}`},
		{"non-ASCII string", `{}`, `"é€"`, `{"0":"é","1":"€"}`},
		{"astral char is two code units", `{}`, `"a😀b"`, `{"0":"a","1":"\ufffd","2":"\ufffd","3":"b"}`},
		{"empty string", `{"k":1}`, `""`, `{"k":1}`},
		{"array", `{}`, `[1,"x",null]`, `{"0":1,"1":"x","2":null}`},
		{"number", `{"k":1}`, `42`, `{"k":1}`},
		{"boolean", `{"k":1}`, `true`, `{"k":1}`},
		{"null", `{"k":1}`, `null`, `{"k":1}`},
		{"undefined", `{"k":1}`, undefinedJSON, `{"k":1}`},
		{"into non-object", `[]`, `{"a":1}`, `[]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dst := parseTestValue(t, tt.dst)
			src := jsvalue.Undefined()
			if tt.src != undefinedJSON {
				src = parseTestValue(t, tt.src)
			}
			b := newBudget(DefaultMaxEventBytes)
			if err := spreadInto(dst, src, &b); err != nil {
				t.Fatalf("spreadInto: %s", err.Message)
			}
			if diff := structuralDiff(t, tt.want, dst.AppendJSON(nil)); diff != "" {
				t.Errorf("spreadInto(%s, %s) (-want +got)\n%s", tt.dst, tt.src, diff)
			}
		})
	}
}

func TestSpreadIntoItself(t *testing.T) {
	t.Parallel()
	v := parseTestValue(t, `{"a":1,"b":2}`)
	b := newBudget(DefaultMaxEventBytes)
	if err := spreadInto(v, v, &b); err != nil {
		t.Fatal(err.Message)
	}
	if diff := structuralDiff(t, `{"a":1,"b":2}`, v.AppendJSON(nil)); diff != "" {
		t.Errorf("(-want +got)\n%s", diff)
	}
}
