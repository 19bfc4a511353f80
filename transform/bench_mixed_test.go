package transform_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/cio-transformer/cio-transformer/internal/cputime"
	"github.com/cio-transformer/cio-transformer/internal/eventmix"
	"github.com/cio-transformer/cio-transformer/internal/jsvalue"
	"github.com/cio-transformer/cio-transformer/transform"
)

// The mixed benchmarks cycle through the same seeded mix that cmd/cio-bench
// sends, so that their figures and the service's can be compared.
const (
	mixSeed   = 1
	mixEvents = 1000
	// mixBatch is how many jobs one TransformBatch request message of
	// cio-bench carries.
	mixBatch = 100
)

// mixedEvents returns the benchmark mix, checked to map like real traffic:
// almost every event maps, a few fail on their own.
func mixedEvents(b *testing.B, dest *transform.Destination) [][]byte {
	b.Helper()
	events := eventmix.Generate(mixSeed, mixEvents)
	data := make([][]byte, len(events))
	failed := 0
	for i, e := range events {
		data[i] = e.JSON
		v, err := jsvalue.Parse(e.JSON)
		if err != nil {
			b.Fatalf("event %d does not parse: %v", i, err)
		}
		if transform.Transform(v, dest).Err != nil {
			failed++
		}
	}
	if failed > len(events)/20 {
		b.Fatalf("%d of %d events fail to map; the mix no longer looks like traffic", failed, len(events))
	}
	return data
}

// reportEventRate reports events per second, one event per iteration, and
// the process's CPU time per event since start (taken after the setup). On
// a busy machine wall-clock time stretches while CPU time barely does, so
// cpu-ns/event is the figure to trust there.
func reportEventRate(b *testing.B, start time.Duration) {
	if s := b.Elapsed().Seconds(); s > 0 {
		b.ReportMetric(float64(b.N)/s, "events/s")
	}
	if cpu := cputime.Process() - start; start > 0 && b.N > 0 {
		b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/event")
	}
}

// BenchmarkMixed parses and maps one event of the mix per iteration, as
// TransformBatch maps the raw JSON jobs of a request message: Mode.MapIn
// of a job whose bytes it parses in place (see transform.Job.RawImmutable),
// into an arena reset every mixBatch events, once the message's results
// are sent.
func BenchmarkMixed(b *testing.B) {
	benchMixed(b, new(transform.Arena))
}

// BenchmarkMixedOwned is BenchmarkMixed without an arena, as a Transform
// call maps: each result is an allocation of its own.
func BenchmarkMixedOwned(b *testing.B) {
	benchMixed(b, nil)
}

// benchMixed maps the mix one event per iteration into arena, which is
// reset every mixBatch events, or without one when arena is nil.
func benchMixed(b *testing.B, arena *transform.Arena) {
	dest := transform.NewDestination(transform.DestinationConfig{SiteID: "site-8f3a", APIKey: "key-5d1e9c"})
	events := mixedEvents(b, dest)
	var mode transform.Mode
	b.ReportAllocs()
	start := cputime.Process()
	i := 0
	for b.Loop() {
		if r := mode.MapIn(arena, transform.Job{Raw: events[i], RawImmutable: true}, dest); r.Err != nil && r.Err.StatusCode != 400 {
			b.Fatal(r.Err.Message)
		}
		i++
		if arena != nil && i%mixBatch == 0 {
			arena.Reset()
		}
		if i == len(events) {
			i = 0
		}
	}
	reportEventRate(b, start)
}

// BenchmarkMixedBatch is BenchmarkMixed with the results fed to a Batcher
// that stores its batches in the arena and is flushed and reset every
// mixBatch events, then the arena, as TransformBatch does for each request
// message.
func BenchmarkMixedBatch(b *testing.B) {
	dest := transform.NewDestination(transform.DestinationConfig{SiteID: "site-8f3a", APIKey: "key-5d1e9c"})
	events := mixedEvents(b, dest)
	var mode transform.Mode
	var arena transform.Arena
	batcher := transform.NewBatcher(dest, mode.Limits())
	batcher.UseArena(&arena)
	entries := 0
	emit := func(transform.Entry) { entries++ }
	b.ReportAllocs()
	start := cputime.Process()
	i := 0
	for b.Loop() {
		batcher.Add(i%mixBatch, mode.MapIn(&arena, transform.Job{Raw: events[i], RawImmutable: true}, dest), emit)
		i++
		if i%mixBatch == 0 {
			batcher.Flush(emit)
			batcher.Reset(dest, mode.Limits())
			batcher.UseArena(&arena)
			arena.Reset()
		}
		if i == len(events) {
			i = 0
		}
	}
	batcher.Flush(emit)
	if entries == 0 {
		b.Fatal("the batcher emitted nothing")
	}
	reportEventRate(b, start)
}

// BenchmarkJSONRoundTrip is the reference the mapping is measured against:
// the same events only decoded into map[string]any and encoded again with
// encoding/json, the least a generic JSON-to-JSON service does.
func BenchmarkJSONRoundTrip(b *testing.B) {
	events := mixedEvents(b, transform.NewDestination(transform.DestinationConfig{SiteID: "site-8f3a", APIKey: "key-5d1e9c"}))
	b.ReportAllocs()
	start := cputime.Process()
	i := 0
	for b.Loop() {
		var m map[string]any
		if err := json.Unmarshal(events[i], &m); err != nil {
			b.Fatal(err)
		}
		if _, err := json.Marshal(m); err != nil {
			b.Fatal(err)
		}
		i++
		if i == len(events) {
			i = 0
		}
	}
	reportEventRate(b, start)
}
