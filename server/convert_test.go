package server

import (
	"math"
	"testing"

	"github.com/cio-transformer/cio-transformer/internal/jsvalue"
	"google.golang.org/protobuf/types/known/structpb"
)

// TestStructValue checks a Struct's conversion: members in key order, each
// value as its kind converts on its own, numbers printed as JavaScript
// prints them.
func TestStructValue(t *testing.T) {
	t.Parallel()
	nested := &structpb.Struct{Fields: map[string]*structpb.Value{"y": structpb.NewNumberValue(2.5), "x": structpb.NewStringValue("s")}}
	tests := []struct {
		name   string
		fields map[string]*structpb.Value
		want   string
	}{
		{"empty", nil, `{}`},
		{"numbers", map[string]*structpb.Value{
			"b": structpb.NewNumberValue(1e21), "a": structpb.NewNumberValue(-0.5), "c": structpb.NewNumberValue(0),
			"d": structpb.NewNumberValue(123456789), "e": structpb.NewNumberValue(1e-7), "f": structpb.NewNumberValue(math.NaN()),
			"g": structpb.NewNumberValue(math.Inf(1)), "h": structpb.NewNumberValue(49.99),
		}, `{"a":-0.5,"b":1e+21,"c":0,"d":123456789,"e":1e-7,"f":null,"g":null,"h":49.99}`},
		{"mixed kinds", map[string]*structpb.Value{
			"n": structpb.NewNumberValue(7), "s": structpb.NewStringValue("v"), "t": structpb.NewBoolValue(true),
			"z": structpb.NewNullValue(), "o": structpb.NewStructValue(nested), "l": structpb.NewListValue(&structpb.ListValue{
				Values: []*structpb.Value{structpb.NewNumberValue(1), structpb.NewStringValue("x")},
			}), "m": structpb.NewNumberValue(8),
		}, `{"l":[1,"x"],"m":8,"n":7,"o":{"x":"s","y":2.5},"s":"v","t":true,"z":null}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := structValue(&structpb.Struct{Fields: tt.fields})
			// As text: the order of the members is part of what is checked.
			if s := string(got.AppendJSON(nil)); s != tt.want {
				t.Errorf("structValue = %s, want %s", s, tt.want)
			}
			for _, m := range got.Members() {
				if n, ok := tt.fields[m.Key].GetKind().(*structpb.Value_NumberValue); ok {
					if want := jsvalue.Number(n.NumberValue).NumberText(); m.Value.NumberText() != want {
						t.Errorf("member %q: number text %q, want %q", m.Key, m.Value.NumberText(), want)
					}
				}
			}
		})
	}
}
