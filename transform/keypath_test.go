package transform

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cio-transformer/cio-transformer/internal/jsvalue"
)

// undefinedJSON stands for an undefined value in the tables below.
const undefinedJSON = "undefined"

func TestSetPath(t *testing.T) {
	t.Parallel()
	const traits, userProps = true, false
	tests := []struct {
		name   string
		escape bool
		init   string // the object before, JSON
		key    string
		val    string // JSON, or undefinedJSON
		want   string
	}{
		// Trait key paths: set-value paths, only the first dot escaped.
		{"trait with one dot stays flat", traits, `{}`, "dot.name", `"Arnab Pal"`, `{"dot.name":"Arnab Pal"}`},
		{"trait with two dots nests once", traits, `{}`, "a.b.c", `1`, `{"a.b":{"c":1}}`},
		{"trait with three dots", traits, `{}`, "x.y.z.w", `1`, `{"x.y":{"z":{"w":1}}}`},
		{"backslash is consumed", traits, `{}`, `back\slash`, `1`, `{"backslash":1}`},
		{"slash keeps the escaped key whole", traits, `{}`, "lvl.b/c", `1`, `{"lvl\\.b/c":1}`},
		{"numeric segment makes an array", traits, `{}`, "ab.value.1", `"value"`, `{"ab.value":[null,"value"]}`},
		{"user property index", userProps, `{}`, "r.0", `"v"`, `{"r":["v"]}`},
		{"user property with dot nests", userProps, `{}`, "p.q", `"v"`, `{"p":{"q":"v"}}`},
		{"trailing empty segment dropped", userProps, `{}`, "t.", `"v"`, `{"t":"v"}`},
		{"leading empty segment kept", userProps, `{}`, ".l", `"v"`, `{"":{"l":"v"}}`},
		{"inner empty segment kept", userProps, `{}`, "p..q", `"v"`, `{"p":{"":{"q":"v"}}}`},
		{"empty key writes nothing", userProps, `{"a":1}`, "", `"v"`, `{"a":1}`},
		{"undefined deletes", userProps, `{"a":1,"b":2}`, "a", undefinedJSON, `{"b":2}`},
		{"replaces existing value", traits, `{"a":1}`, "a", `{"x":[1]}`, `{"a":{"x":[1]}}`},
		{"null is written", traits, `{}`, "stats.leaf", `null`, `{"stats.leaf":null}`},

		// Shapes seen in the conformance corpora.
		{"corpus dot.id", traits, `{}`, "dot.id", `"x"`, `{"dot.id":"x"}`},
		{"corpus stats.list.0", traits, `{}`, "stats.list.0", `"x"`, `{"stats.list":["x"]}`},
		{"corpus stats.1.5", traits, `{}`, "stats.1.5", `"y"`, `{"stats.1":[null,null,null,null,null,"y"]}`},
		{"corpus pref.-1", traits, `{}`, "pref.-1", `true`, `{"pref.-1":true}`},
		{"corpus cfg.", traits, `{}`, "cfg.", `"enterprise"`, `{"cfg.":"enterprise"}`},
		{"corpus .w", traits, `{}`, ".w", `"free"`, `{".w":"free"}`},
		{"corpus .value", traits, `{}`, ".value", `{}`, `{".value":{}}`},
		{"corpus spaced segment", traits, `{}`, "stats. spaced .key", `"x"`, `{"stats. spaced ":{"key":"x"}}`},
		{"corpus path/to/key", traits, `{}`, "path/to/key", `{"a":false}`, `{"path/to/key":{"a":false}}`},
		{"corpus ab/x.y", traits, `{}`, "ab/x.y", `"Ελληνικό"`, `{"ab/x\\.y":"Ελληνικό"}`},
		{"corpus x/y z", traits, `{}`, "x/y z", `{"n.d":712136}`, `{"x/y z":{"n.d":712136}}`},
		{"corpus seg.value.c.v2", traits, `{}`, "seg.value.c.v2", `1.1`, `{"seg.value":{"c":{"v2":1.1}}}`},
		{"corpus cfg.leaf.leaf.deep", traits, `{}`, "cfg.leaf.leaf.deep", `42`, `{"cfg.leaf":{"leaf":{"deep":42}}}`},
		{"corpus meta.deep", traits, `{}`, "meta.deep", `0`, `{"meta.deep":0}`},
		{"corpus x.inner.value.name", traits, `{}`, "x.inner.value.name", `"x"`, `{"x.inner":{"value":{"name":"x"}}}`},
		{"corpus o.w.inner", traits, `{}`, "o.w.inner", `{}`, `{"o.w":{"inner":{}}}`},
		{"corpus user property flags.id", userProps, `{}`, "flags.id", `[]`, `{"flags":{"id":[]}}`},
		{"corpus user property q.w", userProps, `{}`, "q.w", `"注文完了"`, `{"q":{"w":"注文完了"}}`},
		{"corpus user property m.inner", userProps, `{}`, "m.inner", `"x"`, `{"m":{"inner":"x"}}`},
		{"corpus user property overwrites trait", userProps, `{"prop1":"t"}`, "prop1", `"u"`, `{"prop1":"u"}`},

		// set-value edge cases, checked against set-value 4.1.0.
		{"leading zeros are an index", userProps, `{}`, "01", `"v"`, `{"1":"v"}`},
		{"space-padded index", userProps, `{}`, " 2", `"v"`, `{"2":"v"}`},
		{"no-break-space-padded index", userProps, `{}`, "\u00a01", `"v"`, `{"1":"v"}`},
		{"blank is not an index", userProps, `{}`, " ", `"v"`, `{" ":"v"}`},
		{"full-width digit is not an index", userProps, `{}`, "１", `"v"`, `{"１":"v"}`},
		{"exponent", userProps, `{}`, "1e3", `"v"`, `{"1000":"v"}`},
		{"hex", userProps, `{}`, "0x1f", `"v"`, `{"31":"v"}`},
		{"binary", userProps, `{}`, "0b11", `"v"`, `{"3":"v"}`},
		{"octal", userProps, `{}`, "0o17", `"v"`, `{"15":"v"}`},
		{"plus sign", userProps, `{}`, "+1", `"v"`, `{"1":"v"}`},
		{"minus zero", userProps, `{}`, "-0", `"v"`, `{"0":"v"}`},
		{"negative integer", userProps, `{}`, "-1", `"v"`, `{"-1":"v"}`},
		{"Infinity is not an integer", userProps, `{}`, "Infinity", `"v"`, `{"Infinity":"v"}`},
		{"huge integer prints in exponent form", userProps, `{}`, "1e21", `"v"`, `{"1e+21":"v"}`},
		{"1.0 is two segments", userProps, `{}`, "1.0", `"v"`, `{"1":["v"]}`},
		{"1.5 is two segments", userProps, `{}`, "1.5", `"v"`, `{"1":[null,null,null,null,null,"v"]}`},
		{"0x without digits", userProps, `{}`, "a.0x", `"v"`, `{"a":{"0x":"v"}}`},
		{"numeric separator", userProps, `{}`, "a.1_0", `"v"`, `{"a":{"1_0":"v"}}`},
		{"exponent without digits", userProps, `{}`, "a.1e", `"v"`, `{"a":{"1e":"v"}}`},
		{"padded inner index", userProps, `{}`, "a. 1 ", `"v"`, `{"a":[null,"v"]}`},
		{"newline-padded index", userProps, `{}`, "a.1\n", `"v"`, `{"a":[null,"v"]}`},
		{"double zero index", userProps, `{}`, "a.00.x", `"v"`, `{"a":[{"x":"v"}]}`},
		{"nested arrays", userProps, `{}`, "a.0.5e1", `"v"`, `{"a":[[` + strings.Repeat("null,", 50) + `"v"]]}`},
		{"object inside array", userProps, `{}`, "a.0.b", `"v"`, `{"a":[{"b":"v"}]}`},
		{"non-index on array is invisible", userProps, `{"a":[1]}`, "a.b", `"v"`, `{"a":[1]}`},
		{"negative index on array is invisible", userProps, `{}`, "a.-1", `"v"`, `{"a":[]}`},
		{"1e21 on array is invisible", userProps, `{}`, "a.1e21", `"v"`, `{"a":[]}`},
		{"index past 2^32-2 is invisible", userProps, `{}`, "a.4294967295", `"v"`, `{"a":[]}`},
		{"object replaced by array", userProps, `{"a":{"x":1}}`, "a.1", `"v"`, `{"a":[null,"v"]}`},
		{"array element replaced", userProps, `{"a":[9,8]}`, "a.0", `"v"`, `{"a":["v",8]}`},
		{"array element deleted leaves a hole", userProps, `{"a":[1,2]}`, "a.0", undefinedJSON, `{"a":[null,2]}`},
		{"deleting past the end does nothing", userProps, `{"a":[1,2]}`, "a.5", undefinedJSON, `{"a":[1,2]}`},
		{"existing array extended", userProps, `{"a":{"b":[1]}}`, "a.b.1", `"v"`, `{"a":{"b":[1,"v"]}}`},
		{"null replaced by object", userProps, `{"a":null}`, "a.b", `"v"`, `{"a":{"b":"v"}}`},
		{"string replaced by object", userProps, `{"a":"str"}`, "a.b", `"v"`, `{"a":{"b":"v"}}`},
		{"number replaced by object", userProps, `{"a":{"b":1}}`, "a.b.c", `"v"`, `{"a":{"b":{"c":"v"}}}`},
		{"lone dot", userProps, `{}`, ".", `"v"`, `{"":"v"}`},
		{"two dots", userProps, `{}`, "..", `"v"`, `{"":{"":"v"}}`},
		{"trailing dots", userProps, `{}`, "a..", `"v"`, `{"a":{"":"v"}}`},
		{"escaped lone dot", traits, `{}`, ".", `"v"`, `{".":"v"}`},
		{"escaped two dots", traits, `{}`, "..", `"v"`, `{".":"v"}`},
		{"escaped doubled dot", traits, `{}`, "a..b", `"v"`, `{"a.":{"b":"v"}}`},
		{"escaped dot in user property", userProps, `{}`, `a\.b`, `"v"`, `{"a.b":"v"}`},
		{"backslash before the escaped dot", traits, `{}`, `a\.b.c`, `"v"`, `{"a\\":{"b":{"c":"v"}}}`},
		{"trailing backslash reads undefined", userProps, `{}`, `a\`, `"v"`, `{"aundefined":"v"}`},
		{"trailing backslash in last segment", userProps, `{}`, `a.b\`, `"v"`, `{"a":{"bundefined":"v"}}`},
		{"lone backslash", traits, `{}`, `\`, `"v"`, `{"undefined":"v"}`},
		{"user property with slash", userProps, `{}`, "a.b/c.d", `"v"`, `{"a.b/c.d":"v"}`},
		{"trait with slash and two dots", traits, `{}`, "a.b/c.d", `"v"`, `{"a\\.b/c.d":"v"}`},
		{"backslash kept with slash", userProps, `{}`, `a\/b`, `"v"`, `{"a\\/b":"v"}`},

		// Deviation D5: no unsafe keys.
		{"constructor is an ordinary key", traits, `{}`, "constructor", `"v"`, `{"constructor":"v"}`},
		{"__proto__ path", userProps, `{}`, "__proto__.x", `"v"`, `{"__proto__":{"x":"v"}}`},
		{"prototype segment", userProps, `{}`, "a.prototype", `"v"`, `{"a":{"prototype":"v"}}`},

		// Up to maxKeyPathIndex an index is written (D9: see
		// TestSetPathIndexLimit); deleting past it allocates nothing.
		{"index at the limit", userProps, `{}`, "a.6553", `"v"`, `{"a":[` + strings.Repeat("null,", 6553) + `"v"]}`},
		{"delete past the limit", userProps, `{}`, "a.6554", undefinedJSON, `{"a":[]}`},
		{"non-index in an array", userProps, `{}`, "a.-1", `"v"`, `{"a":[]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			obj := parseTestValue(t, tt.init)
			val := jsvalue.Undefined()
			if tt.val != undefinedJSON {
				val = parseTestValue(t, tt.val)
			}
			b := newBudget(DefaultMaxEventBytes)
			if err := setPath(obj, tt.key, val, tt.escape, &b); err != nil {
				t.Fatalf("setPath: %s", err.Message)
			}
			if diff := structuralDiff(t, tt.want, obj.AppendJSON(nil)); diff != "" {
				t.Errorf("setPath(%s, %q, %s, %v) (-want +got)\n%s", tt.init, tt.key, tt.val, tt.escape, diff)
			}
		})
	}
}

