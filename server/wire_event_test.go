package server

import (
	"math"
	"strings"
	"testing"

	ciotransformerv1 "github.com/cio-transformer/cio-transformer/gen/ciotransformer/v1"
	"github.com/cio-transformer/cio-transformer/internal/jsvalue"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/structpb"
)

// sameValue reports where got differs from want, "" when it does not:
// kinds, number texts, strings, and members and elements in order. Unlike
// their JSON, it tells NaN and the infinities from null.
func sameValue(got, want jsvalue.Value, path string) string {
	if got.Kind() != want.Kind() {
		return path + ": kind " + got.JSString() + " vs " + want.JSString()
	}
	switch got.Kind() {
	case jsvalue.KindBool:
		if got.Bool() != want.Bool() {
			return path + ": bool"
		}
	case jsvalue.KindNumber:
		if got.NumberText() != want.NumberText() {
			return path + ": number " + got.NumberText() + " vs " + want.NumberText()
		}
	case jsvalue.KindString:
		if got.JSString() != want.JSString() {
			return path + ": string"
		}
	case jsvalue.KindArray:
		g, w := got.Elems(), want.Elems()
		if len(g) != len(w) {
			return path + ": array length"
		}
		for i := range g {
			if d := sameValue(g[i], w[i], path+"[]"); d != "" {
				return d
			}
		}
	case jsvalue.KindObject:
		g, w := got.Members(), want.Members()
		if len(g) != len(w) {
			return path + ": object size"
		}
		for i := range g {
			if g[i].Key != w[i].Key {
				return path + ": key " + g[i].Key + " vs " + w[i].Key
			}
			if d := sameValue(g[i].Value, w[i].Value, path+"."+g[i].Key); d != "" {
				return d
			}
		}
	}
	return ""
}

// typedValue returns eventJSON's Value of b, never releasing the space it
// is read in: the Value stays valid for as long as it is held.
func typedValue(b []byte) jsvalue.Value {
	v, _ := eventJSON(b)
	return v
}

// releaseEvent releases the space of an event eventJSON read, if any.
func releaseEvent(_ jsvalue.Value, held *eventText) {
	if held != nil {
		held.release()
	}
}

// checkEventJSON compares eventJSON's reading of b, when protobuf's
// decoding accepts it, with typedEvent's conversion of the decoded event,
// and the index eventText records of the event's text with the one
// jsvalue.Parse makes of it; it reports whether b was accepted.
func checkEventJSON(t *testing.T, b []byte) bool {
	t.Helper()
	var e ciotransformerv1.Event
	if proto.Unmarshal(b, &e) != nil {
		return false
	}
	if d := sameValue(typedValue(b), typedEvent(&e), "event"); d != "" {
		t.Errorf("eventJSON differs from the decoded event at %s", d)
	}
	var et eventText
	if text, ok := et.event(b); ok {
		if d := et.index.Verify(text); d != "" {
			t.Errorf("the index of the event's text differs from jsvalue.Parse's: %s", d)
		}
	}
	return true
}

