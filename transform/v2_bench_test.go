package transform

import (
	"testing"

	"github.com/cio-transformer/cio-transformer/internal/jsvalue"
)

// BenchmarkBatchPayload parses and maps one event of each kind in API mode
// v2, and a warehouse record.
func BenchmarkBatchPayload(b *testing.B) {
	dest := NewDestination(DestinationConfig{SiteID: "customerio1", APIKey: "customerio2"})
	conn, err := jsvalue.Parse([]byte(`{"config":{"destination":{"object":"person","syncMode":"upsert"}}}`))
	if err != nil {
		b.Fatal(err)
	}
	events := append(benchEvents, struct{ name, event string }{
		"record", `{"type":"record","action":"update","identifiers":{"id":"user-12345","plan":"pro","logins":42,"created_at":"2024-06-25T14:00:00.000Z"}}`,
	})
	for _, be := range events {
		data := []byte(be.event)
		map1 := func() Result {
			msg, err := jsvalue.Parse(data)
			if err != nil {
				b.Fatal(err)
			}
			return BatchPayload(msg, conn, dest)
		}
		if r := map1(); r.Err != nil {
			b.Fatalf("%s: %s", be.name, r.Err.Message)
		}
		b.Run(be.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				map1()
			}
		})
	}
}
