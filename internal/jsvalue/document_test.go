package jsvalue

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unsafe"
)

// unreadCount counts the containers of v that are still only their text,
// without reading any.
func unreadCount(v Value) int {
	switch v.kind {
	case KindObject:
		if v.c.unread() {
			return 1
		}
		n := 0
		for _, m := range v.c.members {
			n += unreadCount(m.Value)
		}
		return n
	case KindArray:
		if v.c.unread() {
			return 1
		}
		n := 0
		for _, e := range v.c.elems {
			n += unreadCount(e)
		}
		return n
	}
	return 0
}

func TestLazyVerbatim(t *testing.T) {
	t.Parallel()
	// Text that is exactly what AppendJSON writes stays unread and is
	// copied as it is.
	for _, in := range []string{
		`{}`, `[]`, `{"a":1}`, `[1,"x",null,true,false]`,
		`{"a":{"b":[1,2,{"c":"d"}]},"e":[],"f":{}}`,
		`{"s":"esc \" \\ \b \f \n \r \t \u0000 \u001f end","n":-1.5e-7,"m":1e+21,"u":"é世😀` + "\u2028" + `"}`,
		`{"big":12345678901234567000,"small":0.000001,"neg":-0.5}`,
		`[{"k":1},{"k":2}]`,
	} {
		v := mustParse(t, in)
		if unreadCount(v) != 1 {
			t.Errorf("Parse(%s) built its top-level value", in)
		}
		if got := string(v.AppendJSON(nil)); got != in {
			t.Errorf("AppendJSON(Parse(%s)) = %s", in, got)
		}
	}
}

func TestLazyRewrites(t *testing.T) {
	t.Parallel()
	// Text AppendJSON would write differently is rewritten, as the parser
	// always did; containers inside it whose text is exact stay unread.
	tests := []struct {
		name, in, want string
	}{
		{"duplicate key", `{"a":1,"b":{"x":[1]},"a":2}`, `{"a":2,"b":{"x":[1]}}`},
		{"nested duplicate", `{"o":{"k":1,"k":2},"p":{"q":1}}`, `{"o":{"k":2},"p":{"q":1}}`},
		{"number not as JavaScript prints it", `{"a":1.0,"b":[1E5],"c":-0,"d":1e400,"e":{"f":2}}`, `{"a":1,"b":[100000],"c":0,"d":null,"e":{"f":2}}`},
		{"escaped slash", `["a\/b",{"c":1}]`, `["a/b",{"c":1}]`},
		{"unicode escape", `{"\u0061":"\u00e9","b":[1]}`, `{"a":"é","b":[1]}`},
		{"uppercase control escape", `["\u001F"]`, `["\u001f"]`},
		{"short escape written long", `["\u000a"]`, `["\n"]`},
		{"lone surrogate", `{"s":"\ud800x"}`, `{"s":"\ud800x"}`},
		{"lone surrogate uppercase", `{"s":["\uDBFF"]}`, `{"s":["\udbff"]}`},
		{"invalid UTF-8", "[\"a\xffb\"]", "[\"a\uFFFDb\"]"},
		{"duplicate key of escaped spelling", `{"a":1,"\u0061":2}`, `{"a":2}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			v := mustParse(t, tt.in)
			if got := string(v.AppendJSON(nil)); got != tt.want {
				t.Errorf("AppendJSON(Parse(%s)) = %s, want %s", tt.in, got, tt.want)
			}
			if msg := sameAsStd(v, decodeStd(t, tt.in)); msg != "" {
				t.Errorf("Parse(%s) reads differently from encoding/json: %s", tt.in, msg)
			}
		})
	}
}

func TestLazyWhitespace(t *testing.T) {
	t.Parallel()
	in := " {\n  \"a\" : [ 1 , { \"b\" : \"x y\" } ] ,\n\t\"c\":{ } ,\"d\" : \"\\\" \"\r\n} "
	v := mustParse(t, in)
	if unreadCount(v) != 1 {
		t.Errorf("whitespace made Parse build the document")
	}
	const want = `{"a":[1,{"b":"x y"}],"c":{},"d":"\" "}`
	if got := string(v.AppendJSON(nil)); got != want {
		t.Errorf("AppendJSON = %s, want %s", got, want)
	}
	if got := v.Get("a").Get("1").Get("b").Str(); got != "x y" {
		t.Errorf(`a[1].b = %q`, got)
	}
	if got := string(v.Get("a").AppendJSON(nil)); got != `[1,{"b":"x y"}]` {
		t.Errorf("AppendJSON(a) = %s", got)
	}
	n := 0
	for k, val := range v.All() {
		n++
		if k == "d" && val.Str() != `" ` {
			t.Errorf("d = %q", val.Str())
		}
	}
	if n != 3 || v.Len() != 3 || len(v.Members()) != 3 {
		t.Errorf("members: All %d, Len %d, Members %d", n, v.Len(), len(v.Members()))
	}
}

