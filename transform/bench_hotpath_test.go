//go:build unix

package transform

import (
	"encoding/json"
	"syscall"
	"testing"
	"time"

	"github.com/cio-transformer/cio-transformer/internal/eventmix"
	"github.com/cio-transformer/cio-transformer/internal/jsvalue"
)

// BenchmarkHotPath measures the mapping path from raw JSON in CPU time as
// well as wall time: on a shared machine the process's own CPU time per
// event (garbage collection included) varies far less than the wall time,
// which counts the time other processes hold the core. Run it with
// GOMAXPROCS=1 for figures of one core.
func BenchmarkHotPath(b *testing.B) {
	dest := NewDestination(DestinationConfig{SiteID: "site-8f3a", APIKey: "key-5d1e9c"})
	mix := eventmix.Generate(1, 1000)
	events := make([][]byte, len(mix))
	for i, e := range mix {
		events[i] = e.JSON
	}
	b.Run("mixed", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		cpu := startCPU()
		for b.Loop() {
			transformRaw(events[i], dest)
			if i++; i == len(events) {
				i = 0
			}
		}
		cpu.report(b)
	})
	b.Run("json-round-trip", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		cpu := startCPU()
		for b.Loop() {
			var m map[string]any
			if err := json.Unmarshal(events[i], &m); err != nil {
				b.Fatal(err)
			}
			if _, err := json.Marshal(m); err != nil {
				b.Fatal(err)
			}
			if i++; i == len(events) {
				i = 0
			}
		}
		cpu.report(b)
	})
	b.Run("parse-only", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		cpu := startCPU()
		for b.Loop() {
			// As Map parses a job's raw event.
			_, lease, err := jsvalue.ParseLeased(events[i])
			if err != nil {
				b.Fatal(err)
			}
			lease.Release()
			if i++; i == len(events) {
				i = 0
			}
		}
		cpu.report(b)
	})
	for _, be := range benchEvents {
		data := []byte(be.event)
		b.Run(be.name, func(b *testing.B) {
			b.ReportAllocs()
			cpu := startCPU()
			for b.Loop() {
				transformRaw(data, dest)
			}
			cpu.report(b)
		})
	}
}

// cpuClock is the process's CPU time at the start of a measurement.
type cpuClock time.Duration

func startCPU() cpuClock { return cpuClock(processCPU()) }

// report adds the CPU time per iteration, and iterations per CPU second, to
// the benchmark's results.
func (c cpuClock) report(b *testing.B) {
	used := processCPU() - time.Duration(c)
	if used <= 0 || b.N == 0 {
		return
	}
	b.ReportMetric(float64(used.Nanoseconds())/float64(b.N), "cpu-ns/op")
	b.ReportMetric(float64(b.N)/used.Seconds(), "ops/cpu-s")
}

// processCPU returns the user and system CPU time the process has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
