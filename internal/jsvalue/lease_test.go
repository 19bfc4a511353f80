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