func TestLazyAccessors(t *testing.T) {
	t.Parallel()
	const in = `{"type":"track","n":7,"f":false,"z":null,"s":"a\nb","o":{"k":[1,{"x":"y"}]},"a":["p",[2],{"q":3}]}`
	v := mustParse(t, in)
	if v.Len() != 7 || v.Get("a").Len() != 3 || v.Get("o").Len() != 1 {
		t.Errorf("Len: %d %d %d", v.Len(), v.Get("a").Len(), v.Get("o").Len())
	}
	checks := []struct {
		got  Value
		want string
	}{
		{v.Get("type"), `"track"`},
		{v.Get("n"), `7`},
		{v.Get("f"), `false`},
		{v.Get("z"), `null`},
		{v.Get("s"), `"a\nb"`},
		{v.Get("missing"), `null`},
		{v.Path("o", "k", "1", "x"), `"y"`},
		{v.Path("a", "0"), `"p"`},
		{v.Path("a", "1"), `[2]`},
		{v.Path("a", "2", "q"), `3`},
		{v.Path("a", "3"), `null`},
		{v.Path("a", "01"), `null`},
	}
	for i, c := range checks {
		if got := string(c.got.AppendJSON(nil)); got != c.want {
			t.Errorf("check %d = %s, want %s", i, got, c.want)
		}
	}
	if !v.Get("missing").IsUndefined() || !v.Path("a", "9").IsUndefined() {
		t.Error("a missing member is not undefined")
	}
	if got := v.Get("a").JSString(); got != "p,2,[object Object]" {
		t.Errorf("JSString(a) = %q", got)
	}
	var keys []string
	for k := range v.All() {
		keys = append(keys, k)
	}
	if strings.Join(keys, ",") != "type,n,f,z,s,o,a" {
		t.Errorf("All keys = %v", keys)
	}
	if got := string(v.AppendJSON(nil)); got != in {
		t.Errorf("AppendJSON after reads = %s", got)
	}
}

// TestLazyIdentity checks that a nested container is one storage however
// it is reached, and that a change to it shows in every container around
// it, read or not.
func TestLazyIdentity(t *testing.T) {
	t.Parallel()
	v := mustParse(t, `{"a":{"b":{"c":1}},"d":[{"e":2}]}`)
	b1 := v.Get("a").Get("b")
	var b2 Value
	for k, val := range v.Get("a").All() {
		if k == "b" {
			b2 = val
		}
	}
	b3 := v.Members()[0].Value.Members()[0].Value
	if !b1.Same(b2) || !b1.Same(b3) {
		t.Fatal("one nested object has several storages")
	}
	b1.Set("new", String("x"))
	v.Path("d", "0").Set("e", Int(9))
	const want = `{"a":{"b":{"c":1,"new":"x"}},"d":[{"e":9}]}`
	if got := string(v.AppendJSON(nil)); got != want {
		t.Errorf("after changes, AppendJSON = %s, want %s", got, want)
	}
	if got := string(v.Get("d").AppendJSON(nil)); got != `[{"e":9}]` {
		t.Errorf("after changes, AppendJSON(d) = %s", got)
	}

	// A change through a container reached from an unread parent.
	w := mustParse(t, `{"x":{"y":[1]}}`)
	w.Get("x").Get("y").Append(Int(2))
	if got := string(w.AppendJSON(nil)); got != `{"x":{"y":[1,2]}}` {
		t.Errorf("after Append, AppendJSON = %s", got)
	}
	c := w.Get("x").ShallowCopy()
	c.Set("z", Null())
	if got := string(w.AppendJSON(nil)); got != `{"x":{"y":[1,2]}}` {
		t.Errorf("a copy's change shows in the original: %s", got)
	}
}

