package jsvalue

import (
	"testing"
	"unicode/utf16"
)

func TestSurrogateStrings(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		json       string // a JSON string literal
		units      int    // its length in UTF-16 code units
		lone       bool   // whether it holds a lone surrogate
		wellFormed string // String#toWellFormed
		encoded    string // JSON.stringify
	}{
		{"ASCII", `"abc"`, 3, false, "abc", `"abc"`},
		{"pair", `"\ud83d\ude00"`, 2, false, "😀", `"😀"`},
		{"lone high inside", `"a\ud83db"`, 3, true, "a\uFFFDb", `"a\ud83db"`},
		{"lone low", `"\udc00"`, 1, true, "\uFFFD", `"\udc00"`},
		{"high at the end", `"x\uD83D"`, 2, true, "x\uFFFD", `"x\ud83d"`},
		{"low then high", `"\ude00\ud83d"`, 2, true, "\uFFFD\uFFFD", `"\ude00\ud83d"`},
		{"lone then pair", `"\ud800\ud83d\ude00"`, 3, true, "\uFFFD😀", `"\ud800😀"`},
		{"U+D7FF is no surrogate", `"\ud7ff"`, 1, false, "\ud7ff", "\"\ud7ff\""},
		{"U+E000 is no surrogate", `"\ue000"`, 1, false, "\ue000", "\"\ue000\""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			v := mustParse(t, tt.json)
			s := v.Str()
			if got := UTF16Len(s); got != tt.units {
				t.Errorf("UTF16Len = %d, want %d", got, tt.units)
			}
			if got := HasLoneSurrogate(s); got != tt.lone {
				t.Errorf("HasLoneSurrogate = %v, want %v", got, tt.lone)
			}
			if got := ToWellFormed(s); got != tt.wellFormed {
				t.Errorf("ToWellFormed = %q, want %q", got, tt.wellFormed)
			}
			if got := string(v.AppendJSON(nil)); got != tt.encoded {
				t.Errorf("AppendJSON = %s, want %s", got, tt.encoded)
			}
			// Decoding rune by rune gives the UTF-16 code units back.
			var units []uint16
			for i := 0; i < len(s); {
				r, size := DecodeRune(s[i:])
				units = utf16.AppendRune(units, r)
				if IsSurrogate(r) {
					units = append(units[:len(units)-1], uint16(r))
				}
				if last, n := DecodeLastRune(s[:i+size]); last != r || n != size {
					t.Errorf("DecodeLastRune at %d = %U/%d, want %U/%d", i, last, n, r, size)
				}
				if got := string(AppendRune(nil, r)); got != s[i:i+size] {
					t.Errorf("AppendRune(%U) = %q, want %q", r, got, s[i:i+size])
				}
				i += size
			}
			if len(units) != tt.units {
				t.Errorf("decoded %d code units, want %d", len(units), tt.units)
			}
		})
	}
}

func TestRawEncodedSurrogateIsInvalidUTF8(t *testing.T) {
	t.Parallel()
	// Raw bytes ED A0 80 are not UTF-8: Node.js reads them as three
	// U+FFFD, and so does Parse. Only an escape makes a lone surrogate.
	v := mustParse(t, "\"\xed\xa0\x80\"")
	if got, want := v.Str(), "\uFFFD\uFFFD\uFFFD"; got != want {
		t.Fatalf("Parse = %q, want %q", got, want)
	}
	if HasLoneSurrogate(v.Str()) {
		t.Fatal("HasLoneSurrogate = true")
	}
}
