package transform

import (
	"testing"
	"unicode/utf8"

	"github.com/cio-transformer/cio-transformer/internal/jsvalue"
	"github.com/cio-transformer/cio-transformer/transform/internal/js"
)

// TestRequestWellFormed maps events whose user id, anonymous id or path ids
// are ASCII, beyond ASCII, or hold a lone surrogate, through every kind of
// request the mapping builds, and checks Request.WellFormed: set only when
// Endpoint and UserID are ASCII, and set for the plain ASCII cases, which
// the server then passes on without reading them again.
func TestRequestWellFormed(t *testing.T) {
	t.Parallel()
	dest := NewDestination(DestinationConfig{SiteID: "s", APIKey: "k"})
	for _, tt := range []struct {
		event string
		want  bool // WellFormed
	}{
		{`{"type":"identify","userId":"u-1","traits":{"email":"x@y.z"}}`, true},
		{`{"type":"identify","userId":42,"traits":{"email":"x@y.z"}}`, true},
		{`{"type":"identify","userId":{"a":1},"traits":{"email":"x@y.z"}}`, true},
		{`{"type":"identify","userId":"é-1","traits":{"email":"x@y.z"}}`, false},
		{`{"type":"identify","userId":"a b","traits":{"email":"x@y.z"}}`, true},
		{`{"type":"identify","userId":["a\ud800"],"traits":{"email":"x@y.z"}}`, false},
		{`{"type":"identify","userId":["é"],"traits":{"email":"x@y.z"}}`, false},
		{`{"type":"identify","userId":["u"],"traits":{"email":"x@y.z"}}`, false},
		{`{"type":"identify","anonymousId":"\udc00x","traits":{"email":"x@y.z"}}`, false},
		{`{"type":"identify","anonymousId":"é","traits":{"email":"x@y.z"}}`, false},
		{`{"type":"identify","anonymousId":"a-1","traits":{"email":"x@y.z"}}`, true},
		{`{"type":"identify","anonymousId":7,"traits":{"email":"x@y.z"}}`, true},
		{`{"type":"track","event":"e","userId":"u-1"}`, true},
		{`{"type":"track","event":"e","userId":["u\ud800"]}`, false},
		{`{"type":"track","event":"e","userId":"ü"}`, false},
		{`{"type":"track","event":"e","anonymousId":"\udc00x"}`, false},
		{`{"type":"track","event":"e","anonymousId":"a\ud83d\ude00"}`, false},
		{`{"type":"track","event":"e","anonymousId":"a-1"}`, true},
		{`{"type":"track","event":"e","anonymousId":["a","\udc00"]}`, false},
		{`{"type":"page","name":"p","userId":"u-1","anonymousId":"\udc00"}`, true},
		{`{"type":"screen","name":"s","userId":["\udc00"],"anonymousId":"a"}`, false},
		{`{"type":"alias","userId":"u-1","previousId":"p-1"}`, true},
		{`{"type":"alias","userId":["u\udc00"],"previousId":"p-1"}`, false},
		{`{"type":"alias","userId":"ü","previousId":"p-1"}`, false},
		{`{"type":"track","event":"Application Installed","userId":"u-1","context":{"device":{"token":"t-1"}}}`, true},
		{`{"type":"track","event":"Application Uninstalled","userId":"u-1","context":{"device":{"token":"t-1"}}}`, true},
		{`{"type":"track","event":"Application Uninstalled","userId":"u-1","context":{"device":{"token":["t\udc00"]}}}`, false},
		{`{"type":"track","event":"Application Uninstalled","userId":"u-1","context":{"device":{"token":["é"]}}}`, false},
		{`{"type":"track","event":"Application Uninstalled","userId":"u-1","context":{"device":{"token":"é"}}}`, true},
		{`{"type":"track","event":"Application Uninstalled","userId":["u\udc00"],"context":{"device":{"token":"t"}}}`, false},
	} {
		r := transformText(t, tt.event, dest)
		if r.Err != nil {
			t.Fatalf("%s: %s", tt.event, r.Err.Message)
		}
		checkMarkedASCII(t, tt.event, r.Request)
		if r.Request.WellFormed != tt.want {
			t.Errorf("%s: WellFormed = %v, want %v (url %q, user id %q)", tt.event, r.Request.WellFormed, tt.want, r.Request.Endpoint, r.Request.UserID)
		}
	}
}