// TestParseErrorMessages checks what Parse says of each kind of bad input:
// what is wrong and the offset of the byte where it was found.
func TestParseErrorMessages(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ in, want string }{
		{`{"a":1`, "unexpected end of JSON input at offset 6"},
		{`{"a":1,}`, "expected string for object key at offset 7"},
		{`[1,]`, "invalid character looking for beginning of value at offset 3"},
		{`{"a" 1}`, "expected ':' after object key at offset 5"},
		{`{"a":01}`, "expected ',' or '}' after object member at offset 6"},
		{`{"a":1.}`, "invalid number: expected digit after '.' at offset 7"},
		{`{"a":"\x"}`, "invalid escape in string at offset 6"},
		{`{"a":"\u12G4"}`, `invalid \u escape in string at offset 10`},
		{"{\"a\":\"\x01\"}", "invalid control character in string at offset 6"},
		{`{"a":tru}`, "invalid literal at offset 8"},
		{`{"a":[1}`, "expected ',' or ']' after array element at offset 7"},
		{`{"a":1]`, "expected ',' or '}' after object member at offset 6"},
		{`{} x`, "unexpected data after top-level value at offset 3"},
		{`{"a":"\ud800\u12G4"}`, `invalid \u escape in string at offset 16`},
		{`[1 2]`, "expected ',' or ']' after array element at offset 3"},
		{`{a:1}`, "expected string for object key at offset 1"},
		{`{"a":-}`, "invalid number at offset 6"},
		{`{"a":1e}`, "invalid number: expected digit in exponent at offset 7"},
		{`[` + strings.Repeat("[", MaxDepth) + `]`, "nesting too deep at offset 10000"},
	} {
		_, err := Parse([]byte(tt.in))
		var se *SyntaxError
		if !errors.As(err, &se) || err.Error() != "jsvalue: "+tt.want {
			t.Errorf("Parse(%q) = %v, want jsvalue: %s", tt.in, err, tt.want)
		}
	}
}

func TestLazyRewrittenKeepsUnreadParts(t *testing.T) {
	t.Parallel()
	v := mustParse(t, `{"dup":1,"dup":2,"clean":{"a":[1,2]},"list":[{"b":1}]}`)
	if v.c.verbatim() {
		t.Fatal("an object with a duplicate key would be copied as its text")
	}
	if v.Len() != 3 {
		t.Errorf("Len = %d, want 3", v.Len())
	}
	if n := unreadCount(v); n != 2 {
		t.Errorf("%d containers unread, want 2", n)
	}
	if got := string(v.AppendJSON(nil)); got != `{"dup":2,"clean":{"a":[1,2]},"list":[{"b":1}]}` {
		t.Errorf("AppendJSON = %s", got)
	}
}

