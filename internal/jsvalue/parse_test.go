package jsvalue

import (
	"bytes"
	"errors"
	"strconv"
	"strings"
	"testing"
	"unsafe"
)

// equal reports whether a and b are the same JSON value, member order
// included. Numbers compare by text, which Parse keeps canonical.
func equal(a, b Value) bool {
	if a.kind != b.kind {
		return false
	}
	switch a.kind {
	case KindBool:
		return a.b == b.b
	case KindNumber, KindString:
		return a.s == b.s
	case KindArray:
		if len(a.Elems()) != len(b.Elems()) {
			return false
		}
		for i := range a.Elems() {
			if !equal(a.Elems()[i], b.Elems()[i]) {
				return false
			}
		}
	case KindObject:
		if len(a.Members()) != len(b.Members()) {
			return false
		}
		for i, m := range a.Members() {
			n := b.Members()[i]
			if m.Key != n.Key || !equal(m.Value, n.Value) {
				return false
			}
		}
	}
	return true
}

// obj builds an object from alternating keys and values.
func obj(kv ...any) Value {
	o := NewObject(len(kv) / 2)
	for i := 0; i < len(kv); i += 2 {
		o.c.members = append(o.c.members, Member{Key: kv[i].(string), Value: kv[i+1].(Value)})
	}
	return o
}

func mustParse(t testing.TB, s string) Value {
	t.Helper()
	v, err := Parse([]byte(s))
	if err != nil {
		t.Fatalf("Parse(%q): %v", s, err)
	}
	return v
}

func TestParse(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want Value
	}{
		{"null", "null", Null()},
		{"true", " true ", Bool(true)},
		{"false", "\t\r\nfalse\n", Bool(false)},
		{"empty string", `""`, String("")},
		{"string", `"hello"`, String("hello")},
		{"empty object", `{}`, NewObject(0)},
		{"empty array", `[ ]`, NewArray()},
		{"object", `{"a":1,"b":"x","c":null,"d":[true,false]}`, obj(
			"a", RawNumber("1"), "b", String("x"), "c", Null(), "d", NewArray(Bool(true), Bool(false)))},
		{"whitespace everywhere", " { \"a\" : [ 1 , 2 ] , \"b\" : { } } ", obj(
			"a", NewArray(RawNumber("1"), RawNumber("2")), "b", NewObject(0))},
		{"nested", `[[[]],{"a":{"b":{}}}]`, NewArray(NewArray(NewArray()), obj("a", obj("b", NewObject(0))))},
		{"duplicate key keeps first position and last value", `{"a":1,"b":2,"a":3}`, obj(
			"a", RawNumber("3"), "b", RawNumber("2"))},
		{"duplicate key in nested object", `{"x":{"k":1,"k":{"z":2}},"k":0}`, obj(
			"x", obj("k", obj("z", RawNumber("2"))), "k", RawNumber("0"))},
		{"same key at two levels is not a duplicate", `{"a":{"a":1},"b":2}`, obj(
			"a", obj("a", RawNumber("1")), "b", RawNumber("2"))},
		{"empty key", `{"":1}`, obj("", RawNumber("1"))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := mustParse(t, tt.in)
			if !equal(got, tt.want) {
				t.Errorf("Parse(%q) = %s, want %s", tt.in, got.AppendJSON(nil), tt.want.AppendJSON(nil))
			}
		})
	}
}

func TestParseNumbers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want string
	}{
		{"0", "0"},
		{"-0", "0"},
		{"-0.0", "0"},
		{"123", "123"},
		{"-123", "-123"},
		{"123456789012345", "123456789012345"},
		{"1234567890123456", "1234567890123456"},
		{"12345678901234567890", "12345678901234567000"},
		{"1.0", "1"},
		{"1.50", "1.5"},
		{"49.99", "49.99"},
		{"1e2", "100"},
		{"1E+2", "100"},
		{"1e21", "1e+21"},
		{"1e-7", "1e-7"},
		{"0.000001", "0.000001"},
		{"123e-20", "1.23e-18"},
		{"0.1", "0.1"},
		{"1.7976931348623157e308", "1.7976931348623157e+308"},
		{"5e-324", "5e-324"},
		{"1e-400", "0"},
		{"-1e-400", "0"},
		{"1e400", "Infinity"},
		{"-1e400", "-Infinity"},
		{"1" + strings.Repeat("0", 400), "Infinity"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			got := mustParse(t, tt.in)
			if !got.IsNumber() || got.NumberText() != tt.want {
				t.Errorf("Parse(%q) = %v %q, want number %q", tt.in, got.Kind(), got.NumberText(), tt.want)
			}
		})
	}
}

