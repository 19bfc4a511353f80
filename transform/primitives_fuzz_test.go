package transform

import (
	"encoding/base64"
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"
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
		throws := emailThrows(s)
		if throws && !jsvalue.HasLoneSurrogate(s) {
			t.Errorf("emailThrows(%q) without a lone surrogate", s)
		}
		if !throws && jsvalue.HasLoneSurrogate(s) && isEmail(s) {
			t.Errorf("isEmail(%q) holds for a lone surrogate", s)
		}
		if !isEmail(s) {
			return
		}
		at := strings.LastIndexByte(s, '@')
		if at < 1 || utf16Len(s) > emailMaxLength || at > emailMaxLocalBytes || !strings.Contains(s[at:], ".") {
			t.Errorf("isEmail(%q) holds for an address outside the limits", s)
		}
	})
}

func FuzzUnixSecondsString(f *testing.F) {
	for _, s := range []string{
		"2019-10-14T09:03:17.562Z", "2022-01-10T20:52:18.678+05:30", "2024-01-02", "2024",
		"+275760-09-13T00:00:00Z", "-271821-04-20T00:00:00Z", "2024-01-02T24:00:00Z",
		"2024-01-02T10:00:00.1234567Z", "Tue, 02 Jan 2024 10:00:00 GMT", "2 Jan 0049 10:00 +0100",
		"not a date", "", "2024-02-30", "-000000-01-01",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := unixSeconds(jsvalue.String(s))
		rfc, err := time.Parse(time.RFC3339Nano, s)
		isRFC3339 := err == nil && strictRFC3339(s)
		if got.IsNull() {
			if isRFC3339 {
				t.Errorf("unixSeconds(%q) = null, but it is RFC 3339 (%v)", s, rfc)
			}
			return
		}
		if !got.IsNumber() {
			t.Fatalf("unixSeconds(%q) = %s", s, got.AppendJSON(nil))
		}
		sec := got.Float()
		if sec < -maxTimeMillis/1000 || sec > maxTimeMillis/1000 {
			t.Errorf("unixSeconds(%q) = %v, outside the range of a Date", s, sec)
		}
		if isRFC3339 && float64(rfc.Unix()) != sec {
			t.Errorf("unixSeconds(%q) = %v, RFC 3339 gives %d", s, sec, rfc.Unix())
		}
	})
}

// strictRFC3339 reports whether s has the fixed-width fields of RFC 3339
// and an offset within ±23:59 (time.Parse also takes one-digit hours, a
// comma before the fraction and offset minutes up to 99).
func strictRFC3339(s string) bool {
	const shape = "dddd-dd-ddTdd:dd:dd"
	if len(s) < len(shape)+1 || strings.Contains(s, ",") {
		return false
	}
	if !fitsShape(s[:len(shape)], shape) {
		return false
	}
	zone := strings.TrimLeft(strings.TrimPrefix(s[len(shape):], "."), "0123456789")
	if zone == "Z" {
		return true
	}
	return len(zone) == 6 && (zone[0] == '+' || zone[0] == '-') && fitsShape(zone[1:], "dd:dd") &&
		zone[1:3] <= "23" && zone[4:6] <= "59"
}

// fitsShape reports whether s matches shape, where 'd' stands for a digit.
func fitsShape(s, shape string) bool {
	if len(s) != len(shape) {
		return false
	}
	for i := 0; i < len(shape); i++ {
		if shape[i] == 'd' && !isDigit(s[i]) || shape[i] != 'd' && s[i] != shape[i] {
			return false
		}
	}
	return true
}