func FuzzLazy(f *testing.F) {
	for _, s := range []string{
		benchEvent,
		`{"a":{"b":[1,{"c":"d"}]},"a":2}`, `[{"k":1.0},{"k":"\/"}]`, `{"x":[1E2,{"y":"\u00e9"}]}`,
		" { \"a\" : [ 1 , 2 ] } ", `{"":{"":[]}}`, `[[[[]]]]`, `{"a":"\ud83d\ude00"}`,
		`{"n":[0,-0,1e21,1e+21,0.1,1e-7,123456789012345678]}`, manyKeys(40),
	} {
		f.Add([]byte(s), uint8(0))
	}
	f.Fuzz(func(t *testing.T, data []byte, touch uint8) {
		v, err := Parse(data)
		if valid := json.Valid(data); (err == nil) != valid {
			t.Fatalf("Parse error %v, but json.Valid = %v", err, valid)
		}
		if err != nil {
			return
		}
		if msg := eachMatchesValue(v); msg != "" {
			t.Fatalf("each differs from str and value: %s", msg)
		}
		if msg := nodesWithinText(v); msg != "" {
			t.Fatalf("the index places a token outside the text: %s", msg)
		}
		if read, err := Parse(data); err == nil {
			checkLookup(t, string(data), v, read)
		}
		want := v.AppendJSON(nil)
		// Reading some containers, in some order, changes nothing: the
		// value still reads as encoding/json reads the data, and encodes
		// as it did unread.
		readSome(v, touch)
		if msg := sameAsStd(v, decodeStd(t, string(data))); msg != "" {
			t.Fatalf("after reads, Parse differs from encoding/json: %s", msg)
		}
		if got := v.AppendJSON(nil); string(got) != string(want) {
			t.Fatalf("after reads, Parse encodes %q, unread %q", got, want)
		}
	})
}

// TestNodesWithinText checks what span and byteAt rely on to cut text
// without bounds checks: every token the index records lies within the
// document's text, starts at or before its end, and a string's text,
// quotes left out, starts and ends within it too.
func TestNodesWithinText(t *testing.T) {
	t.Parallel()
	for _, s := range []string{
		benchEvent,
		`""`, `0`, `-1.5e3`, `true`, `null`, `{}`, `[]`, `{"":""}`, `[""]`,
		`{"a":{},"b":[],"c":"","d":0,"e":false}`,
		`{"\u0061":"\u0062","b\n":"x\"y","\ud800":"\udc00z"}`,
		` { "a" : [ 1 , "" , { } ] , "" : "" } `,
		`[[[[""]]],{"x":[{"y":{}}]}]`,
		manyKeys(40),
	} {
		v, err := Parse([]byte(s))
		if err != nil {
			t.Fatalf("Parse(%q): %v", s, err)
		}
		if msg := nodesWithinText(v); msg != "" {
			t.Errorf("%q: %s", s, msg)
		}
	}
}

// nodesWithinText checks every token of the document of a parsed v (see
// TestNodesWithinText), and returns what is wrong first, or "".
func nodesWithinText(v Value) string {
	if v.c == nil || v.c.doc == nil {
		// A scalar document keeps no doc: Parse read its one token with
		// bounds checks.
		return ""
	}
	d := v.c.doc
	scalar := func(j uint32, isKey bool) string {
		nd := d.nodes[j]
		if nd.start >= nd.endOf() || int(nd.endOf()) > len(d.src) {
			return fmt.Sprintf("node %d at [%d, %d) in %d bytes", j, nd.start, nd.endOf(), len(d.src))
		}
		if q := d.src[nd.start] == '"'; (isKey || q) && (!q || nd.endOf()-nd.start < 2 || d.src[nd.endOf()-1] != '"') {
			return fmt.Sprintf("string node %d is %q", j, d.src[nd.start:nd.endOf()])
		}
		return ""
	}
	var walk func(j uint32) (uint32, string)
	walk = func(j uint32) (uint32, string) {
		if !d.isContainer(j) {
			return j + 1, scalar(j, false)
		}
		if int(d.nodes[j+1].start) >= len(d.cs) {
			return 0, fmt.Sprintf("container node %d has no slot", j)
		}
		isObj := d.src[d.nodes[j].start] == '{'
		k := j + 2
		for range d.nodes[j+1].end {
			if isObj {
				if msg := scalar(k, true); msg != "" {
					return 0, msg
				}
				k++
			}
			next, msg := walk(k)
			if msg != "" {
				return 0, msg
			}
			k = next
		}
		if k != d.nodes[j].end {
			return 0, fmt.Sprintf("container node %d ends at node %d, its contents at %d", j, d.nodes[j].end, k)
		}
		return k, ""
	}
	_, msg := walk(v.c.node)
	return msg
}

