package transform

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/cio-transformer/cio-transformer/internal/jsvalue"
	"github.com/cio-transformer/cio-transformer/transform/internal/js"
)

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
		got := unixSeconds(jsvalue.String(s), nil)
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
		if sec < -js.MaxTimeMillis/1000 || sec > js.MaxTimeMillis/1000 {
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
		if shape[i] == 'd' && (s[i] < '0' || s[i] > '9') || shape[i] != 'd' && s[i] != shape[i] {
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
		if dst.Len() != jsvalue.UTF16Len(key) {
			t.Errorf("spreading %q gave %d keys, want %d", key, dst.Len(), jsvalue.UTF16Len(key))
		}
		if got, want := "{"+string(js.AppendSpread(nil, key))+"}", string(dst.AppendJSON(nil)); got != want {
			t.Errorf("js.AppendSpread(%q) = %s, the spread object encodes as %s", key, got, want)
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
		if len(raw) != jsvalue.UTF16Len(siteID)+1+jsvalue.UTF16Len(apiKey) {
			t.Errorf("basicAuth(%q, %q) encodes %d bytes", siteID, apiKey, len(raw))
		}
	})
}