func FuzzSetPath(f *testing.F) {
	for _, k := range []string{
		"dot.name", "a.b.c", `back\slash`, "lvl.b/c", "ab.value.1", "r.0", "t.", ".l", "p..q",
		"stats.1.5", "a.0x1f.b", "a. 2 .c", `a\`, "a.6553", "a.4294967294.b", "1e21.x", "",
	} {
		f.Add(k, []byte(`"v"`), true)
		f.Add(k, []byte(`{"x":[1]}`), false)
	}
	f.Fuzz(func(t *testing.T, key string, val []byte, escape bool) {
		v, err := jsvalue.Parse(val)
		if err != nil {
			v = jsvalue.String(string(val))
		}
		obj := parseTestValue(t, `{"a":{"b":[1,{"c":2}]},"x":"s","n":null,"l":[[]]}`)
		budget := newBudget(DefaultMaxEventBytes)
		for _, w := range []struct {
			key    string
			escape bool
		}{{key, escape}, {key + ".z", escape}, {strings.ToUpper(key), !escape}} {
			// The only failures are D9 and the budget, and both leave
			// valid JSON.
			if err := setPath(obj, w.key, v, w.escape, &budget); err != nil &&
				!strings.Contains(err.Message, "has an array index above") && !strings.HasPrefix(err.Message, "Event produces more than") {
				t.Fatalf("setPath(%q, %v): unexpected error %q", w.key, w.escape, err.Message)
			}
		}
		if out := obj.AppendJSON(nil); !json.Valid(out) {
			t.Fatalf("setPath(%q, %v) gave invalid JSON %s", key, escape, out)
		}
		// Deleting allocates nothing, but walking through an index past the
		// limit would (D9).
		if err := setPath(obj, key, jsvalue.Undefined(), escape, &budget); err != nil &&
			!strings.Contains(err.Message, "has an array index above") {
			t.Fatalf("deleting %q: %s", key, err.Message)
		}
		if out := obj.AppendJSON(nil); !json.Valid(out) {
			t.Fatalf("deleting %q gave invalid JSON %s", key, out)
		}
		dst := jsvalue.NewObject(0)
		budget = newBudget(DefaultMaxEventBytes)
		if err := spreadInto(dst, jsvalue.String(key), &budget); err != nil {
			t.Fatalf("spreading %q: %s", key, err.Message)
		}
		if dst.Len() != utf16Len(key) {
			t.Errorf("spreading %q gave %d keys, want %d", key, dst.Len(), utf16Len(key))
		}
		if got, want := "{"+string(appendSpread(nil, key))+"}", string(dst.AppendJSON(nil)); got != want {
			t.Errorf("appendSpread(%q) = %s, the spread object encodes as %s", key, got, want)
		}
	})
}

func FuzzEncodeURIComponent(f *testing.F) {
	for _, s := range []string{"user-1", "a@b.com", "a/b c+d", "€uro😀", "\x00\xff", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := encodeURIComponent(s)
		for i := 0; i < len(got); i++ {
			if c := got[i]; c >= utf8.RuneSelf || (!uriUnreserved[c] && c != '%') {
				t.Fatalf("encodeURIComponent(%q) = %q: byte %q left unencoded", s, got, c)
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
		got := truncateUTF8(s, n)
		if !strings.HasPrefix(s, got) || len(got) > max(n, 0) {
			t.Fatalf("truncateUTF8(%q, %d) = %q", s, n, got)
		}
		if utf8.ValidString(s) && !utf8.ValidString(got) {
			t.Errorf("truncateUTF8(%q, %d) = %q splits a character", s, n, got)
		}
		// Nor does it split a lone surrogate of a JavaScript string.
		if len(got) < len(s) && decodable(s) && !utf8.RuneStart(s[len(got)]) {
			t.Errorf("truncateUTF8(%q, %d) = %q splits a lone surrogate", s, n, got)
		}
	})
}

func FuzzBasicAuth(f *testing.F) {
	f.Add("customerio1", "customerio2")
	f.Add("sïte", "k€y")
	f.Add("s😀", "")
	f.Add("s\xed\xa0\xbd", "k\xed\xb0\x80")
	f.Fuzz(func(t *testing.T, siteID, apiKey string) {
		got := basicAuth(siteID, apiKey)
		enc, ok := strings.CutPrefix(got, "Basic ")
		if !ok {
			t.Fatalf("basicAuth = %q", got)
		}
		raw, err := base64.StdEncoding.DecodeString(enc)
		if err != nil {
			t.Fatalf("basicAuth = %q: %v", got, err)
		}
		if len(raw) != utf16Len(siteID)+1+utf16Len(apiKey) {
			t.Errorf("basicAuth(%q, %q) encodes %d bytes", siteID, apiKey, len(raw))
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
