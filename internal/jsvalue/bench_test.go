package jsvalue

import (
	"encoding/json"
	"testing"

	"github.com/cio-transformer/cio-transformer/internal/cputime"
	"github.com/cio-transformer/cio-transformer/internal/eventmix"
)

// benchEvent is a typical RudderStack identify event (about 600 bytes).
const benchEvent = `{"type":"identify","messageId":"2b6b0d3c-6a26-4a8f-9e7b-4c1d7e5b8a90",` +
	`"anonymousId":"7f3c2a1e-9b8d-4e6f-a5c4-3b2a1d0e9f8c","userId":"user-12345",` +
	`"channel":"web","originalTimestamp":"2024-03-01T12:34:56.789Z","sentAt":"2024-03-01T12:34:57.001Z",` +
	`"context":{"ip":"203.0.113.7","library":{"name":"RudderLabs JavaScript SDK","version":"3.0.1"},` +
	`"locale":"en-US","userAgent":"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36",` +
	`"traits":{"email":"jane.doe@example.com","firstName":"Jane","lastName":"Doe"}},` +
	`"traits":{"email":"jane.doe@example.com","name":"Jane Doe","plan":"premium","age":34,` +
	`"score":49.99,"verified":true,"createdAt":"2023-11-05T08:00:00.000Z",` +
	`"address":{"city":"Berlin","country":"DE","postalCode":"10115"},"tags":["beta","vip"],"nickname":null},` +
	`"integrations":{"All":true}}`

func BenchmarkParseAppendJSON(b *testing.B) {
	data := []byte(benchEvent)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	var out []byte
	for b.Loop() {
		v, err := Parse(data)
		if err != nil {
			b.Fatal(err)
		}
		out = v.AppendJSON(out[:0])
	}
}

func BenchmarkParse(b *testing.B) {
	data := []byte(benchEvent)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseMix parses one event of the seeded mix the service's
// benchmarks send (see internal/eventmix) per iteration. It reports the
// process's CPU time per event too, the figure to trust on a busy machine.
func BenchmarkParseMix(b *testing.B) {
	mix := eventmix.Generate(1, 1000)
	b.ReportAllocs()
	start := cputime.Process()
	i := 0
	for b.Loop() {
		if _, err := Parse(mix[i].JSON); err != nil {
			b.Fatal(err)
		}
		if i++; i == len(mix) {
			i = 0
		}
	}
	if cpu := cputime.Process() - start; start > 0 {
		b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/event")
	}
}

func BenchmarkAppendJSON(b *testing.B) {
	v, err := Parse([]byte(benchEvent))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	var out []byte
	for b.Loop() {
		out = v.AppendJSON(out[:0])
	}
	b.SetBytes(int64(len(out)))
}

// BenchmarkEncodingJSONRoundTrip is the baseline: the same event through
// encoding/json into map[string]any and back.
func BenchmarkEncodingJSONRoundTrip(b *testing.B) {
	data := []byte(benchEvent)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		var m map[string]any
		if err := json.Unmarshal(data, &m); err != nil {
			b.Fatal(err)
		}
		if _, err := json.Marshal(m); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkFormatNumber(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		_ = FormatNumber(49.99)
		_ = FormatNumber(1684054962563)
	}
}

// BenchmarkPlainPrefix scans the strings of benchEvent, each from its
// opening quote to its closing one, with plainPrefix and with the
// portable plainPrefixWords.
func BenchmarkPlainPrefix(b *testing.B) {
	var starts []int
	for i := 0; i < len(benchEvent); i++ {
		if benchEvent[i] == '"' {
			starts = append(starts, i+1)
			i = plainPrefixBytewise(benchEvent, i+1)
		}
	}
	for _, bb := range []struct {
		name string
		scan func(string, int) int
	}{{"plainPrefix", plainPrefix}, {"plainPrefixWords", plainPrefixWords}} {
		b.Run(bb.name, func(b *testing.B) {
			for b.Loop() {
				for _, i := range starts {
					if bb.scan(benchEvent, i) < i {
						b.Fatal("scan went back")
					}
				}
			}
		})
	}
}
