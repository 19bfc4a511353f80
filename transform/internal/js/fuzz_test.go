package js

import (
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/cio-transformer/cio-transformer/internal/jsvalue"
)

func FuzzIsEmail(f *testing.F) {
	for _, s := range []string{
		"a@b.co", "a@b", `"q uoted"@x.io`, `"@x.io`, `"a\"@x.io`, "用户@例子.中国",
		"a@b.xn--p1ai", "a@😀.com", "a@b.😀😀", " a@b.com", "a@[127.0.0.1]", "",
		strings.Repeat("x", 64) + "@x.io", "a@" + strings.Repeat("x", 63) + ".com",
		"a\xed\xa0\xbd@b.co", "a@b\xed\xb0\x80.co", "\xed\xb0\x80", strings.Repeat("l", 65) + "@b\xed\xa0\xbd.co",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		throws := IsEmailThrows(s)
		if throws && !jsvalue.HasLoneSurrogate(s) {
			t.Errorf("IsEmailThrows(%q) without a lone surrogate", s)
		}
		if !throws && jsvalue.HasLoneSurrogate(s) && IsEmail(s) {
			t.Errorf("IsEmail(%q) holds for a lone surrogate", s)
		}
		if !IsEmail(s) {
			return
		}
		at := strings.LastIndexByte(s, '@')
		if at < 1 || jsvalue.UTF16Len(s) > emailMaxLength || at > emailMaxLocalBytes || !strings.Contains(s[at:], ".") {
			t.Errorf("IsEmail(%q) holds for an address outside the limits", s)
		}
	})
}

func FuzzEncodeURIComponent(f *testing.F) {
	for _, s := range []string{"user-1", "a@b.com", "a/b c+d", "€uro😀", "\x00\xff", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := EncodeURIComponent(s)
		for i := 0; i < len(got); i++ {
			if c := got[i]; c >= utf8.RuneSelf || (!uriUnreserved[c] && c != '%') {
				t.Fatalf("EncodeURIComponent(%q) = %q: byte %q left unencoded", s, got, c)
			}
		}
		if back, err := url.PathUnescape(got); err != nil || back != s {
			t.Errorf("PathUnescape(%q) = %q, %v; want %q", got, back, err, s)
		}
	})
}

func FuzzTruncateUTF8(f *testing.F) {
	f.Add(strings.Repeat("€", 40), 100)
	f.Add("a😀b", 4)
	f.Add("\xf0\x9f\x98", 2)
	f.Add(strings.Repeat("x", 98)+"\xed\xa0\xbdt", 100)
	f.Add("\xed\xa0\xbd\xed\xb0\x80", 4)
	f.Fuzz(func(t *testing.T, s string, n int) {
		got := TruncateUTF8Bytes(s, n)
		if !strings.HasPrefix(s, got) || len(got) > max(n, 0) {
			t.Fatalf("TruncateUTF8Bytes(%q, %d) = %q", s, n, got)
		}
		if utf8.ValidString(s) && !utf8.ValidString(got) {
			t.Errorf("TruncateUTF8Bytes(%q, %d) = %q splits a character", s, n, got)
		}
		// Nor does it split a lone surrogate of a JavaScript string.
		if len(got) < len(s) && decodable(s) && !utf8.RuneStart(s[len(got)]) {
			t.Errorf("TruncateUTF8Bytes(%q, %d) = %q splits a lone surrogate", s, n, got)
		}
	})
}

// decodable reports whether s is UTF-8 with lone surrogates, as a string
// of the mapping is: no byte decodes as an error.
func decodable(s string) bool {
	for i := 0; i < len(s); {
		r, size := jsvalue.DecodeRune(s[i:])
		if r == utf8.RuneError && size == 1 {
			return false
		}
		i += size
	}
	return true
}