// eventEdges are the wire bytes of events that leave the common path:
// numbers JSON cannot say, strings to escape, fields out of order or
// given again, Struct entries and Values written unlike protobuf writes
// them, long lengths, wide and nested Structs.
func eventEdges(tb testing.TB) [][]byte {
	tb.Helper()
	marshal := func(e *ciotransformerv1.Event) []byte {
		b, err := proto.Marshal(e)
		if err != nil {
			tb.Fatal(err)
		}
		return b
	}
	str := func(m map[string]any) *structpb.Struct {
		s, err := structpb.NewStruct(m)
		if err != nil {
			tb.Fatal(err)
		}
		return s
	}
	bytesField := func(num protowire.Number, v []byte) []byte {
		return protowire.AppendBytes(protowire.AppendTag(nil, num, protowire.BytesType), v)
	}
	entry := func(key string, value []byte) []byte {
		return bytesField(structFieldsField, append(bytesField(entryKeyField, []byte(key)), bytesField(entryValueField, value)...))
	}
	number := func(f float64) []byte {
		return protowire.AppendFixed64(protowire.AppendTag(nil, valueNumberField, protowire.Fixed64Type), math.Float64bits(f))
	}
	long := strings.Repeat("x", 300)
	wide := map[string]any{}
	for i := range 300 {
		wide[strings.Repeat("k", i%20)+string(rune('a'+i%26))+long[:i%3]] = float64(i)
	}
	edges := [][]byte{
		marshal(&ciotransformerv1.Event{Type: "identify", Traits: str(map[string]any{"nan": math.NaN()})}),
		marshal(&ciotransformerv1.Event{Type: "identify", Traits: str(map[string]any{"l": []any{1.0, math.Inf(1)}, "m": math.Inf(-1)})}),
		marshal(&ciotransformerv1.Event{Type: "t\"y\\pe\n\x01", UserId: "é☃𝄞", Traits: str(map[string]any{
			"q\"": "a\"b", "\t": "\u2028", "é": "ü", long: long, "": "", "0": 1.0, "10": 2.0, "9": 3.0,
			"n": map[string]any{"b": []any{map[string]any{"z": nil, "a": true}}, "a": map[string]any{}},
		})}),
		marshal(&ciotransformerv1.Event{Type: "identify", Traits: str(wide)}),
		marshal(&ciotransformerv1.Event{Type: "identify", Context: str(map[string]any{"deep": map[string]any{"long": long, "more": map[string]any{"x": long}}})}),
	}
	// Fields out of order and given again; a Struct in two parts.
	last := append(bytesField(3, []byte("u2")), bytesField(1, []byte("track"))...)
	last = append(last, bytesField(15, entry("b", number(1)))...)
	last = append(last, bytesField(3, []byte("u3"))...)
	last = append(last, bytesField(15, entry("a", number(2)))...)
	last = append(last, bytesField(15, entry("b", bytesField(valueStringField, []byte("s"))))...)
	edges = append(edges, last)
	// An entry whose value comes first, one given twice in parts that
	// merge, a Value of two kinds, an empty Value, an entry without a
	// value, a key without an entry value tag's usual form.
	var traits []byte
	traits = append(traits, bytesField(structFieldsField, append(bytesField(entryValueField, number(3)), bytesField(entryKeyField, []byte("v"))...))...)
	traits = append(traits, entry("m", bytesField(valueStructField, entry("x", number(1))))...)
	traits = append(traits, bytesField(structFieldsField, append(bytesField(entryKeyField, []byte("m")),
		append(bytesField(entryValueField, bytesField(valueStructField, entry("y", number(2)))),
			bytesField(entryValueField, bytesField(valueStructField, entry("x", number(3))))...)...))...)
	traits = append(traits, entry("k", append(number(1), bytesField(valueStringField, []byte("two"))...))...)
	traits = append(traits, entry("e", nil)...)
	traits = append(traits, bytesField(structFieldsField, bytesField(entryKeyField, []byte("nv")))...)
	traits = append(traits, entry("l", append(bytesField(valueListField, bytesField(listValuesField, number(1))),
		bytesField(valueListField, bytesField(listValuesField, nil))...))...)
	traits = append(traits, entry("b", protowire.AppendVarint(protowire.AppendTag(nil, valueBoolField, protowire.VarintType), 300))...)
	edges = append(edges, append(bytesField(1, []byte("identify")), bytesField(15, traits)...))
	return edges
}

// TestEventJSONOracle compares eventJSON with the decoded event's
// conversion on the mix and on events off the common path, telling NaN
// from null.
func TestEventJSONOracle(t *testing.T) {
	t.Parallel()
	for i, b := range append(typedMix(t, 200), eventEdges(t)...) {
		if !checkEventJSON(t, b) {
			t.Errorf("event %d is not a valid Event", i)
		}
	}
}

