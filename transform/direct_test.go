package transform

import (
	"strings"
	"testing"

	"github.com/cio-transformer/cio-transformer/internal/jsvalue"
)

// The bodies written directly, member by member, must be byte for byte the
// bodies built as objects and encoded, which the conformance corpus checks
// against upstream. These tests compare the two on the same events.

// loadedEvent returns the event of text as mapV1 reads it, before mapping.
func loadedEvent(t *testing.T, text string) *event {
	t.Helper()
	msg, err := jsvalue.Parse([]byte(text))
	if err != nil {
		t.Fatal(err)
	}
	ev := &event{budget: newBudget(DefaultMaxEventBytes)}
	ev.load(msg, true)
	if err := ev.dispatch(); err != nil {
		t.Fatalf("dispatch: %s", err.Message)
	}
	if ev.retl {
		if err := ev.applyRETL(); err != nil {
			t.Fatalf("retl: %s", err.Message)
		}
	}
	ev.resolve()
	return ev
}

// TestPlainDeviceBody checks that a device body written directly is the
// body built as upstream builds it, and that properties it cannot write are
// left to the built body.
func TestPlainDeviceBody(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, props string
		plain       bool
	}{
		{"none", ``, true},
		{"null", `,"properties":null`, true},
		{"number", `,"properties":12`, true},
		{"bool", `,"properties":true`, true},
		{"empty", `,"properties":{}`, true},
		{"members", `,"properties":{"version":"3.1.0","build":"312","from_background":true,"n":[1,{"a":null}],"x":1e21}`, true},
		{"spaced", `,"properties":{ "a" : [ 1 , 2 ] , "b" : { "c" : "\u00e9\ud800" } }`, true},
		{"duplicates", `,"properties":{"a":1,"b":2,"a":3}`, true},
		{"index keys", `,"properties":{"b":1,"0":2,"1":3}`, true},
		{"escaped key", `,"properties":{"\u0069d":1}`, false},
		{"id", `,"properties":{"p":1,"id":"dropped"}`, false},
		{"last_used", `,"properties":{"last_used":1}`, false},
		{"platform", `,"properties":{"platform":"web"}`, false},
		{"array", `,"properties":[1,2]`, false},
		{"string", `,"properties":"ab"`, false},
	} {
		for _, typ := range []string{`"iOS"`, `"Android"`, `"WatchOS"`, `""`, `"İOS"`, `7`, `null`} {
			for _, ts := range []string{``, `,"timestamp":"2020-01-09T10:01:53.558Z"`, `,"timestamp":0,"originalTimestamp":1578564113000`, `,"timestamp":"bad"`} {
				text := `{"type":"track","event":"Application Opened","userId":"u"` + tc.props + ts +
					`,"context":{"device":{"token":"t","type":` + typ + `}}}`
				ev := loadedEvent(t, text)
				if got := plainDeviceProperties(ev.properties); got != tc.plain {
					t.Errorf("%s: plainDeviceProperties = %v, want %v", tc.name, got, tc.plain)
				}
				if !tc.plain {
					continue
				}
				got := ev.plainDeviceBody()
				want, err := loadedEvent(t, text).builtDeviceBody()
				if err != nil {
					t.Fatal(err.Message)
				}
				if string(got.body) != string(want.body) {
					t.Errorf("%s %s %s:\n got %s\nwant %s", tc.name, typ, ts, got.body, want.body)
				}
			}
		}
	}
}

// TestScreenEventName checks that a screen's name written in parts is the
// name made and encoded whole, and that a device event name matches it
// exactly when equal to it.
func TestScreenEventName(t *testing.T) {
	t.Parallel()
	for _, inner := range []string{
		"", "Home", `a "quoted" \\ name`, "tab\tnew\nline\x00", "é 日本 😀",
		"\xed\xa0\x80", "\xed\xb0\x80x", "x\xed\xa0\x80", "\xed\xa0\x80\xed\xb0\x80",
		"\xff", "a\xc3", "\x80b", "\u2028\u2029", "undefined", "[object Object]",
	} {
		whole := screenPrefix + inner + screenSuffix
		got := eventName{screen: true, inner: inner}.appendTo([]byte("x"))
		want := jsvalue.String(whole).AppendJSON([]byte("x"))
		if string(got) != string(want) {
			t.Errorf("%q: got %s, want %s", inner, got, want)
		}
		if !isScreenEventName(whole, inner) {
			t.Errorf("%q: its own name does not match", inner)
		}
		for _, other := range []string{whole + " ", "Viewed " + inner, inner, "viewed " + inner + " Screen", "Viewed  " + inner + " Screen"} {
			if isScreenEventName(other, inner) {
				t.Errorf("%q: %q matches", inner, other)
			}
		}
	}
}