func TestParseStrings(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"simple escapes", `"\"\\\/\b\f\n\r\t"`, "\"\\/\b\f\n\r\t"},
		{"unicode escape", `"\u00e9\u00E9"`, "éé"},
		{"escape of NUL", `"a\u0000b"`, "a\x00b"},
		{"surrogate pair", `"\ud83d\ude00"`, "😀"},
		{"surrogate pair uppercase hex", `"\uD83D\uDE00!"`, "😀!"},
		{"lone high surrogate", `"a\ud800b"`, "a\xed\xa0\x80b"},
		{"lone high surrogate at end", `"\ud800"`, "\xed\xa0\x80"},
		{"lone high surrogate uppercase hex", `"a\uD83D"`, "a\xed\xa0\xbd"},
		{"lone low surrogate", `"\udc00"`, "\xed\xb0\x80"},
		{"low then high is two lone surrogates", `"\ude00\ud83d"`, "\xed\xb8\x80\xed\xa0\xbd"},
		{"high surrogate then non-surrogate escape", `"\ud800\u0041"`, "\xed\xa0\x80A"},
		{"two high surrogates then low", `"\ud800\ud83d\ude00"`, "\xed\xa0\x80😀"},
		{"raw non-ASCII", `"héllo 世界 😀"`, "héllo 世界 😀"},
		{"raw U+2028", "\"a\u2028b\"", "a\u2028b"},
		{"DEL is allowed", "\"\x7f\"", "\x7f"},
		{"invalid byte", "\"a\xffb\"", "a\uFFFDb"},
		{"truncated sequence", "\"a\xe4\xb8\"", "a\uFFFD\uFFFD"},
		{"encoded surrogate", "\"\xed\xa0\x80\"", "\uFFFD\uFFFD\uFFFD"},
		{"invalid byte after escape", "\"\\n\xff\"", "\n\uFFFD"},
		{"overlong encoding", "\"\xc0\xaf\"", "\uFFFD\uFFFD"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := mustParse(t, tt.in)
			if got.Str() != tt.want {
				t.Errorf("Parse(%q) = %q, want %q", tt.in, got.Str(), tt.want)
			}
			key := mustParse(t, "{"+tt.in+":1}").Members()[0].Key
			if key != tt.want {
				t.Errorf("key %q = %q, want %q", tt.in, key, tt.want)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		in     string
		offset int
	}{
		{"empty", "", 0},
		{"only whitespace", "  \n", 3},
		{"truncated object", `{"a":1`, 6},
		{"truncated after comma", `[1,`, 3},
		{"truncated key", `{"ab`, 4},
		{"truncated string", `"abc`, 4},
		{"truncated escape", `"ab\`, 4},
		{"truncated unicode escape", `"\u12`, 5},
		{"truncated literal", `tru`, 3},
		{"truncated number", `-`, 1},
		{"truncated exponent", `1e`, 2},
		{"wrong literal", `nul1`, 3},
		{"capitalised literal", `True`, 0},
		{"trailing data", `{} x`, 3},
		{"two values", `1 2`, 2},
		{"trailing comma in array", `[1,]`, 3},
		{"trailing comma in object", `{"a":1,}`, 7},
		{"missing colon", `{"a" 1}`, 5},
		{"missing comma", `[1 2]`, 3},
		{"unquoted key", `{a:1}`, 1},
		{"single quotes", `'a'`, 0},
		{"leading zero", `01`, 1},
		{"leading plus", `+1`, 0},
		{"bare dot", `.5`, 0},
		{"dot without digits", `1.`, 2},
		{"dot before exponent", `1.e5`, 2},
		{"hex number", `0x10`, 1},
		{"NaN", `NaN`, 0},
		{"Infinity", `Infinity`, 0},
		{"control character in string", "\"a\nb\"", 2},
		{"tab in string", "\"a\tb\"", 2},
		{"invalid escape", `"\x41"`, 1},
		{"invalid unicode escape", `"\u12G4"`, 5},
		{"invalid escape after high surrogate", `"\ud800\u12G4"`, 11},
		{"close bracket mismatch", `[1}`, 2},
		{"close brace mismatch", `{"a":1]`, 6},
		{"byte order mark", "\xef\xbb\xbf{}", 0},
		{"comment", `{} // no`, 3},
		{"vertical tab is not whitespace", "\v1", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			v, err := Parse([]byte(tt.in))
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Parse(%q) = %s, %v; want a *SyntaxError", tt.in, v.AppendJSON(nil), err)
			}
			if se.Offset != tt.offset {
				t.Errorf("Parse(%q) offset = %d (%v), want %d", tt.in, se.Offset, err, tt.offset)
			}
			if !v.IsUndefined() {
				t.Errorf("Parse(%q) value = %v, want undefined", tt.in, v.Kind())
			}
			if !strings.HasPrefix(err.Error(), "jsvalue: ") || !strings.HasSuffix(err.Error(), " at offset "+strconv.Itoa(tt.offset)) {
				t.Errorf("Parse(%q) error %q has an unexpected form", tt.in, err)
			}
		})
	}
}

