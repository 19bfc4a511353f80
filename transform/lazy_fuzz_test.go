package transform

import (
	"bytes"
	"path/filepath"
	"slices"
	"testing"

	"github.com/cio-transformer/cio-transformer/internal/eventmix"
	"github.com/cio-transformer/cio-transformer/internal/jsvalue"
)

// FuzzTransformUnread maps each event twice: as Parse returns it, its
// containers unread text, and fully built. Both must give the same result,
// byte for byte: reading a message as it goes, and copying what it does not
// read, changes nothing.
func FuzzTransformUnread(f *testing.F) {
	paths, err := filepath.Glob(filepath.Join(goldenDir, "*.json"))
	if err != nil {
		f.Fatal(err)
	}
	for i, path := range paths {
		f.Add([]byte(readGolden[goldenCase](f, path).Event), uint8(i))
	}
	for i, be := range benchEvents {
		f.Add([]byte(be.event), uint8(i))
	}
	for i, e := range eventmix.Generate(2, 40) {
		f.Add(e.JSON, uint8(i))
	}
	f.Add([]byte(`{"type":"group","groupId":"g","traits":{"action":"delete","a":{"b":[1]},"action":"add_relationships"},"userId":0}`), uint8(0))
	f.Add([]byte(`{"type":"identify","userId":"u","traits":{"a.b":{"c":1},"a.b.d":2,"x":1.0},"user_properties":{"a.b":{"e":1}}}`), uint8(1))

	f.Fuzz(func(t *testing.T, event []byte, d uint8) {
		msg, err := jsvalue.Parse(event)
		if err != nil {
			return
		}
		// Copying reads every container, so the copy is of a second parse.
		again, err := jsvalue.Parse(event)
		if err != nil {
			t.Fatal(err)
		}
		built := deepCopy(again)
		dest := fuzzDests[int(d)%len(fuzzDests)]
		got, want := Transform(msg, dest), Transform(built, dest)
		if diff := resultDiff(got, want); diff != "" {
			t.Fatalf("unread and built messages map differently: %s", diff)
		}
	})
}

// resultDiff describes the first difference between two results, "" when
// they are the same.
func resultDiff(a, b Result) string {
	switch {
	case (a.Err == nil) != (b.Err == nil):
		return "one is an error"
	case a.Err != nil && *a.Err != *b.Err:
		return "errors " + a.Err.Message + " and " + b.Err.Message
	case (a.Request == nil) != (b.Request == nil):
		return "one is a request"
	case !bytes.Equal(a.Object, b.Object):
		return "objects " + string(a.Object) + " and " + string(b.Object)
	case a.UserID != b.UserID:
		return "user ids " + a.UserID + " and " + b.UserID
	case !slices.Equal(a.Keys, b.Keys):
		return "keys differ"
	}
	if a.Request == nil {
		return ""
	}
	x, y := a.Request, b.Request
	switch {
	case x.Method != y.Method || x.Endpoint != y.Endpoint || x.EndpointPath != y.EndpointPath:
		return "requests " + x.Method + " " + x.Endpoint + " and " + y.Method + " " + y.Endpoint
	case !slices.Equal(x.Headers, y.Headers):
		return "headers differ"
	case !bytes.Equal(x.Body, y.Body):
		return "bodies " + string(x.Body) + " and " + string(y.Body)
	case x.UserID != y.UserID:
		return "request user ids " + x.UserID + " and " + y.UserID
	}
	return ""
}
