package transform

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/cio-transformer/cio-transformer/internal/jsvalue"
)

// fuzzDests are the destinations a fuzzed event is mapped for.
var fuzzDests = []*Destination{
	NewDestination(DestinationConfig{SiteID: "site", APIKey: "key"}),
	NewDestination(DestinationConfig{SiteID: "site", APIKey: "key", EU: true}),
	NewDestination(DestinationConfig{SiteID: "site", APIKey: "key", DeviceTokenEventName: "Registered"}),
	NewDestination(DestinationConfig{SiteID: "site"}),
}

// fuzzArena is an arena the fuzz targets map each input into as well,
// reused from one input to the next, as TransformBatch reuses a message's.
var fuzzArena Arena

// checkArena checks that job, mapped in mode m into fuzzArena, whose
// storage earlier inputs used, gives want, its result mapped without an
// arena, and resets the arena.
func checkArena(t *testing.T, m Mode, job Job, dest *Destination, want Result) {
	t.Helper()
	defer fuzzArena.Reset()
	if got, w := dumpResult(m.MapIn(&fuzzArena, job, dest)), dumpResult(want); got != w {
		t.Fatalf("mapped into an arena:\n%.400s\nwithout:\n%.400s", got, w)
	}
}

// FuzzTransform maps arbitrary event JSON and checks the properties every
// outcome has: no panic, exactly one outcome, status 400 on errors only,
// Customer.io URLs, JSON bodies within the per-event cap and objects within
// the object limit, at least one ordering key on success, the message
// left unmodified, the same Result mapped from the raw bytes, which owns
// its text (checkOwnsText), and mapped into an arena earlier inputs used
// (checkArena).
func FuzzTransform(f *testing.F) {
	paths, err := filepath.Glob(filepath.Join(goldenDir, "*.json"))
	if err != nil {
		f.Fatal(err)
	}
	for i, path := range paths {
		c := readGolden[goldenCase](f, path)
		f.Add([]byte(c.Event), uint8(i))
	}
	f.Add([]byte(`{"type":"identify","userId":"u","traits":{"a.b.c":{"d":1},"a.b":[1],"x\\.y.0":2},"user_properties":{"a.b":{"e":1}}}`), uint8(0))
	f.Add([]byte(`{"type":"track","event":"Application Installed","userId":0,"properties":"s😀","context":{"device":{"token":[1],"type":"iOS"}}}`), uint8(2))
	f.Add([]byte(`{"type":"group","groupId":{},"traits":{"objectTypeId":[],"action":"delete"},"context":{"mappedToDestination":1,"externalId":[{"id":5,"identifierType":"a.0.b"}]}}`), uint8(1))
	f.Add([]byte(`{"type":"alias","userId":"a\ud83d@b.co","previousId":"\udc00","traits":{"k\ud800":"\uDFFF"}}`), uint8(0))
	f.Add([]byte(`{"type":"track","event":"Application Uninstalled","userId":"u","properties":"\ud83d\ude00\ud83d","context":{"device":{"token":"t\ud800"}}}`), uint8(2))
	f.Add([]byte(`{"type":"page","anonymousId":"\udc00","name":"\ud83d"}`), uint8(1))
	f.Add([]byte(`{"type":"identify","channel":"sources","userId":"u","context":{"timestamp":0,"traits":{"timestamp":"2021-01-01"}},"traits":{"timestamp":[]}}`), uint8(0))
	f.Add([]byte(`{"type":"track","channel":"sources","event":"e","properties":{"timestamp":"x"},"context":{"traits":{"email":"a@b.co"}}}`), uint8(1))
	f.Add([]byte(`null`), uint8(0))

	f.Fuzz(func(t *testing.T, event []byte, d uint8) {
		msg, err := jsvalue.Parse(event)
		if err != nil {
			return
		}
		dest := fuzzDests[int(d)%len(fuzzDests)]
		before := msg.AppendJSON(nil)
		r := Transform(msg, dest)
		if after := msg.AppendJSON(nil); !bytes.Equal(before, after) {
			t.Fatalf("message modified:\n%s\n%s", before, after)
		}
		checkOwnsText(t, event, dest, r)
		checkArena(t, Mode{}, Job{Event: msg}, dest, r)
		outcomes := 0
		for _, set := range []bool{r.Request != nil, r.Object != nil, r.Err != nil} {
			if set {
				outcomes++
			}
		}
		if outcomes != 1 {
			t.Fatalf("%d outcomes: %+v", outcomes, r)
		}
		// JSON is valid UTF-8, a lone surrogate an escape in it.
		checkWellFormed(t, r)
		switch {
		case r.Err != nil:
			if r.Err.StatusCode != 400 || r.Err.Category != CategoryDataValidation || r.Err.Message == "" ||
				(r.Err.Type != TypeInstrumentation && r.Err.Type != TypeConfiguration) {
				t.Fatalf("error %+v", r.Err)
			}
			if len(r.Keys) != 0 {
				t.Fatalf("keys on an error: %q", r.Keys)
			}
			return
		case r.Request != nil:
			req := r.Request
			if !strings.HasPrefix(req.Endpoint, "https://track.customer.io/") && !strings.HasPrefix(req.Endpoint, "https://track-eu.customer.io/") {
				t.Fatalf("endpoint %q", req.Endpoint)
			}
			if !json.Valid(req.Body) {
				t.Fatalf("body is not JSON: %q", req.Body)
			}
			if len(req.Body) > DefaultMaxEventBytes {
				t.Fatalf("body of %d bytes, over the per-event cap", len(req.Body))
			}
			if len(req.Headers) != 1 || req.Headers[0].Name != "Authorization" {
				t.Fatalf("headers %+v", req.Headers)
			}
		default:
			if !json.Valid(r.Object) {
				t.Fatalf("object is not JSON: %q", r.Object)
			}
			if len(r.Object) > MaxObjectBytes {
				t.Fatalf("object of %d bytes", len(r.Object))
			}
			req := BatchOfOne(dest, r)
			if !strings.HasPrefix(req.Endpoint, "https://track.customer.io/") && !strings.HasPrefix(req.Endpoint, "https://track-eu.customer.io/") {
				t.Fatalf("endpoint %q", req.Endpoint)
			}
			if !json.Valid(req.Body) {
				t.Fatalf("batch body is not JSON: %q", req.Body)
			}
		}
		if len(r.Keys) == 0 {
			t.Fatalf("no ordering keys: %+v", r)
		}
	})
}

// checkWellFormed fails unless r's JSON is valid UTF-8 and its other
// strings are JavaScript strings: UTF-8 but for lone surrogates, which
// jsvalue.ToWellFormed makes valid UTF-8 for a protobuf string.
func checkWellFormed(t *testing.T, r Result) {
	t.Helper()
	json := []string{string(r.Object)}
	texts := []string{r.UserID}
	if r.Err != nil {
		texts = append(texts, r.Err.Message)
	}
	if req := r.Request; req != nil {
		json = append(json, string(req.Body))
		texts = append(texts, req.Endpoint, req.UserID)
		checkMarkedASCII(t, "request", req)
	}
	for _, s := range json {
		if !utf8.ValidString(s) {
			t.Fatalf("invalid UTF-8 in JSON: %q", s)
		}
	}
	for _, s := range texts {
		if !decodable(s) || !utf8.ValidString(jsvalue.ToWellFormed(s)) {
			t.Fatalf("not a JavaScript string: %q", s)
		}
	}
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