// TestEventJSONNotFinite checks the numbers JSON text cannot say, which
// the event is decoded by protobuf to keep.
func TestEventJSONNotFinite(t *testing.T) {
	t.Parallel()
	s, err := structpb.NewStruct(map[string]any{"nan": math.NaN(), "inf": math.Inf(1), "l": []any{math.Inf(-1)}})
	if err != nil {
		t.Fatal(err)
	}
	b, err := proto.Marshal(&ciotransformerv1.Event{Type: "identify", Traits: s})
	if err != nil {
		t.Fatal(err)
	}
	traits := typedValue(b).Get("traits")
	for key, want := range map[string]string{"nan": "NaN", "inf": "Infinity"} {
		if got := traits.Get(key).JSString(); got != want {
			t.Errorf("traits.%s = %s, want %s", key, got, want)
		}
	}
	if got := traits.Get("l").Get("0").JSString(); got != "-Infinity" {
		t.Errorf("traits.l[0] = %s, want -Infinity", got)
	}
}

func FuzzEventJSON(f *testing.F) {
	for _, b := range append(typedMix(f, 20), eventEdges(f)...) {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		checkEventJSON(t, b)
	})
}

// TestEventTextString checks eventText.string against
// jsvalue.AppendJSONBytes for every text of up to 40 bytes at every place
// near its message's end, with every room left in the text it writes to:
// plain texts, which are copied a word at a time, and texts with a byte to
// escape or check at each place, which are escaped from their start. The
// words it reads past a text's end and writes past its closing quote lie
// in the message and in the text's capacity, as checkptr checks under
// -race.
func TestEventTextString(t *testing.T) {
	specials := []byte{0, 0x1f, '"', '\\', 0x7f, 0xc3, 0xff}
	for n := range 41 {
		for bad := -1; bad < n; bad++ {
			for _, c := range specials {
				if bad < 0 && c != specials[0] {
					continue
				}
				text := make([]byte, n)
				for i := range text {
					text[i] = 'a' + byte(i%26)
				}
				if bad >= 0 {
					text[bad] = c
				}
				want := string(jsvalue.AppendJSONBytes([]byte("x"), text))
				// Messages holding the text with 0 to 9 bytes after it, each
				// a '"' that must not be read as the text's.
				for tail := range 10 {
					msg := append(append([]byte("\x0a\x03abc"), text...), strings.Repeat(`"`, tail)...)
					v := span{5, 5 + n}
					for room := range 2*n + 12 {
						out := make([]byte, 1, 1+room)
						out[0] = 'x'
						et := eventText{wireReader: wireReader{b: msg[:len(msg):len(msg)]}, out: out}
						et.string(v)
						if got := string(et.out); got != want {
							t.Fatalf("text %q, tail %d, room %d: %q, want %q", text, tail, room, got, want)
						}
					}
				}
			}
		}
	}
}

// TestMemberKey checks eventText.memberKey against jsvalue.AppendJSONBytes
// and a colon for keys of up to 10 bytes, plain and with a byte to escape
// or check at each place, at the end of their message and before more, with
// every room left in the text it writes to: a key of a word or less is
// written from its prefix.
func TestMemberKey(t *testing.T) {
	specials := []byte{0, 0x1f, '"', '\\', 0x7f, 0xc3, 0xff}
	for n := range 11 {
		for bad := -1; bad < n; bad++ {
			for _, c := range specials {
				if bad < 0 && c != specials[0] {
					continue
				}
				key := []byte(strings.Repeat("k", n))
				if bad >= 0 {
					key[bad] = c
				}
				want := string(append(jsvalue.AppendJSONBytes([]byte("x"), key), ':'))
				for _, tail := range []string{"", "\x12\x02\x1a\x00abcdefgh"} {
					msg := append(append([]byte{entryKeyTag, byte(n)}, key...), tail...)
					k := span{2, 2 + n}
					for room := range 2*n + 14 {
						out := make([]byte, 1, 1+room)
						out[0] = 'x'
						et := eventText{wireReader: wireReader{b: msg}, out: out}
						et.memberKey(keyPrefixAt(msg, k), k)
						if got := string(et.out); got != want {
							t.Fatalf("key %q, tail %q, room %d: %q, want %q", key, tail, room, got, want)
						}
					}
				}
			}
		}
	}
}