func TestParseErrorDoesNotEchoInput(t *testing.T) {
	t.Parallel()
	const secret = "s3cr3t-api-key"
	for _, in := range []string{`{"` + secret + `"`, secret, `[` + secret + `]`, `{"a":"` + secret} {
		_, err := Parse([]byte(in))
		if err == nil || strings.Contains(err.Error(), secret) || strings.Contains(err.Error(), "s3") {
			t.Errorf("Parse(%q) error %v", in, err)
		}
	}
}

func TestParseDepth(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		depth int
		open  string
		close string
		ok    bool
	}{
		{"arrays at the limit", MaxDepth, "[", "]", true},
		{"arrays past the limit", MaxDepth + 1, "[", "]", false},
		{"objects at the limit", MaxDepth, `{"a":`, "}", true},
		{"objects past the limit", MaxDepth + 1, `{"a":`, "}", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := strings.Repeat(tt.open, tt.depth) + "1" + strings.Repeat(tt.close, tt.depth)
			v, err := Parse([]byte(in))
			if (err == nil) != tt.ok {
				t.Fatalf("Parse depth %d: err = %v, want ok %v", tt.depth, err, tt.ok)
			}
			if !tt.ok {
				return
			}
			// Encoding the deepest document must work and give it back.
			out := v.AppendJSON(nil)
			if string(out) != in {
				t.Errorf("AppendJSON of depth %d changed the document", tt.depth)
			}
			if _, err := Parse(out); err != nil {
				t.Errorf("re-parse: %v", err)
			}
			if v.JSString() == "" {
				t.Errorf("JSString of depth %d is empty", tt.depth)
			}
		})
	}
}

// TestParseVeryDeepFailsFast checks that Parse gives up at the depth limit
// rather than after reading the whole input (or overflowing the stack).
func TestParseVeryDeepFailsFast(t *testing.T) {
	t.Parallel()
	tests := []struct {
		open   string
		offset int // of the opener one level past MaxDepth
	}{
		{"[", MaxDepth},
		{`{"a":`, MaxDepth * 5},
		{`[{"a":`, MaxDepth / 2 * 6},
	}
	for _, tt := range tests {
		in := []byte(strings.Repeat(tt.open, 100000))
		_, err := Parse(in)
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Fatalf("Parse of 100000 %q = %v, want a *SyntaxError", tt.open, err)
		}
		if se.Offset != tt.offset {
			t.Errorf("Parse of 100000 %q failed at offset %d, want %d: %v", tt.open, se.Offset, tt.offset, err)
		}
	}
}

