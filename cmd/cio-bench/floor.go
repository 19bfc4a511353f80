package main

import (
	"encoding/json"
	"runtime"
	"slices"
	"time"

	"github.com/cio-transformer/cio-transformer/internal/cputime"
)

// floorTrial is the CPU time of one trial of the floor: enough passes over
// the events to make the clock's granularity (10 ms for getrusage on some
// kernels) small against it.
const floorTrial = 200 * time.Millisecond

// floor measures the cost of reading the events' bytes once:
// encoding/json.Valid over every event, in one goroutine on one thread, so
// on one core. Trials are taken between the phases, under the same load as
// they are; the floor is their median.
type floor struct {
	events [][]byte
	trials []float64
	// sink keeps the compiler from dropping the validation.
	sink int
}

// trial runs passes over the events for at least floorTrial of CPU time
// and records the CPU seconds per event.
func (f *floor) trial() {
	if len(f.events) == 0 {
		return
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	start := cputime.Process()
	var n int
	for cputime.Process()-start < floorTrial {
		for _, ev := range f.events {
			if json.Valid(ev) {
				f.sink++
			}
		}
		n += len(f.events)
	}
	f.trials = append(f.trials, (cputime.Process()-start).Seconds()/float64(n))
}

// secondsPerEvent returns the median of the trials, zero without any.
func (f *floor) secondsPerEvent() float64 {
	if len(f.trials) == 0 {
		return 0
	}
	s := slices.Clone(f.trials)
	slices.Sort(s)
	return s[len(s)/2]
}

// floorMultiples returns every workload's server CPU per event of the
// service over the floor's.
func floorMultiples(rows []summaryRow, floorSeconds float64) []workloadRate {
	var out []workloadRate
	for _, w := range allWorkloads {
		r := workloadRate{Workload: w}
		for _, row := range rows {
			if row.Workload == w && row.Server == kindTransform && floorSeconds > 0 {
				r.Ratio = row.serverCPUPerMillion() / 1e6 / floorSeconds
			}
		}
		out = append(out, r)
	}
	return out
}
