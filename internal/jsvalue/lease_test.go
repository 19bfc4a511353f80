package jsvalue

import (
	"bytes"
	"strings"
	"testing"
)

// checkLeased checks that ParseLeased reads data as Parse read it into v,
// which encodes as out, twice over: the second time into the storage the
// first handed back, with every container of the first read (built) before.
func checkLeased(t *testing.T, data []byte, v Value, out []byte) {
	t.Helper()
	for range 2 {
		leased, lease, err := ParseLeased(data)
		if err != nil {
			t.Fatalf("ParseLeased: %v, Parse did not fail", err)
		}
		if !equal(v, leased) {
			t.Fatalf("ParseLeased of %q differs from Parse", data)
		}
		if got := leased.AppendJSON(nil); !bytes.Equal(got, out) {
			t.Fatalf("ParseLeased encodes %q, Parse %q", got, out)
		}
		lease.Release()
	}
}

func TestParseLeased(t *testing.T) {
	docs := []string{
		`{"a":{"b":[1,2,{"c":"d"}]},"e":[{"f":1},{"g":2}],"h":"i\n"}`,
		`{"x":[{"y":{"z":1}}]}`,
		`[[[]],{},{"a":{}},[{"b":[]}]]`,
		`{"a":1,"a":2,"b":{"c":3,"c":4}}`,
		`"text"`, `12`, `null`,
		`{"k":"` + strings.Repeat("v", 100<<10) + `"}`,
		`[` + strings.Repeat(`{},`, maxPooledIndexer) + `{}]`,
	}
	// Each document is read whole, so that its containers are built, then
	// handed back, and the next one parsed into the same storage must not
	// see any of it.
	for range 3 {
		for _, s := range docs {
			want, err := Parse([]byte(s))
			if err != nil {
				t.Fatal(err)
			}
			v, lease, err := ParseLeased([]byte(s))
			if err != nil {
				t.Fatalf("ParseLeased(%.40q): %v", s, err)
			}
			if !equal(want, v) {
				t.Fatalf("ParseLeased(%.40q) differs from Parse", s)
			}
			got := v.AppendJSON(nil)
			if wantText := want.AppendJSON(nil); !bytes.Equal(got, wantText) {
				t.Fatalf("ParseLeased(%.40q) encodes %.80q, want %.80q", s, got, wantText)
			}
			lease.Release()
		}
	}
}

func TestParseLeasedError(t *testing.T) {
	for _, s := range []string{``, `{`, `{"a":}`, `[1,]`, strings.Repeat("[", MaxDepth+1)} {
		v, lease, err := ParseLeased([]byte(s))
		if err == nil || lease != nil || v.Kind() != KindUndefined {
			t.Errorf("ParseLeased(%.20q) = %v, %v, %v; want an error alone", s, v.Kind(), lease, err)
		}
	}
	if v, lease, err := ParseLeased([]byte(`{"ok":true}`)); err != nil || !v.Get("ok").Truthy() {
		t.Fatalf("after errors, ParseLeased = %v, %v", v, err)
	} else {
		lease.Release()
	}
}

// TestLeaseReleaseKeepsStrings checks that strings read from a leased
// document, escaped ones among them, outlive the lease.
func TestLeaseReleaseKeepsStrings(t *testing.T) {
	v, lease, err := ParseLeased([]byte(`{"plain":"abc","escaped":"a\u00e9\n"}`))
	if err != nil {
		t.Fatal(err)
	}
	plain, escaped := v.Get("plain").Str(), v.Get("escaped").Str()
	lease.Release()
	for range 4 {
		_, l, err := ParseLeased([]byte(`{"other":"xyz","more":"q\u00e8\t"}`))
		if err != nil {
			t.Fatal(err)
		}
		l.Release()
	}
	if plain != "abc" || escaped != "a\u00e9\n" {
		t.Fatalf("strings read before release became %q, %q", plain, escaped)
	}
}

func TestLeaseReleasedTwice(t *testing.T) {
	_, lease, err := ParseLeased([]byte(`{"a":1}`))
	if err != nil {
		t.Fatal(err)
	}
	lease.Release()
	defer func() {
		if recover() == nil {
			t.Error("a second Release did not panic")
		}
	}()
	lease.Release()
}

// parseInto parses data into l as ParseLeased does, for tests that keep
// one lease out of the pool.
func parseInto(t *testing.T, l *Lease, data string) Value {
	t.Helper()
	if err := l.x.index([]byte(data)); err != nil {
		t.Fatalf("index %q: %v", data, err)
	}
	return l.document([]byte(data))
}

// TestLeaseContainersOfEarlierDocuments checks that the containers an
// earlier document left in a lease (placed, searched, built) read as the
// next document's own: each document reads as Parse reads it, whatever
// the one before read.
func TestLeaseContainersOfEarlierDocuments(t *testing.T) {
	docs := []string{
		`{"a":{"k":1,"l":[1,2]},"b":[{"c":1}]}`,
		`{"z":"long text","y":{"q":[true]},"a":{"k":2},"b":[]}`,
		`[{"k":3},{"a":{"k":4}},[[{"k":5}]]]`,
		`{"a":{"k":6,"k":7},"b":[{"c":{"d":8}}]}`,
	}
	var l Lease
	for round := range 3 {
		for i, s := range docs {
			want, err := Parse([]byte(s))
			if err != nil {
				t.Fatal(err)
			}
			v := parseInto(t, &l, s)
			// Search every object a few times before reading it whole,
			// and build one container in the even rounds.
			for range 4 {
				_ = v.Get("a").Get("k")
				_ = v.Get("b").Get("0").Get("c")
				_ = v.Get("1").Get("a").Get("k")
			}
			if round%2 == 0 && v.Get("a").IsObject() {
				v.Get("a").Set("added", Number(float64(i)))
				want.Get("a").Set("added", Number(float64(i)))
			}
			if got, wantText := v.AppendJSON(nil), want.AppendJSON(nil); !bytes.Equal(got, wantText) {
				t.Fatalf("round %d, document %d reads %s, want %s", round, i, got, wantText)
			}
			l.empty()
			for j := range l.cs[:cap(l.cs)] {
				if c := &l.cs[:cap(l.cs)][j]; c.storage != nil {
					t.Fatalf("round %d, document %d: container %d keeps storage once the lease is handed back", round, i, j)
				}
			}
			if l.d.src != "" {
				t.Fatalf("round %d, document %d: the lease keeps the text once handed back", round, i)
			}
		}
	}
}

// TestLeaseGenerationsComeRound checks that a container left 65,536
// documents back does not pass for one of the current document when the
// generations wrap.
func TestLeaseGenerationsComeRound(t *testing.T) {
	var l Lease
	v := parseInto(t, &l, `{"a":{"k":1}}`)
	if got := v.Get("a").Get("k").Float(); got != 1 {
		t.Fatalf("first document: a.k = %v, want 1", got)
	}
	gen := l.d.gen
	l.empty()
	// As if 65,535 documents had been leased since, none reading a
	// container: the next one has the first one's generation again.
	l.d.gen = 0xFFFF
	v = parseInto(t, &l, `{"z":"long text","y":"x","a":{"k":2}}`)
	if l.d.gen != gen {
		t.Fatalf("the generation is %d after the wrap, want %d", l.d.gen, gen)
	}
	if got := v.Get("a").Get("k").Float(); got != 2 {
		t.Fatalf("second document, with the first's generation: a.k = %v, want 2", got)
	}
	l.empty()
}
