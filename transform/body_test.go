package transform

import (
	"math"
	"testing"

	"github.com/cio-transformer/cio-transformer/internal/jsvalue"
)

// TestAppendValue checks that appendValue writes every kind of value as
// AppendJSON does: scalars parsed and made, NaN and the infinities (which
// have no JSON text of their own), and the containers it leaves to
// AppendJSON.
func TestAppendValue(t *testing.T) {
	t.Parallel()
	vals := []jsvalue.Value{
		jsvalue.Undefined(), jsvalue.Null(), jsvalue.Bool(true), jsvalue.Bool(false),
		jsvalue.String(""), jsvalue.String("plain"), jsvalue.String("q\"b\\s\n\t\x01é😀"),
		jsvalue.String("lone \xed\xa0\x80 surrogate"), jsvalue.String("bad \xff utf-8"),
		jsvalue.Number(math.NaN()), jsvalue.Number(math.Inf(1)), jsvalue.Number(math.Inf(-1)),
		jsvalue.RawNumber("NaN"), jsvalue.RawNumber("Infinity"), jsvalue.RawNumber("-Infinity"),
		jsvalue.Number(0), jsvalue.Number(math.Copysign(0, -1)), jsvalue.Number(1e21), jsvalue.Number(-1.5e-7),
		jsvalue.Int(1704164645), jsvalue.Int(-42), jsvalue.RawNumber("-0"), jsvalue.RawNumber("12.50"),
		jsvalue.NewObject(0), jsvalue.NewArray(jsvalue.Int(1), jsvalue.Undefined(), jsvalue.String("x")),
	}
	doc, err := jsvalue.Parse([]byte(`{"s":"a\"\u00e9\ud800b","n":-0,"big":1e400,"small":1e-400,"f":1.50,"e":2E+3,` +
		`"t":true,"x":false,"z":null,"o":{"a":[1,"2",{"b":null}]},"a":[],"sp": { "k" : 1 }}`))
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range doc.All() {
		vals = append(vals, v)
	}
	vals = append(vals, doc)
	for _, v := range vals {
		want := string(v.AppendJSON([]byte("prefix")))
		if got := string(appendValue([]byte("prefix"), v)); got != want {
			t.Errorf("appendValue(%s) = %s, AppendJSON writes %s", v.JSString(), got, want)
		}
	}
}

// TestJSONNumberText checks the texts appendValue writes as they are: a
// number's JSON text, never NaN's or an infinity's.
func TestJSONNumberText(t *testing.T) {
	t.Parallel()
	for text, want := range map[string]bool{
		"0": true, "-0": true, "12": true, "-1.5e-7": true, "1e+21": true, "9007199254740993": true,
		"NaN": false, "Infinity": false, "-Infinity": false, "": false, "-": false,
	} {
		if got := jsonNumberText(text); got != want {
			t.Errorf("jsonNumberText(%q) = %t, want %t", text, got, want)
		}
	}
	for _, f := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		if text := jsvalue.Number(f).NumberText(); jsonNumberText(text) {
			t.Errorf("jsonNumberText(%q) holds for %v", text, f)
		}
	}
}

// TestAppendString checks that appendString writes every string as
// jsvalue.AppendJSONString does: each byte alone and at each place of
// strings of the lengths around the words it looks at, and strings of
// escapes, characters beyond ASCII, lone surrogates and invalid UTF-8.
func TestAppendString(t *testing.T) {
	t.Parallel()
	check := func(s string) {
		t.Helper()
		want := string(jsvalue.AppendJSONString([]byte("prefix"), s))
		if got := string(appendString([]byte("prefix"), s)); got != want {
			t.Errorf("appendString(%q) = %s, AppendJSONString writes %s", s, got, want)
		}
	}
	for n := 0; n <= plainWordBytes+2; n++ {
		base := []byte("abcdefghijklmnopqrstuvwxyz"[:n])
		check(string(base))
		for i := range n {
			for c := range 256 {
				s := append([]byte(nil), base...)
				s[i] = byte(c)
				check(string(s))
			}
		}
	}
	for _, s := range []string{
		"q\"b\\s\n\t\x01é😀", "lone \xed\xa0\x80 surrogate", "bad \xff utf-8", "é", "😀", "ab\u2028cd",
		"ascii with \x7f del", "user@example.com", "0123456789abcdef", "0123456789abcde\"",
	} {
		check(s)
	}
}