// TestEachMatchesValue checks that each, which reads a member's key and
// value in one loop, yields what str and value return for them, in every
// object of documents with escaped keys and strings, lone surrogates,
// numbers JavaScript prints otherwise, and nested containers.
func TestEachMatchesValue(t *testing.T) {
	t.Parallel()
	for _, s := range []string{
		benchEvent,
		`{}`, `{"a":{}}`, `{"a":[],"b":[{}],"c":{"d":[1,{"e":2}]},"f":3}`,
		`{"\u0061":"\u0062","b\n":"x\"y","\ud800":"\udc00z","k":"\ud83d\ude00"}`,
		`{"n":1.0,"m":1E2,"o":-0,"p":1e21,"q":0.1,"r":123456789012345678,"s":-0.0}`,
		`{"t":true,"f":false,"z":null,"s":"","e":"\/"}`,
		` { "a" : [ 1 , 2 ] , "b" : { "c" : "d" } , "e" : 1 } `,
		`[{"x":{"y":{"z":[{"w":1}]}}},{"v":"\u00e9"}]`,
		manyKeys(40),
	} {
		v, err := Parse([]byte(s))
		if err != nil {
			t.Fatalf("Parse(%q): %v", s, err)
		}
		if msg := eachMatchesValue(v); msg != "" {
			t.Errorf("%q: %s", s, msg)
		}
	}
}

// eachMatchesValue compares each with str and value in every lazy object
// of v, and returns what differs first, or "".
func eachMatchesValue(v Value) string {
	switch v.kind {
	case KindArray:
		if !v.c.lazy() {
			return ""
		}
		d := v.c.doc
		j := v.c.node + 2
		for range v.c.count() {
			if msg := eachMatchesValue(d.value(j)); msg != "" {
				return msg
			}
			j = d.next(j)
		}
	case KindObject:
		if !v.c.lazy() {
			return ""
		}
		d := v.c.doc
		j := v.c.node + 2
		i := 0
		var msg string
		v.c.each(func(key string, val Value) bool {
			if i >= v.c.count() {
				msg = "each yields more members than the object has"
				return false
			}
			wantKey, wantVal := d.str(j), d.value(j+1)
			if key != wantKey || val != wantVal {
				msg = fmt.Sprintf("member %d: each yields %q, %#v; str and value %q, %#v", i, key, val, wantKey, wantVal)
				return false
			}
			if msg = eachMatchesValue(val); msg != "" {
				return false
			}
			j = d.next(j + 1)
			i++
			return true
		})
		if msg == "" && i != v.c.count() {
			msg = fmt.Sprintf("each yields %d members of %d", i, v.c.count())
		}
		return msg
	}
	return ""
}

// decodeStd decodes s with encoding/json, numbers as json.Number: the
// reference the fuzz targets compare Parse with.
func decodeStd(t testing.TB, s string) any {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var std any
	if err := dec.Decode(&std); err != nil {
		t.Fatalf("encoding/json rejects %q: %v", s, err)
	}
	return std
}

// readSome reads containers of v chosen by the bits of touch, through the
// different accessors.
func readSome(v Value, touch uint8) {
	for i := 0; touch != 0 && i < 8; i++ {
		bit := touch & 1
		touch >>= 1
		switch v.Kind() {
		case KindObject:
			if bit == 1 {
				for _, m := range v.Members() {
					readSome(m.Value, touch)
				}
				return
			}
			for _, val := range v.All() {
				readSome(val, touch)
				return
			}
		case KindArray:
			if bit == 1 {
				for _, e := range v.Elems() {
					readSome(e, touch)
				}
				return
			}
			readSome(v.Get("0"), touch)
		}
	}
}

