package transform

import (
	"strconv"
	"strings"
	"testing"

	"github.com/cio-transformer/cio-transformer/internal/jsvalue"
)

// boundsEvents are inputs built to make one event expensive: each would
// cost time or memory out of proportion to its size if a mapping step were
// not linear in it, or did not stop at the per-event budget.
var boundsEvents = []struct {
	name  string
	event func() []byte
}{
	{"device-string-properties-150KB", func() []byte {
		return []byte(`{"type":"track","userId":"u1","event":"Application Installed","context":{"device":{"token":"t1"}},"properties":"` +
			strings.Repeat("a", 150_000) + `"}`)
	}},
	{"traits-after-dotted-key-50KB", func() []byte {
		return identifyOf("traits", `"a.b.c":1`, 5000, "t")
	}},
	{"user-properties-50KB", func() []byte {
		return identifyOf("user_properties", `"a.b":1`, 5000, "p")
	}},
	{"index-per-key-1000x6553", func() []byte {
		var b strings.Builder
		b.WriteString(`{"type":"identify","userId":"u1","traits":{`)
		for i := range 1000 {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(`"x.k` + strconv.Itoa(i) + `.6553":1`)
		}
		b.WriteString(`}}`)
		return []byte(b.String())
	}},
}

// identifyOf returns an identify event whose member field holds first,
// then n keys named prefix0, prefix1, ...
func identifyOf(field, first string, n int, prefix string) []byte {
	var b strings.Builder
	b.WriteString(`{"type":"identify","userId":"u1",`)
	if field != "traits" {
		b.WriteString(`"traits":{"email":"a@b.co"},`)
	}
	b.WriteString(`"` + field + `":{` + first)
	for i := range n {
		b.WriteString(`,"` + prefix + strconv.Itoa(i) + `":` + strconv.Itoa(i))
	}
	b.WriteString(`}}`)
	return []byte(b.String())
}

// BenchmarkBounds maps each of boundsEvents, parsed from its text, and a
// typed event of 40,000 trait keys with one key path, built member by
// member as the server converts a protobuf Struct.
func BenchmarkBounds(b *testing.B) {
	dest := NewDestination(DestinationConfig{SiteID: "customerio1", APIKey: "customerio2"})
	for _, be := range boundsEvents {
		data := be.event()
		b.Run(be.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				transformRaw(data, dest)
			}
		})
	}
	b.Run("typed-traits-40k-keys", func(b *testing.B) {
		traits, err := jsvalue.Parse(identifyOf("traits", `"a.b.c":1`, 40_000, "k"))
		if err != nil {
			b.Fatal(err)
		}
		// Members read into Go, as a converted Struct has them.
		msg := traits.ShallowCopy()
		msg.Set("traits", msg.Get("traits").ShallowCopy())
		b.ReportAllocs()
		for b.Loop() {
			Transform(msg, dest)
		}
	})
}
