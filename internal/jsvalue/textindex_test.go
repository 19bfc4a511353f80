package jsvalue

import (
	"bytes"
	"strings"
	"testing"
)

// indexedWriter writes a Value as AppendJSON writes it, recording its
// tokens in a TextIndex as it goes, as a writer of JSON text does. Strings
// with nothing to escape are recorded as plain (Key, Scalar) unless
// written is set, which has every string's flags read from its text.
type indexedWriter struct {
	out     []byte
	index   TextIndex
	written bool
}

func (w *indexedWriter) value(v Value) {
	switch v.Kind() {
	case KindObject:
		w.index.Open(len(w.out), true)
		w.out = append(w.out, '{')
		for i, m := range v.Members() {
			if i > 0 {
				w.out = append(w.out, ',')
			}
			l := len(w.out)
			w.out = AppendJSONString(w.out, m.Key)
			w.literal(l, true)
			w.out = append(w.out, ':')
			w.value(m.Value)
		}
		w.out = append(w.out, '}')
		w.index.Close(len(w.out))
	case KindArray:
		w.index.Open(len(w.out), false)
		w.out = append(w.out, '[')
		for i, e := range v.Elems() {
			if i > 0 {
				w.out = append(w.out, ',')
			}
			w.value(e)
		}
		w.out = append(w.out, ']')
		w.index.Close(len(w.out))
	case KindString:
		l := len(w.out)
		w.out = v.AppendJSON(w.out)
		w.literal(l, false)
	default:
		l := len(w.out)
		w.out = v.AppendJSON(w.out)
		w.index.Scalar(l, len(w.out))
	}
}

// literal records the string literal written at l to the end of w.out, a
// key or a value.
func (w *indexedWriter) literal(l int, key bool) {
	plain := !w.written && bytes.IndexByte(w.out[l:], '\\') < 0
	switch {
	case key && plain:
		w.index.Key(l, len(w.out))
	case key:
		w.index.WrittenKey(w.out, l)
	case plain:
		w.index.Scalar(l, len(w.out))
	default:
		w.index.WrittenString(w.out, l)
	}
}

// checkTextIndex writes the Value of data with an indexedWriter and checks
// the index it records against Parse's, and the Value it makes against
// the Value Parse makes of the same text.
func checkTextIndex(t *testing.T, data []byte) {
	t.Helper()
	v, err := Parse(data)
	if err != nil {
		return
	}
	for _, written := range []bool{false, true} {
		w := indexedWriter{written: written}
		w.index.Reset(len(data))
		w.value(v)
		if d := w.index.Verify(w.out); d != "" {
			t.Fatalf("index of %q (written %v): %s", w.out, written, d)
		}
		got, ok := w.index.Value(w.out)
		if !ok {
			t.Fatalf("no Value of %q", w.out)
		}
		want, err := Parse(w.out)
		if err != nil {
			t.Fatalf("Parse of %q: %v", w.out, err)
		}
		if !equal(got, want) {
			t.Fatalf("Value of %q differs from Parse's", w.out)
		}
		if a, b := got.AppendJSON(nil), want.AppendJSON(nil); !bytes.Equal(a, b) {
			t.Fatalf("Value of %q encodes %q, Parse's %q", w.out, a, b)
		}
		checkTextLease(t, &w, want)
	}
}

// checkTextLease checks that the Value Lease makes of w's text is want,
// twice over: the second time of the text written again, into the space
// the first lease left the index and then handed back.
func checkTextLease(t *testing.T, w *indexedWriter, want Value) {
	t.Helper()
	for range 2 {
		text := bytes.Clone(w.out)
		leased, lease, ok := w.index.Lease(text)
		if !ok {
			t.Fatalf("no leased Value of %q", text)
		}
		if !equal(leased, want) {
			t.Fatalf("leased Value of %q differs from Parse's", text)
		}
		if a, b := leased.AppendJSON(nil), want.AppendJSON(nil); !bytes.Equal(a, b) {
			t.Fatalf("leased Value of %q encodes %q, Parse's %q", text, a, b)
		}
		if _, ok := w.index.Value(text); ok {
			t.Fatalf("the index still makes a Value of %q once leased", text)
		}
		lease.Release()
		w.out = w.out[:0]
		w.index.Reset(len(text))
		w.value(want)
		if d := w.index.Verify(w.out); d != "" {
			t.Fatalf("index of %q written after a lease: %s", w.out, d)
		}
	}
}

func TestTextIndex(t *testing.T) {
	for _, s := range []string{
		benchEvent,
		`null`, `true`, `0`, `-0`, `1e400`, `12345678901234567890`, `""`, `{}`, `[]`,
		`"\u0000\ud800\udc00\ud800x\\\/\b"`, "\"\xff\xed\xa0\x80\"", `{"\ud800":1,"\udc00":2,"\ufffd":3}`,
		`{"a":1,"a":2,"b":{"a":[1,2,{"a":null}]}}`, `[1,[2,[3,[4]]]]`, `{"":{}}`, ` [ 1 , {"x" : [ ] } ] `,
		manyKeys(40), strings.Repeat("[", 100) + strings.Repeat("]", 100),
	} {
		checkTextIndex(t, []byte(s))
	}
}

// TestTextIndexIncomplete checks that a TextIndex makes no Value of text
// it has not seen the end of, nor of text nested deeper than Parse reads,
// nor of a string written that is not a string literal.
func TestTextIndexIncomplete(t *testing.T) {
	var ix TextIndex
	ix.Reset(0)
	if _, ok := ix.Value(nil); ok {
		t.Error("Value of no tokens")
	}
	ix.Open(0, false)
	if _, ok := ix.Value([]byte("[")); ok {
		t.Error("Value of an array not closed")
	}
	ix.Reset(0)
	deep := strings.Repeat("[", MaxDepth+1) + strings.Repeat("]", MaxDepth+1)
	for i := range MaxDepth + 1 {
		ix.Open(i, false)
	}
	for i := range MaxDepth + 1 {
		ix.Close(MaxDepth + 2 + i)
	}
	if _, ok := ix.Value([]byte(deep)); ok {
		t.Error("Value of text nested deeper than MaxDepth")
	}
	ix.Reset(0)
	ix.Close(1)
	if _, ok := ix.Value([]byte("]")); ok {
		t.Error("Value after a Close with nothing open")
	}
	ix.Reset(0)
	ix.WrittenString([]byte(`"abc`), 0)
	if _, ok := ix.Value([]byte(`"abc`)); ok {
		t.Error("Value of a string literal not ended")
	}
}

func FuzzTextIndex(f *testing.F) {
	for _, s := range []string{benchEvent, `{"a":[1,"\n",{"b":null}],"c":"\u00e9"}`, manyKeys(40)} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkTextIndex(t, data)
	})
}