// TestDocShapes checks the one allocation of a parsed document (see
// docShape) against the collector: documents of every number of containers
// a shape covers and more, and of texts from a few bytes to past the
// largest shape, are parsed, read (which stores pointers to new members
// and elements in the shape's containers), and left with nothing but the
// returned Values and strings read from them; after collections and new
// allocations, every one must read as it was written.
func TestDocShapes(t *testing.T) {
	t.Parallel()
	type kept struct {
		v    Value
		s    string
		want string
	}
	var all []kept
	for nc := 0; nc <= maxShapeRoom+2; nc += 1 + nc/8 {
		for _, pad := range []int{0, 10, 100, 600, 2000, 9000, 40000} {
			var b strings.Builder
			b.WriteString(`{"pad":"` + strings.Repeat("p", pad) + `","list":[`)
			for i := range max(nc-2, 0) {
				if i > 0 {
					b.WriteString(",")
				}
				b.WriteString(`{"k":"v` + strconv.Itoa(i) + `"}`)
			}
			b.WriteString(`]}`)
			text := b.String()
			if nc == 0 {
				text = `"` + strings.Repeat("s", pad) + `"`
			}
			data := []byte(text)
			v, err := Parse(data)
			if err != nil {
				t.Fatalf("%d containers, %d bytes: %v", nc, pad, err)
			}
			clear(data)
			s := v.Str()
			if v.IsObject() {
				s = v.Get("pad").Str()
				for _, e := range v.Get("list").Elems() {
					e.Members()
				}
			}
			all = append(all, kept{v, s, text})
		}
	}
	for range 3 {
		runtime.GC()
		garbage := make([][]byte, 0, 1000)
		for i := range 1000 {
			garbage = append(garbage, bytes.Repeat([]byte{'x'}, 64+i%4096))
		}
		runtime.KeepAlive(garbage)
	}
	for _, k := range all {
		if got := string(k.v.AppendJSON(nil)); got != k.want {
			t.Fatalf("after collections, a document reads %.80q, want %.80q", got, k.want)
		}
		if k.v.IsObject() {
			if k.s != k.v.Get("pad").Str() {
				t.Fatalf("a string read from a document changed")
			}
			for i, e := range k.v.Get("list").Elems() {
				if got := e.Members()[0].Value.Str(); got != "v"+strconv.Itoa(i) {
					t.Fatalf("element %d reads %q after collections", i, got)
				}
			}
		}
	}
}

// TestNewObject checks what newObject relies on: typeDescriptor returns
// the type word of an interface holding a value of a shape's type, so
// that an interface made of it and newObject's object is a value of the
// shape's type, zeroed, and distinct at each call.
func TestNewObject(t *testing.T) {
	t.Parallel()
	for _, nc := range []int{0, 1, 2, 17, maxShapeRoom} {
		for _, tail := range []int{0, 100, 1000, 20000} {
			s := shapeFor(nc, tail)
			if s == nil {
				t.Fatalf("no shape for %d containers and %d bytes", nc, tail)
			}
			p, q := newObject(s.rtype), newObject(s.rtype)
			if p == q {
				t.Fatal("newObject returned one object twice")
			}
			zero := reflect.Zero(s.typ).Interface()
			if (*[2]unsafe.Pointer)(unsafe.Pointer(&zero))[0] != s.rtype {
				t.Fatalf("the descriptor of %v is not the type word of its interfaces", s.typ)
			}
			var e any
			w := (*[2]unsafe.Pointer)(unsafe.Pointer(&e))
			w[0], w[1] = s.rtype, p
			if got := reflect.TypeOf(e); got != s.typ {
				t.Fatalf("the descriptor of %v is that of %v", s.typ, got)
			}
			if !reflect.ValueOf(e).IsZero() {
				t.Fatalf("a new %v is not zero", s.typ)
			}
		}
	}
}

// TestShapeClassOf checks the table of size classes against a search of
// shapeClasses for every need up to the largest class and past it.
func TestShapeClassOf(t *testing.T) {
	t.Parallel()
	for need := 0; need <= maxShapeClass; need++ {
		want, _ := slices.BinarySearch(shapeClasses[:], need)
		if got := int(shapeClassOf[(need+15)/16]); got != want {
			t.Fatalf("class of %d bytes: %d (%d bytes), want %d (%d bytes)", need, got, shapeClasses[got], want, shapeClasses[want])
		}
	}
	if !slices.IsSorted(shapeClasses[:]) || shapeClasses[len(shapeClasses)-1] != maxShapeClass {
		t.Fatal("shapeClasses are not sorted up to maxShapeClass")
	}
	if s := shapeFor(1, maxShapeClass); s != nil {
		t.Fatalf("a document of more than %d bytes has a shape", maxShapeClass)
	}
}