// TestSetPathSequence writes several keys into one object, as identify does
// with traits and then user_properties.
func TestSetPathSequence(t *testing.T) {
	t.Parallel()
	obj := jsvalue.NewObject(0)
	for _, kv := range []struct {
		key    string
		val    string
		escape bool
	}{
		{"dot.name", `"Arnab Pal"`, true},
		{"a.b.c", `1`, true},
		{"a.b.d", `2`, true},
		{"prop1", `"val1"`, false},
		{"a.b.e", `3`, false},
		{"list.0", `"x"`, false},
		{"list.2", `"z"`, false},
		{"list.1.k", `"y"`, false},
	} {
		b := newBudget(DefaultMaxEventBytes)
		if err := setPath(obj, kv.key, parseTestValue(t, kv.val), kv.escape, &b); err != nil {
			t.Fatalf("setPath(%q): %s", kv.key, err.Message)
		}
	}
	want := `{"dot.name":"Arnab Pal","a.b":{"c":1,"d":2},"prop1":"val1","a":{"b":{"e":3}},"list":["x",{"k":"y"},"z"]}`
	if diff := structuralDiff(t, want, obj.AppendJSON(nil)); diff != "" {
		t.Errorf("(-want +got)\n%s", diff)
	}
}

func TestSetPathNonObject(t *testing.T) {
	t.Parallel()
	for _, init := range []string{`[]`, `"s"`, `1`, `null`} {
		v := parseTestValue(t, init)
		b := newBudget(DefaultMaxEventBytes)
		if err := setPath(v, "a.b", jsvalue.String("x"), false, &b); err != nil {
			t.Errorf("setPath on %s: %s", init, err.Message)
		}
		if diff := structuralDiff(t, init, v.AppendJSON(nil)); diff != "" {
			t.Errorf("setPath on %s changed it (-want +got)\n%s", init, diff)
		}
	}
}

func parseTestValue(t testing.TB, s string) jsvalue.Value {
	t.Helper()
	v, err := jsvalue.Parse([]byte(s))
	if err != nil {
		t.Fatalf("parse %s: %v", s, err)
	}
	return v
}

// structuralDiff compares two JSON texts structurally.
func structuralDiff(t testing.TB, want string, got []byte) string {
	t.Helper()
	var w, g any
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("want %s: %v", want, err)
	}
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("got %s: %v", got, err)
	}
	return cmp.Diff(w, g)
}

func BenchmarkSetPath(b *testing.B) {
	val := jsvalue.String("v")
	for _, bc := range []struct {
		name, key string
		escape    bool
	}{
		{"plain trait", "firstName", true},
		{"dotted trait", "dot.name", true},
		{"nested user property", "a.b.c", false},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			obj := jsvalue.NewObject(4)
			budget := newBudget(DefaultMaxEventBytes)
			for b.Loop() {
				_ = setPath(obj, bc.key, val, bc.escape, &budget)
			}
		})
	}
}
