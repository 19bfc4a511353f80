package jsvalue

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"testing"
)

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		benchEvent,
		`null`, `true`, `false`, `0`, `-0`, `1.5e300`, `1e400`, `-1e-400`, `12345678901234567890`,
		`""`, `"\u0000\ud800\udc00\ud800x\\\/\b"`, "\"\xff\xed\xa0\x80\"", "\"\u2028\"",
		`"a\ud83db"`, `"\udc00"`, `"x\uD83D"`, `{"\ud800":1,"\udc00":2,"\ufffd":3}`, `{"\ufffd":0,"\ud800":0,"\ufffd":1}`, `["\ud83d\ude00","\ude00\ud83d"]`,
		`{"a":1,"a":2,"b":{"a":[1,2,{"a":null}]}}`, `[1,[2,[3,[4]]]]`, `{"":{}}`,
		`[1,]`, `{"a" 1}`, `01`, `1.`, `-`, `"\u12`, "\"a\nb\"", ` [ 1 , 2 ] `, "\xef\xbb\xbf1",
		strings.Repeat("[", MaxDepth) + strings.Repeat("]", MaxDepth),
		strings.Repeat("[", MaxDepth+1) + strings.Repeat("]", MaxDepth+1),
		manyKeys(40),
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := Parse(data)
		if valid := json.Valid(data); (err == nil) != valid {
			t.Fatalf("Parse error %v, but json.Valid = %v", err, valid)
		}
		_ = v.JSString()
		inPlace, inPlaceErr := ParseNoCopy(bytes.Clone(data))
		if (inPlaceErr == nil) != (err == nil) {
			t.Fatalf("ParseNoCopy error %v, Parse error %v", inPlaceErr, err)
		}
		if err != nil {
			return
		}
		checkTokenBounds(t, data)
		out := v.AppendJSON(nil)
		if !json.Valid(out) {
			t.Fatalf("AppendJSON output is not valid JSON: %q", out)
		}
		if !equal(v, inPlace) {
			t.Fatalf("ParseNoCopy of %q differs from Parse", data)
		}
		if out2 := inPlace.AppendJSON(nil); !bytes.Equal(out, out2) {
			t.Fatalf("ParseNoCopy encodes %q, Parse %q", out2, out)
		}
		checkLeased(t, data, v, out)
		again, err := Parse(out)
		if err != nil {
			t.Fatalf("re-parse of %q: %v", out, err)
		}
		if !sameAfterEncoding(v, again) {
			t.Fatalf("re-parse of %q differs", out)
		}
		if out2 := again.AppendJSON(nil); !bytes.Equal(out, out2) {
			t.Fatalf("encoding is not stable: %q then %q", out, out2)
		}
		// encoding/json reads the same data: last duplicate wins, the same
		// U+FFFD replacements, the same numbers.
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber()
		var std any
		if err := dec.Decode(&std); err != nil {
			t.Fatalf("encoding/json rejects valid input: %v", err)
		}
		if msg := sameAsStd(v, std); msg != "" {
			t.Fatalf("differs from encoding/json: %s", msg)
		}
	})
}

func manyKeys(n int) string {
	var b strings.Builder
	b.WriteString("{")
	for i := range n {
		b.WriteString(`"k` + strconv.Itoa(i%(n/2)) + `":` + strconv.Itoa(i) + ",")
	}
	b.WriteString(`"end":true}`)
	return b.String()
}

// sameAfterEncoding is equal, except that a non-finite number, which encodes
// as null, matches null.
func sameAfterEncoding(a, b Value) bool {
	if a.kind == KindNumber && !isFinite(a.s) {
		return b.kind == KindNull
	}
	if a.kind != b.kind {
		return false
	}
	switch a.kind {
	case KindArray:
		if len(a.Elems()) != len(b.Elems()) {
			return false
		}
		for i := range a.Elems() {
			if !sameAfterEncoding(a.Elems()[i], b.Elems()[i]) {
				return false
			}
		}
		return true
	case KindObject:
		if len(a.Members()) != len(b.Members()) {
			return false
		}
		for i, m := range a.Members() {
			n := b.Members()[i]
			if m.Key != n.Key || !sameAfterEncoding(m.Value, n.Value) {
				return false
			}
		}
		return true
	}
	return equal(a, b)
}

func isFinite(text string) bool {
	f := RawNumber(text).Float()
	return !math.IsNaN(f) && !math.IsInf(f, 0)
}