// BenchmarkParseWideObject parses an object of 50,000 keys next to an array
// of the same strings: duplicate-key detection must keep the object's cost
// linear, close to the array's (compare the two sub-benchmarks).
func BenchmarkParseWideObject(b *testing.B) {
	const n = 50000
	var o, a strings.Builder
	o.WriteString("{")
	a.WriteString("[")
	for i := range n {
		if i > 0 {
			o.WriteString(",")
			a.WriteString(",")
		}
		o.WriteString(`"k` + strconv.Itoa(i) + `":1`)
		a.WriteString(`"k` + strconv.Itoa(i) + `",1`)
	}
	o.WriteString("}")
	a.WriteString("]")
	for _, tt := range []struct{ name, doc string }{{"object", o.String()}, {"array", a.String()}} {
		b.Run(tt.name, func(b *testing.B) {
			data := []byte(tt.doc)
			b.ReportAllocs()
			for b.Loop() {
				v, err := Parse(data)
				if err != nil {
					b.Fatal(err)
				}
				_ = v.Len()
			}
		})
	}
}

func TestParseDoesNotAliasInput(t *testing.T) {
	t.Parallel()
	data := []byte(`{"name":"abc","list":["xyz"]}`)
	v := mustParse(t, string(data))
	v2, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	for i := range data {
		data[i] = 'Z'
	}
	if !equal(v, v2) {
		t.Errorf("value changed with its input: %s", v2.AppendJSON(nil))
	}
}

// TestParseNoCopy checks that ParseNoCopy reads what Parse reads, lazily
// and read whole, from data itself: a document a shape covers, one with
// too much text for a shape, and one with too many containers.
func TestParseNoCopy(t *testing.T) {
	t.Parallel()
	many := "[" + strings.Repeat(`{"a":[1]},`, maxShapeRoom) + `{}]`
	for _, s := range []string{benchEvent, manyKeys(40), `{"s":"` + strings.Repeat("x", maxShapeClass) + `"}`, many, `"x"`, `{}`} {
		data := []byte(s)
		v, err := ParseNoCopy(data)
		if err != nil {
			t.Fatalf("ParseNoCopy(%.40q): %v", s, err)
		}
		if v.c != nil && unsafe.StringData(v.c.doc.src) != unsafe.SliceData(data) {
			t.Errorf("ParseNoCopy(%.40q) reads a copy of its data", s)
		}
		want := mustParse(t, s)
		if !equal(v, want) {
			t.Errorf("ParseNoCopy(%.40q) = %.80s, Parse reads %.80s", s, v.AppendJSON(nil), want.AppendJSON(nil))
		}
		checkLookup(t, s, v, want)
		if got := v.AppendJSON(nil); !bytes.Equal(got, want.AppendJSON(nil)) {
			t.Errorf("ParseNoCopy(%.40q) encodes %.80s", s, got)
		}
	}
	if _, err := ParseNoCopy([]byte(`{"a":}`)); err == nil {
		t.Error("ParseNoCopy accepts invalid JSON")
	}
}

func TestParsedContainersGrowIndependently(t *testing.T) {
	t.Parallel()
	v := mustParse(t, `{"a":{"x":1},"b":{"y":2},"c":[1],"d":[2]}`)
	v.Get("a").Set("z", Int(9))
	v.Get("c").Append(Int(9))
	want := mustParse(t, `{"a":{"x":1,"z":9},"b":{"y":2},"c":[1,9],"d":[2]}`)
	if !equal(v, want) {
		t.Errorf("after Set and Append: %s", v.AppendJSON(nil))
	}
}

func TestUnmarshalJSON(t *testing.T) {
	t.Parallel()
	var v Value
	if err := v.UnmarshalJSON([]byte(`{"a":[1]}`)); err != nil {
		t.Fatal(err)
	}
	if v.Path("a", "0").NumberText() != "1" {
		t.Errorf("got %s", v.AppendJSON(nil))
	}
	if err := v.UnmarshalJSON([]byte(`{`)); err == nil {
		t.Error("UnmarshalJSON of bad input succeeded")
	}
}

// TestTokenBounds checks tokenBounds on documents of dense tokens, where
// the bounds are reached, and a large one Parse sizes its index from.
func TestTokenBounds(t *testing.T) {
	for _, doc := range []string{
		`[]`, `{}`, `[{},{},{}]`, `[1,2,3]`, `{"a":{"b":[1,{}]},"c":""}`, `"a,b:{["`, `0`,
		"[" + strings.Repeat("{},", countedDocument) + "{}]",
	} {
		checkTokenBounds(t, []byte(doc))
		if _, err := Parse([]byte(doc)); err != nil {
			t.Fatalf("%.40q: %v", doc, err)
		}
	}
}
