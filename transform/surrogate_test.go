package transform

import (
	"strings"
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

func TestJSLowerKeepsLoneSurrogates(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"IDENTIFY", "identify"},
		{"A" + hiD83D + "B", "a" + hiD83D + "b"},
		{hiD83D, hiD83D},
		{"Ä" + loDC00 + "İ", "ä" + loDC00 + "i\u0307"},
		{"ÄB", "äb"},
	}
	for _, tt := range tests {
		if got := jsLower(tt.in); got != tt.want {
			t.Errorf("jsLower(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestEmailThrows(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want bool
	}{
		{"no surrogate", "a@b.co", false},
		{"surrogate in the local part", "a" + hiD83D + "@b.co", true},
		{"surrogate in the domain", "a@b" + loDC00 + ".co", true},
		{"no @: the whole string is the domain", "x" + loDC00, true},
		{"surrogate before the last @", "a" + loDC00 + "@b@c.co", true},
		{"local part over 64 bytes answers first", strings.Repeat("l", 65) + "@b" + hiD83D + ".co", false},
		{"local part of 64 bytes", strings.Repeat("l", 64) + "@b" + hiD83D + ".co", true},
		{"over 254 code units answers first", strings.Repeat("x", 254) + hiD83D, false},
		{"254 code units", strings.Repeat("x", 253) + hiD83D, true},
		{"a pair is no lone surrogate", "a😀@b.co", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := emailThrows(tt.in); got != tt.want {
				t.Errorf("emailThrows = %v, want %v", got, tt.want)
			}
			// Where isEmail answers rather than throws, a lone surrogate
			// makes it false.
			if !tt.want && jsvalue.HasLoneSurrogate(tt.in) && isEmail(tt.in) {
				t.Error("isEmail holds for a lone surrogate")
			}
		})
	}
}

func TestIdentifierKeyURIMalformed(t *testing.T) {
	t.Parallel()
	if _, err := identifierKey(jsvalue.String("a" + hiD83D + "@b.co")); err == nil || err.Message != uriMalformed || err.StatusCode != 400 {
		t.Fatalf("identifierKey error = %+v, want 400 %q", err, uriMalformed)
	}
	if k, err := identifierKey(jsvalue.String("a@b.co")); err != nil || k != "email" {
		t.Fatalf("identifierKey = %q, %v", k, err)
	}
}

func TestTruncateUTF8LoneSurrogate(t *testing.T) {
	t.Parallel()
	// Buffer.byteLength counts a lone surrogate as 3 bytes (its U+FFFD),
	// as many as it takes here, and truncate-utf8-bytes never splits it.
	tests := []struct {
		s    string
		n    int
		want string
	}{
		{strings.Repeat("x", 98) + hiD83D + "t", 100, strings.Repeat("x", 98)},
		{strings.Repeat("x", 97) + hiD83D + "t", 100, strings.Repeat("x", 97) + hiD83D},
		{hiD83D + loDC00, 5, hiD83D},
	}
	for _, tt := range tests {
		if got := truncateUTF8(tt.s, tt.n); got != tt.want {
			t.Errorf("truncateUTF8(%q, %d) = %q, want %q", tt.s, tt.n, got, tt.want)
		}
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
	if got := utf16Len("a" + hiD83D + loDE00 + "😀"); got != 5 {
		t.Fatalf("utf16Len = %d, want 5", got)
	}
}
