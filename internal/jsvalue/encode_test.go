package jsvalue

import (
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"testing"
)

// sameJSON reports whether two JSON texts hold the same data, comparing
// structurally (member order aside) through encoding/json.
func sameJSON(t testing.TB, a, b []byte) bool {
	t.Helper()
	var x, y any
	if err := json.Unmarshal(a, &x); err != nil {
		t.Fatalf("invalid JSON %q: %v", a, err)
	}
	if err := json.Unmarshal(b, &y); err != nil {
		t.Fatalf("invalid JSON %q: %v", b, err)
	}
	return reflect.DeepEqual(x, y)
}

func TestAppendJSON(t *testing.T) {
	t.Parallel()
	holey := NewArray()
	holey.SetIndex(2, Int(3))
	withUndefined := obj("a", Int(1), "u", Undefined(), "b", NewArray(Undefined(), Null()))
	tests := []struct {
		name string
		in   Value
		want string
	}{
		{"top-level undefined is null", Undefined(), `null`},
		{"null", Null(), `null`},
		{"booleans", NewArray(Bool(true), Bool(false)), `[true,false]`},
		{"numbers", NewArray(Int(-5), Number(0.5), Number(1e21), RawNumber("1.0")), `[-5,0.5,1e+21,1.0]`},
		{"non-finite numbers are null", NewArray(Number(math.NaN()), Number(math.Inf(1)), Number(math.Inf(-1))), `[null,null,null]`},
		{"negative zero", Number(math.Copysign(0, -1)), `0`},
		{"undefined members are omitted", withUndefined, `{"a":1,"b":[null,null]}`},
		{"only undefined members", obj("u", Undefined()), `{}`},
		{"holes are null", holey, `[null,null,3]`},
		{"empty containers", obj("o", NewObject(0), "a", NewArray()), `{"o":{},"a":[]}`},
		{"member order kept", obj("z", Int(1), "a", Int(2), "m", Int(3)), `{"z":1,"a":2,"m":3}`},
		{"string escapes", String("\"\\/\b\f\n\r\t"), `"\"\\/\b\f\n\r\t"`},
		{"control characters", String("\x00\x01\x1f\x7f"), `"\u0000\u0001\u001f` + "\x7f" + `"`},
		{"non-ASCII raw", String("é世😀\u2028\u2029"), "\"é世😀\u2028\u2029\""},
		{"invalid UTF-8 replaced", String("a\xffb\xed\x9f"), "\"a\uFFFDb\uFFFD\uFFFD\""},
		{"lone surrogates escaped in lowercase", String("a\xed\xa0\xbdb\xed\xbf\xbf"), `"a\ud83db\udfff"`},
		{"lone surrogate in a key", obj("\xed\xb0\x80", Int(1)), `{"\udc00":1}`},
		{"HTML not escaped", String("<a href='x'>&</a>"), `"<a href='x'>&</a>"`},
		{"keys escaped", obj("a\"b\n", Int(1)), `{"a\"b\n":1}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := tt.in.AppendJSON([]byte("prefix"))
			if string(got) != "prefix"+tt.want {
				t.Errorf("AppendJSON = %s, want %s", got, tt.want)
			}
			m, err := tt.in.MarshalJSON()
			if err != nil || string(m) != tt.want {
				t.Errorf("MarshalJSON = %s, %v; want %s", m, err, tt.want)
			}
			if !json.Valid(m) {
				t.Errorf("MarshalJSON output %q is not valid JSON", m)
			}
		})
	}
}

func TestAppendJSONRoundTrip(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
	}{
		{"event", benchEvent},
		{"scalars", `[null,true,false,0,-1,1.5,"",{}]`},
		{"escapes", `{"a\\b":"\u0001\n\"\u00e9\ud83d\ude00","\u2028":"\/"}`},
		{"numbers", `[1e21,1E-7,0.000001,123e-20,-0,1.0,12345678901234567890]`},
		{"nested", `{"a":[{"b":[[],{}]},{"c":{"d":[1,[2,[3]]]}}]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			v := mustParse(t, tt.in)
			out := v.AppendJSON(nil)
			if !sameJSON(t, []byte(tt.in), out) {
				t.Errorf("round trip of %s gave %s", tt.in, out)
			}
			if again := mustParse(t, string(out)); !equal(v, again) {
				t.Errorf("re-parse of %s differs", out)
			}
		})
	}
}

func TestAppendJSONCycle(t *testing.T) {
	t.Parallel()
	o := NewObject(2)
	o.Set("a", Int(1))
	o.Set("self", o)
	a := NewArray(Int(1))
	a.Append(a)
	a.Append(o)
	shared := NewObject(1)
	shared.Set("x", Int(1))
	tests := []struct {
		name  string
		in    Value
		want  string
		cycle bool
	}{
		{"object containing itself", o, `{"a":1,"self":null}`, true},
		{"array containing itself", a, `[1,null,{"a":1,"self":null}]`, true},
		{"shared but acyclic", NewArray(shared, shared, obj("s", shared)), `[{"x":1},{"x":1},{"s":{"x":1}}]`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := tt.in.AppendJSON(nil); string(got) != tt.want {
				t.Errorf("AppendJSON = %s, want %s", got, tt.want)
			}
			_, err := tt.in.MarshalJSON()
			if tt.cycle != errors.Is(err, ErrCycle) {
				t.Errorf("MarshalJSON error = %v, want cycle %v", err, tt.cycle)
			}
		})
	}
}

func TestAppendJSONDeepCycle(t *testing.T) {
	t.Parallel()
	// A cycle far below the root, past the linear part of the path set, and
	// branching, so that only early detection keeps the output small.
	root := NewObject(1)
	cur := root
	for range 100 {
		next := NewObject(2)
		cur.Set("n", next)
		cur = next
	}
	cur.Set("l", root)
	cur.Set("r", cur)
	out, err := root.MarshalJSON()
	if !errors.Is(err, ErrCycle) {
		t.Fatalf("MarshalJSON error = %v, want ErrCycle", err)
	}
	if !json.Valid(root.AppendJSON(nil)) || out != nil {
		t.Errorf("unexpected output %q", out)
	}
	// After a cycle the path set must be back in step: siblings still encode.
	pair := NewArray(root, Int(7))
	got := pair.AppendJSON(nil)
	if len(got) < 3 || string(got[len(got)-3:]) != ",7]" {
		t.Errorf("sibling after cycle lost: %s", got[len(got)-10:])
	}
}

func TestAppendJSONString(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"empty", "", `""`},
		{"plain", "abc", `"abc"`},
		{"quote and backslash", `a"b\c`, `"a\"b\\c"`},
		{"all short escapes", "\b\f\n\r\t", `"\b\f\n\r\t"`},
		{"other controls", "\x00\x0b\x1b", `"\u0000\u000b\u001b"`},
		{"slash not escaped", "a/b", `"a/b"`},
		{"non-ASCII", "日本", `"日本"`},
		{"invalid UTF-8", "\xc3", "\"\uFFFD\""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := AppendJSONString(nil, tt.in); string(got) != tt.want {
				t.Errorf("AppendJSONString(%q) = %s, want %s", tt.in, got, tt.want)
			}
		})
	}
}
