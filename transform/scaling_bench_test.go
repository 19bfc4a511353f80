package transform_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/cio-transformer/cio-transformer/internal/eventmix"
	"github.com/cio-transformer/cio-transformer/transform"
)

// scalingShapes are the many-keys events whose cost per input byte must
// stay within a small factor of a typical event's, at every size: a device
// event whose properties are one long string (spread into one device
// attribute per UTF-16 unit), trait keys after one dotted key, and many
// user_properties keys that are array indexes.
var scalingShapes = []struct {
	name  string
	event func(size int) []byte
}{
	{"device-string-properties", func(size int) []byte {
		head := `{"type":"track","event":"Application Installed","userId":"user-1","messageId":"m-1",` +
			`"originalTimestamp":"2025-01-01T00:00:00.000Z","context":{"device":{"token":"token-1","type":"ios"}},"properties":"`
		tail := `"}`
		return []byte(head + strings.Repeat("p", max(size-len(head)-len(tail), 1)) + tail)
	}},
	{"keys-after-dotted-key", func(size int) []byte {
		var b strings.Builder
		b.WriteString(`{"type":"identify","userId":"user-1","messageId":"m-1","traits":{"a.b.c":1`)
		writeMembers(&b, `,"k%d":%d`, size-b.Len()-2)
		b.WriteString(`}}`)
		return []byte(b.String())
	}},
	{"user-properties-indexes", func(size int) []byte {
		var b strings.Builder
		b.WriteString(`{"type":"identify","userId":"user-1","messageId":"m-1","traits":{"email":"user-1@example.com"},"user_properties":{"u":0`)
		writeMembers(&b, `,"%d":%d`, size-b.Len()-2)
		b.WriteString(`}}`)
		return []byte(b.String())
	}},
}

// scalingSizes are the event sizes the shapes are measured at.
var scalingSizes = []int{1_000, 10_000, 100_000}

// writeMembers writes members of format (given the member's number twice)
// until about room bytes are written.
func writeMembers(b *strings.Builder, format string, room int) {
	start := b.Len()
	for i := 0; b.Len()-start < room; i++ {
		fmt.Fprintf(b, format, i, i)
	}
}

// BenchmarkScaling parses and maps each scaling shape at each size; its
// ns/op over the input bytes (MB/s) compares with BenchmarkScalingTypical's.
func BenchmarkScaling(b *testing.B) {
	dest := transform.NewDestination(transform.DestinationConfig{SiteID: "site-1", APIKey: "api-key-1"})
	for _, sh := range scalingShapes {
		for _, size := range scalingSizes {
			data := sh.event(size)
			b.Run(fmt.Sprintf("%s/%dB", sh.name, size), func(b *testing.B) {
				b.ReportAllocs()
				b.SetBytes(int64(len(data)))
				for b.Loop() {
					mapRaw(b, data, dest)
				}
			})
		}
	}
}

// BenchmarkScalingTypical parses and maps the typical event mix, the
// yardstick of BenchmarkScaling: one pass over 1,000 events per iteration.
func BenchmarkScalingTypical(b *testing.B) {
	dest := transform.NewDestination(transform.DestinationConfig{SiteID: "site-1", APIKey: "api-key-1"})
	events := eventmix.Generate(mixSeed, mixEvents)
	total := 0
	for _, e := range events {
		total += len(e.JSON)
	}
	b.ReportAllocs()
	b.SetBytes(int64(total))
	for b.Loop() {
		for _, e := range events {
			mapRaw(b, e.JSON, dest)
		}
	}
}

// mapRaw parses and maps one event, as the server does a raw job (in API
// mode v1).
func mapRaw(b *testing.B, data []byte, dest *transform.Destination) transform.Result {
	r := transform.Mode{}.Map(transform.Job{Raw: data, RawImmutable: true}, dest)
	if r.Err != nil && r.Err.StatusCode != 400 {
		b.Fatal(r.Err.Message)
	}
	return r
}
