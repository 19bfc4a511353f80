package transform

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/cio-transformer/cio-transformer/internal/jsvalue"
)

// FuzzBatchPayload maps arbitrary event and connection JSON in API mode v2
// and checks the properties every outcome has: no panic, exactly one
// outcome (an object or an error), status 400 on errors, objects that are
// JSON within the object limit and carry a person or object type, at least
// one ordering key on success, the inputs left unmodified, and the same
// Result mapped into an arena earlier inputs used (checkArena).
func FuzzBatchPayload(f *testing.F) {
	paths, err := filepath.Glob(filepath.Join(goldenV2Dir, "*.json"))
	if err != nil {
		f.Fatal(err)
	}
	for i, path := range paths {
		c := readGolden[goldenCase](f, path)
		f.Add([]byte(c.Event), []byte(c.Connection), uint8(i))
	}
	f.Add([]byte(`{"type":"record","action":"delete","identifiers":{"cio_id":"c","name":7,"created_at":null}}`), []byte(`{"config":{"destination":{"object":"event"}}}`), uint8(0))
	f.Add([]byte(`{"type":"record","action":"insert","identifiers":{"id":"r\ud83d","k\udc00":"\ud800"}}`), []byte(`{"config":{"destination":{"object":"p\ud83d"}}}`), uint8(0))
	f.Add([]byte(`[]`), []byte(nil), uint8(3))
	f.Add([]byte(`{"type":"identify","userId":0,"traits":{"a.b/c":1,"d\\":2},"context":{"mappedToDestination":1,"externalId":[{"id":"x","identifierType":"a.0"}]}}`), []byte(nil), uint8(1))

	f.Fuzz(func(t *testing.T, event, connection []byte, d uint8) {
		msg, err := jsvalue.Parse(event)
		if err != nil {
			return
		}
		conn := jsvalue.Undefined()
		if len(connection) > 0 {
			if conn, err = jsvalue.Parse(connection); err != nil {
				return
			}
		}
		dest := fuzzDests[int(d)%len(fuzzDests)]
		before := append(msg.AppendJSON(nil), conn.AppendJSON(nil)...)
		r := BatchPayload(msg, conn, dest)
		checkArena(t, Mode{V2: true}, Job{Event: msg, Connection: conn}, dest, r)
		if after := append(msg.AppendJSON(nil), conn.AppendJSON(nil)...); !bytes.Equal(before, after) {
			t.Fatalf("inputs modified:\n%s\n%s", before, after)
		}
		if r.Request != nil || (r.Object != nil) == (r.Err != nil) {
			t.Fatalf("not exactly one outcome: %+v", r)
		}
		checkWellFormed(t, r)
		if r.Err != nil {
			if r.Err.StatusCode != 400 || r.Err.Category != CategoryDataValidation || r.Err.Message == "" ||
				(r.Err.Type != TypeInstrumentation && r.Err.Type != TypeConfiguration) {
				t.Fatalf("error %+v", r.Err)
			}
			return
		}
		var object struct {
			Type string `json:"type"`
		}
		if err := json.Unmarshal(r.Object, &object); err != nil {
			t.Fatalf("object is not JSON: %v: %q", err, r.Object)
		}
		if object.Type != "person" && object.Type != "object" {
			t.Fatalf("object type %q", object.Type)
		}
		if len(r.Object) > MaxObjectBytes {
			t.Fatalf("object of %d bytes", len(r.Object))
		}
		if len(r.Keys) == 0 {
			t.Fatalf("no ordering keys: %+v", r)
		}
	})
}