// TestLookupMatchesMembers checks that lookup, on every lazy object of
// documents with escaped keys, keys of one length and nested containers,
// finds each member's value as the object's members hold it, and nothing
// for keys it does not have.
func TestLookupMatchesMembers(t *testing.T) {
	t.Parallel()
	for _, s := range []string{
		benchEvent,
		`{}`, `{"a":{},"b":[1,{"a":2}],"c":3,"":4}`,
		`{"b\n":"x\"y","a\tb":1,"ab":2,"a\\":3,"a\"":{"a\"":4},"abc":[5]}`,
		`{"\u0061b":"\u0062","\ud800":"\udc00z","ab\/":1,"abc":2}`,
		`{"ab":{"ab":[{"ab":1}]},"ac":[[],{}],"ad":null,"ae":true,"af":-0.0}`,
		` { "a" : [ 1 , 2 ] , "b" : { "c" : "d" } , "e" : 1 } `,
		manyKeys(20),
	} {
		v, err := Parse([]byte(s))
		if err != nil {
			t.Fatalf("Parse(%q): %v", s, err)
		}
		read := mustParse(t, s)
		checkLookup(t, s, v, read)
	}
}

// checkLookup compares lookup in the lazy objects of v with the members
// of the same objects of read, a parse of the same text, read.
func checkLookup(t *testing.T, s string, v, read Value) {
	t.Helper()
	switch v.kind {
	case KindArray:
		for i := range read.Elems() {
			checkLookup(t, s, v.c.at(int64(i)), read.Elems()[i])
		}
	case KindObject:
		if !v.c.lazy() {
			return
		}
		for _, m := range read.Members() {
			got := v.c.lookup(m.Key)
			if g, w := got.AppendJSON(nil), m.Value.AppendJSON(nil); !bytes.Equal(g, w) {
				t.Errorf("%q: lookup(%q) = %s, want %s", s, m.Key, g, w)
			}
			if missing := v.c.lookup(m.Key + "x"); !missing.IsUndefined() && read.Get(m.Key+"x").IsUndefined() {
				t.Errorf("%q: lookup(%q) found a member", s, m.Key+"x")
			}
			checkLookup(t, s, got, m.Value)
		}
	}
}

// TestContainerSize checks what a parsed container costs its document
// until it is read: two pointers (its storage, its doc), its node and its
// search count.
func TestContainerSize(t *testing.T) {
	if got, want := unsafe.Sizeof(container{}), 2*unsafe.Sizeof(uintptr(0))+8; got > want {
		t.Errorf("container is %d bytes, want at most %d", got, want)
	}
}

// TestSourceText checks that a parsed object or array gives back its text
// as it came, read or not, and that other Values give none.
func TestSourceText(t *testing.T) {
	const doc = ` { "a" : [ 1.0 , "\u0041" ] , "b" : { "k" : 1 , "k" : 2 } , "c" : 3 , "d" : {} } `
	for _, parse := range []func([]byte) (Value, error){Parse, ParseNoCopy} {
		v, err := parse([]byte(doc))
		if err != nil {
			t.Fatal(err)
		}
		if text, ok := v.SourceText(); !ok || text != strings.TrimSpace(doc) {
			t.Errorf("top level: %q %v", text, ok)
		}
		for key, want := range map[string]string{"a": `[ 1.0 , "\u0041" ]`, "b": `{ "k" : 1 , "k" : 2 }`, "d": `{}`} {
			m := v.Get(key)
			if key == "b" {
				_ = m.Members() // read: the text stays what came
			}
			if text, ok := m.SourceText(); !ok || text != want {
				t.Errorf("%s: %q %v, want %q", key, text, ok, want)
			}
		}
		if _, ok := v.Get("c").SourceText(); ok {
			t.Error("a number has a source text")
		}
	}
	if _, ok := NewObject(0).SourceText(); ok {
		t.Error("an object built in Go has a source text")
	}
	if _, ok := (Value{}).SourceText(); ok {
		t.Error("undefined has a source text")
	}
}
