package server

import (
	"testing"

	ciotransformerv1 "github.com/cio-transformer/cio-transformer/gen/ciotransformer/v1"
	"github.com/cio-transformer/cio-transformer/internal/cputime"
	"github.com/cio-transformer/cio-transformer/internal/eventmix"
	"github.com/cio-transformer/cio-transformer/transform"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
)

// typedMix returns the wire bytes of the seeded event mix as typed events,
// encoded as cio-bench encodes them: Struct members in protobuf's map
// order, which is no order.
func typedMix(tb testing.TB, n int) [][]byte {
	tb.Helper()
	unmarshal := protojson.UnmarshalOptions{DiscardUnknown: true}
	var wires [][]byte
	for _, e := range eventmix.Generate(1, n) {
		ev := &ciotransformerv1.Event{}
		if err := unmarshal.Unmarshal(e.JSON, ev); err != nil {
			tb.Fatal(err)
		}
		b, err := proto.Marshal(ev)
		if err != nil {
			tb.Fatal(err)
		}
		wires = append(wires, b)
	}
	return wires
}

// BenchmarkTypedEvent reads one typed event of the mix per iteration into
// the JSON the mapping takes (read), and reads and maps it (map): the
// server's cost of a typed job between its decoding and its result.
func BenchmarkTypedEvent(b *testing.B) {
	wires := typedMix(b, 1000)
	dest := destination(testDestination)
	m := mode(testDestination, 0)
	for _, step := range []struct {
		name string
		run  func(wire []byte)
	}{
		{"read", func(wire []byte) { releaseEvent(eventJSON(wire)) }},
		{"map", func(wire []byte) {
			v, held := eventJSON(wire)
			m.Map(transform.Job{Event: v}, dest)
			releaseEvent(v, held)
		}},
	} {
		b.Run(step.name, func(b *testing.B) {
			b.ReportAllocs()
			cpu := cputime.Process()
			i := 0
			for b.Loop() {
				step.run(wires[i])
				i++
				if i == len(wires) {
					i = 0
				}
			}
			b.ReportMetric(float64((cputime.Process()-cpu).Nanoseconds())/float64(b.N), "cpu-ns/event")
		})
	}
}