// TestDirectIdentifyBody checks that an identify body written directly is
// the body built through set-value key paths, for traits and for context
// traits, and that traits it cannot write are left to the built body.
func TestDirectIdentifyBody(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, traits string
		direct       bool
	}{
		{"empty", `{}`, true},
		{"plain", `{"email":"a@b.co","firstName":"Ann","plan":"pro","n":1.50,"x":[1,{"y":null}],"ok":false}`, true},
		{"reserved", `{"userId":"u2","anonymousId":"a2","createdAt":"2020-01-09T10:01:53Z","name":"N"}`, true},
		{"address", `{"name":"N","address":{"street":"1 Main","city":"Paris","postalCode":"75001","country":"FR","extra":1},"phone":"+1"}`, true},
		{"address not an object", `{"address":"Main Street 1","a":1}`, true},
		{"dotted", `{"email":"a@b.co","preferences.newsletter":true,"phone":"+1"}`, true},
		{"dotted forms", `{"_a.b":1,"$c.d":{"e":2},"f.":3,"g.0":4,"h.__proto__":5}`, true},
		{"spaced and escaped", `{ "a" : 1 , "b\u002ec" : { "d" : [ 1 , 2 ] }, "\u0065t\u0065" : "\ud800\u00e9" }`, true},
		{"not ASCII", `{"\u00e9t\u00e9":1}`, false},
		{"duplicates", `{"a":1,"b.c":2,"a":3}`, true},
		{"dotted over its prefix", `{"preferences":{"newsletter":false},"preferences.newsletter":true}`, false},
		{"dotted under its prefix", `{"preferences.newsletter":true,"preferences":{"newsletter":false}}`, false},
		{"two dots", `{"a.b.c":1}`, false},
		{"backslash", `{"a\\.b":1}`, false},
		{"slash", `{"a/b.c":1}`, false},
		{"index", `{"0":1}`, false},
		{"numeric dotted", `{"1.5":1}`, false},
		{"leading dot", `{".a":1}`, false},
		{"literal address", `{"address.city":"Paris"}`, false},
		{"address attribute", `{"city":"Paris"}`, false},
		{"created_at", `{"created_at":1}`, false},
		{"_timestamp", `{"_timestamp":1}`, false},
		{"anonymous_id", `{"anonymous_id":"x"}`, false},
	} {
		for _, where := range []string{`"traits":%s`, `"context":{"traits":%s}`, `"traits":null,"context":{"traits":%s}`} {
			for _, tail := range []string{``, `,"anonymousId":"anon","timestamp":"2020-01-09T10:01:53.558Z"`} {
				text := `{"type":"identify","userId":"u",` + strings.Replace(where, "%s", tc.traits, 1) + tail + `}`
				ev := loadedEvent(t, text)
				root, keysFrom := ev.traitSources()
				if !keysFrom.IsObject() {
					t.Fatalf("%s: traits are not an object", tc.name)
				}
				if got := directTraits(keysFrom, ev.rootIDs(root)); got != tc.direct {
					t.Errorf("%s in %s: directTraits = %v, want %v", tc.name, where, got, tc.direct)
				}
				if !tc.direct {
					continue
				}
				got := ev.plainIdentifyBody(keysFrom, ev.rootIDs(root).address)
				built := loadedEvent(t, text)
				want, err := built.builtIdentifyBody(built.traitSources())
				if err != nil {
					t.Fatal(err.Message)
				}
				if string(got.body) != string(want.body) {
					t.Errorf("%s in %s:\n got %s\nwant %s", tc.name, where, got.body, want.body)
				}
			}
		}
	}
}
