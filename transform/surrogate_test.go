package transform

import (
	"testing"

	"github.com/cio-transformer/cio-transformer/internal/jsvalue"
)

// Lone UTF-16 surrogates through the string operations of the mapping. A
// lone surrogate is held as the three bytes ED A0..BF 80..BF of its code
// point (see jsvalue.DecodeRune); these constants name a few.
const (
	hiD83D = "\xed\xa0\xbd" // \ud83d, the high half of U+1F600
	loDE00 = "\xed\xb8\x80" // \ude00, its low half
	loDC00 = "\xed\xb0\x80" // \udc00
)

func TestIdentifierKeyURIMalformed(t *testing.T) {
	t.Parallel()
	if _, err := identifierKey(jsvalue.String("a" + hiD83D + "@b.co")); err == nil || err.Message != uriMalformed || err.StatusCode != 400 {
		t.Fatalf("identifierKey error = %+v, want 400 %q", err, uriMalformed)
	}
	if k, err := identifierKey(jsvalue.String("a@b.co")); err != nil || k != "email" {
		t.Fatalf("identifierKey = %q, %v", k, err)
	}
}

func TestSpreadStringIntoCodeUnits(t *testing.T) {
	t.Parallel()
	dst := jsvalue.NewObject(0)
	b := newBudget(DefaultMaxEventBytes)
	if err := spreadInto(dst, jsvalue.String("a😀"+loDC00), &b); err != nil {
		t.Fatal(err)
	}
	if got, want := string(dst.AppendJSON(nil)), `{"0":"a","1":"\ud83d","2":"\ude00","3":"\udc00"}`; got != want {
		t.Fatalf("{...\"a😀\\udc00\"} = %s, want %s", got, want)
	}
}

func TestBasicAuthLoneSurrogate(t *testing.T) {
	t.Parallel()
	// btoa keeps the low byte of each code unit: 0x3D for \ud83d.
	if got, want := basicAuth("s"+hiD83D, "k"), "Basic cz06aw=="; got != want {
		t.Fatalf("basicAuth = %q, want %q", got, want)
	}
}

func TestUTF16LenLoneSurrogate(t *testing.T) {
	t.Parallel()
	if got := jsvalue.UTF16Len("a" + hiD83D + loDE00 + "😀"); got != 5 {
		t.Fatalf("utf16Len = %d, want 5", got)
	}
}