// sameAsStd compares v with what encoding/json decoded (with UseNumber),
// returning a description of the first difference.
func sameAsStd(v Value, std any) string {
	switch s := std.(type) {
	case nil:
		if v.kind != KindNull {
			return "want null"
		}
	case bool:
		if v.kind != KindBool || v.b != s {
			return "want bool"
		}
	case string:
		// encoding/json reads a lone surrogate as U+FFFD; Parse keeps it.
		if v.kind != KindString || ToWellFormed(v.s) != s {
			return "string " + strconv.Quote(v.s) + " want " + strconv.Quote(s)
		}
	case json.Number:
		want, _ := strconv.ParseFloat(string(s), 64)
		if v.kind != KindNumber || v.Float() != want {
			return "number " + v.s + " want " + string(s)
		}
		if v.s != FormatNumber(want) {
			return "number text " + v.s + " want " + FormatNumber(want)
		}
	case []any:
		if v.kind != KindArray || len(v.Elems()) != len(s) {
			return "want array of " + strconv.Itoa(len(s))
		}
		for i := range s {
			if msg := sameAsStd(v.Elems()[i], s[i]); msg != "" {
				return "[" + strconv.Itoa(i) + "]: " + msg
			}
		}
	case map[string]any:
		if v.kind != KindObject {
			return "want object"
		}
		// Keys that differ only in lone surrogates are one key to
		// encoding/json, which replaces them with U+FFFD, and the value
		// it keeps is the one that came last in the text. Parse keeps
		// such keys apart, each with its own last value, in the order
		// each key first came: which of them came last in the text is
		// not known from the members, so encoding/json's value must be
		// one of theirs. A key no other key collapses into must match
		// exactly.
		group := map[string][]Value{}
		for _, m := range v.Members() {
			k := ToWellFormed(m.Key)
			group[k] = append(group[k], m.Value)
		}
		if len(group) != len(s) {
			return "want object of " + strconv.Itoa(len(s))
		}
		for k, mvs := range group {
			sv, ok := s[k]
			if !ok {
				return "extra key " + strconv.Quote(k)
			}
			msg := ""
			for _, mv := range mvs {
				if msg = sameAsStd(mv, sv); msg == "" {
					break
				}
			}
			if msg != "" {
				return strconv.Quote(k) + ": " + msg
			}
		}
	default:
		return "unexpected type"
	}
	return ""
}

func FuzzFormatNumber(f *testing.F) {
	for _, x := range []float64{0, 1, -1, 0.1, 49.99, 1e21, 1e-7, 1e-6, 5e-324, math.MaxFloat64, 123e-20, 12345678901234567890} {
		f.Add(math.Float64bits(x))
	}
	f.Fuzz(func(t *testing.T, bits uint64) {
		x := math.Float64frombits(bits)
		s := FormatNumber(x)
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return
		}
		back, err := strconv.ParseFloat(s, 64)
		if err != nil || back != x {
			t.Fatalf("FormatNumber(%v) = %q parses to %v, %v", x, s, back, err)
		}
		if got, want := significand(s), significand(strconv.FormatFloat(x, 'e', -1, 64)); got != want {
			t.Fatalf("FormatNumber(%v) = %q: digits %s, want %s", x, s, got, want)
		}
		abs := math.Abs(x)
		if exp := strings.Contains(s, "e"); exp != (abs != 0 && (abs < 1e-6 || abs >= 1e21)) {
			t.Fatalf("FormatNumber(%v) = %q: wrong notation", x, s)
		}
		if v := mustParse(t, s); v.NumberText() != s {
			t.Fatalf("Parse(%q) keeps %q", s, v.NumberText())
		}
		if got := canonicalNumber(strconv.FormatFloat(x, 'f', -1, 64)); got != s {
			t.Fatalf("canonicalNumber of %v = %q, want %q", x, got, s)
		}
	})
}

// checkTokenBounds checks that tokenBounds bounds the nodes and containers
// of the index of data, a valid document.
func checkTokenBounds(t *testing.T, data []byte) {
	t.Helper()
	var x indexer
	x.src = string(data)
	if err := x.run(); err != nil {
		t.Fatalf("index: %v", err)
	}
	if nodes, containers := tokenBounds(data); len(x.nodes) > nodes || len(x.cs) > containers {
		t.Fatalf("%d nodes and %d containers, over the bounds %d and %d", len(x.nodes), len(x.cs), nodes, containers)
	}
}