// TestBatchRequestWellFormed checks Request.WellFormed on the /api/v2/batch
// requests: a group object's batch of one, attributed to its user id, and a
// batch of many, attributed to none.
func TestBatchRequestWellFormed(t *testing.T) {
	t.Parallel()
	dest := NewDestination(DestinationConfig{SiteID: "s", APIKey: "k"})
	for _, tt := range []struct {
		event string
		want  bool
	}{
		{`{"type":"group","groupId":"g","userId":"u-1"}`, true},
		{`{"type":"group","groupId":"g","anonymousId":"x","userId":["é"]}`, false},
		{`{"type":"group","groupId":"g","userId":"é"}`, false},
		{`{"type":"group","groupId":"g","anonymousId":"\ud800"}`, false},
		{`{"type":"group","groupId":"g","userId":5}`, true},
	} {
		r := transformText(t, tt.event, dest)
		if r.Err != nil {
			t.Fatalf("%s: %s", tt.event, r.Err.Message)
		}
		req := batchOfOne(dest, r)
		checkMarkedASCII(t, tt.event, req)
		if req.WellFormed != tt.want {
			t.Errorf("%s: WellFormed = %v, want %v (user id %q)", tt.event, req.WellFormed, tt.want, req.UserID)
		}
	}
	req := new(batchRequest).fill(dest.batchURL, dest.auth, []byte(`{"batch":[]}`))
	checkMarkedASCII(t, "batch", req)
	if !req.WellFormed {
		t.Errorf("batch request: WellFormed = false")
	}
}

// checkMarkedASCII fails the test when req is marked WellFormed but its
// Endpoint or UserID is not ASCII.
func checkMarkedASCII(t *testing.T, name string, req *Request) {
	t.Helper()
	if req.WellFormed && (!asciiBytewise(req.Endpoint) || !asciiBytewise(req.UserID)) {
		t.Errorf("%s: WellFormed, but url %q or user id %q is not ASCII", name, req.Endpoint, req.UserID)
	}
}

// asciiBytewise reports whether s is ASCII, a byte at a time.
func asciiBytewise(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func TestIsASCII(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"", "a", "abcdefg", "abcdefgh", "abcdefghi", "0123456789abcdef0", "é", "abcdefgé", "abcdefghé", "é0123456789", loDC00, "x" + hiD83D} {
		if got, want := isASCII(s), asciiBytewise(s); got != want {
			t.Errorf("isASCII(%q) = %v, want %v", s, got, want)
		}
	}
}

// TestPathIDLoneSurrogate checks that a path id holding a lone surrogate,
// the person's id or the device token, fails with URI malformed, also where
// the URL does not carry it, and still now
// that request looks for lone surrogates only in the ids URI encoding
// changed: one that holds one is always changed, as its bytes are beyond
// ASCII.
func TestPathIDLoneSurrogate(t *testing.T) {
	t.Parallel()
	dest := NewDestination(DestinationConfig{SiteID: "s", APIKey: "k"})
	for _, event := range []string{
		`{"type":"identify","userId":"u\ud800","traits":{"email":"x@y.z"}}`,
		`{"type":"identify","userId":"\udc00","traits":{"email":"x@y.z"}}`,
		`{"type":"track","event":"e","userId":"abcdefghijklmnop\ud83d"}`,
		`{"type":"track","event":"Application Installed","userId":"u\udc00","context":{"device":{"token":"t"}}}`,
		`{"type":"track","event":"Application Uninstalled","userId":"u-1","context":{"device":{"token":"t\udc00"}}}`,
		`{"type":"track","event":"Application Uninstalled","userId":"u\udc00","context":{"device":{"token":"t"}}}`,
		// Upstream encodes the token and the id of every track, page and
		// screen first, whether or not the URL carries them, and before
		// it checks that a device deletion has both.
		`{"type":"track","event":"e","userId":"u","context":{"device":{"token":"a\ud83db"}}}`,
		`{"type":"page","anonymousId":"a","context":{"device":{"token":"\udc00"}}}`,
		`{"type":"screen","anonymousId":"a","traits":{"email":"x\ud800"}}`,
		`{"type":"track","event":"Application Uninstalled","userId":"a\udc00"}`,
	} {
		msg, err := jsvalue.Parse([]byte(event))
		if err != nil {
			t.Fatal(err)
		}
		if r := Transform(msg, dest); r.Err == nil || r.Err.Message != uriMalformed {
			t.Errorf("%s: %+v, want %q", event, r, uriMalformed)
		}
	}
	for _, s := range []string{loDC00, "a" + hiD83D, "é", "a b"} {
		if e := js.AppendURIComponent(nil, s); len(e) == len(s) {
			t.Errorf("AppendURIComponent(%q) = %q: kept as it is", s, e)
		}
	}
}
