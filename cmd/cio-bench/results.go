package main

import (
	"slices"
	"time"
)

// Workloads, in the order they run and are reported.
const (
	workloadStreamJSON  = "stream_json"
	workloadStreamTyped = "stream_typed"
	workloadUnary       = "unary"
)

// allWorkloads lists every workload.
var allWorkloads = []string{workloadStreamJSON, workloadStreamTyped, workloadUnary}

// runResult is everything one comparison run measured; --json writes it
// and the markdown command reads it.
type runResult struct {
	Machine  machineInfo    `json:"machine"`
	Settings runSettings    `json:"settings"`
	Mix      mixInfo        `json:"mix"`
	Checks   []checkResult  `json:"checks"`
	Phases   []phaseResult  `json:"phases"`
	Summary  []summaryRow   `json:"summary"`
	Ratios   []workloadRate `json:"ratios"`
	// RatioLine is the line cio-bench printed before the floor line.
	RatioLine string `json:"ratio_line"`
	// Floor is the cost of reading the events once (encoding/json.Valid on
	// one core), measured between the phases of the same run.
	Floor floorResult `json:"floor"`
	// Floors are every workload's service CPU per event over the floor's.
	Floors []workloadRate `json:"floors"`
	// FloorLine is the last line cio-bench printed.
	FloorLine string `json:"floor_line"`
}

// floorResult is the floor's measure: CPU per event of encoding/json.Valid
// over the same event bytes, one core.
type floorResult struct {
	// MicrosPerEvent is the median of the trials.
	MicrosPerEvent float64 `json:"us_per_event"`
	// TrialMicros are the trials' CPU µs per event, in the order taken.
	TrialMicros []float64 `json:"trial_us_per_event"`
}

// machineInfo describes where a run happened.
type machineInfo struct {
	Date      string  `json:"date"`
	CPUModel  string  `json:"cpu_model"`
	NumCPU    int     `json:"num_cpu"`
	Kernel    string  `json:"kernel"`
	GoVersion string  `json:"go_version"`
	LoadStart float64 `json:"load_avg_start"`
	LoadEnd   float64 `json:"load_avg_end"`
}

// runSettings are the flags that shape the load.
type runSettings struct {
	Duration         string   `json:"duration"`
	Warmup           string   `json:"warmup"`
	Rounds           int      `json:"rounds"`
	Workloads        []string `json:"workloads"`
	Streams          int      `json:"streams"`
	Window           int      `json:"window"`
	Batch            int      `json:"batch"`
	UnaryConcurrency int      `json:"unary_concurrency"`
	Conns            int      `json:"conns"`
	Events           int      `json:"events"`
	Seed             uint64   `json:"seed"`
	// GoMemLimit is the servers' GOMEMLIMIT, empty when inherited.
	GoMemLimit string `json:"gomemlimit"`
}

// mixInfo describes the event mix.
type mixInfo struct {
	Events      int            `json:"events"`
	MedianBytes int            `json:"median_bytes"`
	P90Bytes    int            `json:"p90_bytes"`
	MaxBytes    int            `json:"max_bytes"`
	Over2KB     int            `json:"over_2kb"`
	Kinds       map[string]int `json:"kinds"`
}

// checkResult is what one server answered to one request message of a
// workload, read in full before the run.
type checkResult struct {
	Server   string `json:"server"`
	Workload string `json:"workload"`
	Jobs     int    `json:"jobs"`
	Results  int    `json:"results"`
	Requests int    `json:"requests"`
	Errors   int    `json:"errors"`
	Batches  int    `json:"batches"`
}

// phaseResult is one measured phase: one workload against one server for
// one round.
type phaseResult struct {
	Workload string `json:"workload"`
	Server   string `json:"server"`
	Round    int    `json:"round"`
	measures
	// latencies are the phase's sorted latencies, kept to merge rounds.
	latencies []time.Duration
}

// summaryRow is one workload against one server over all rounds.
type summaryRow struct {
	Workload string `json:"workload"`
	Server   string `json:"server"`
	measures
}

// measures are the figures of a phase or of a summary row.
type measures struct {
	Seconds          float64 `json:"seconds"`
	Events           int64   `json:"events"`
	Messages         int64   `json:"messages"`
	EventsPerSec     float64 `json:"events_per_sec"`
	P50Millis        float64 `json:"p50_ms"`
	P99Millis        float64 `json:"p99_ms"`
	ServerCPUSeconds float64 `json:"server_cpu_s"`
	ClientCPUSeconds float64 `json:"client_cpu_s"`
	PeakRSSBytes     int64   `json:"peak_rss_bytes"`
}

// serverCPUPerMillion is the server's CPU seconds per million events.
func (m measures) serverCPUPerMillion() float64 {
	if m.Events == 0 {
		return 0
	}
	return m.ServerCPUSeconds / float64(m.Events) * 1e6
}

// clientCPUPerMillion is cio-bench's own CPU seconds per million events.
func (m measures) clientCPUPerMillion() float64 {
	if m.Events == 0 {
		return 0
	}
	return m.ClientCPUSeconds / float64(m.Events) * 1e6
}

// workloadRate is the service's throughput over the echo's for a workload;
// Ratio is zero when the workload did not run.
type workloadRate struct {
	Workload string  `json:"workload"`
	Ratio    float64 `json:"ratio"`
	CPURatio float64 `json:"cpu_ratio"`
}

// phaseMeasures computes a phase's measures from its samples, counting the
// messages that finished within [from, to) of the phase.
func phaseMeasures(samples []sample, from, to time.Duration) (measures, []time.Duration) {
	var m measures
	var lat []time.Duration
	for _, s := range samples {
		if s.at < from || s.at >= to {
			continue
		}
		m.Events += int64(s.events)
		m.Messages++
		lat = append(lat, s.latency)
	}
	slices.Sort(lat)
	m.Seconds = (to - from).Seconds()
	if m.Seconds > 0 {
		m.EventsPerSec = float64(m.Events) / m.Seconds
	}
	m.P50Millis = millis(percentile(lat, 0.50))
	m.P99Millis = millis(percentile(lat, 0.99))
	return m, lat
}

// summarize merges the phases of each workload and server.
func summarize(phases []phaseResult, workloads []string) []summaryRow {
	var rows []summaryRow
	for _, w := range workloads {
		for _, srv := range []string{kindTransform, kindEcho} {
			row := summaryRow{Workload: w, Server: srv}
			var lat []time.Duration
			for _, p := range phases {
				if p.Workload != w || p.Server != srv {
					continue
				}
				row.Seconds += p.Seconds
				row.Events += p.Events
				row.Messages += p.Messages
				row.ServerCPUSeconds += p.ServerCPUSeconds
				row.ClientCPUSeconds += p.ClientCPUSeconds
				row.PeakRSSBytes = max(row.PeakRSSBytes, p.PeakRSSBytes)
				lat = append(lat, p.latencies...)
			}
			if row.Seconds == 0 {
				continue
			}
			slices.Sort(lat)
			row.EventsPerSec = float64(row.Events) / row.Seconds
			row.P50Millis = millis(percentile(lat, 0.50))
			row.P99Millis = millis(percentile(lat, 0.99))
			rows = append(rows, row)
		}
	}
	return rows
}

// ratios returns, for every workload, the service's throughput and CPU per
// event over the echo's.
func ratios(rows []summaryRow) []workloadRate {
	var out []workloadRate
	for _, w := range allWorkloads {
		r := workloadRate{Workload: w}
		var t, e *summaryRow
		for i := range rows {
			if rows[i].Workload != w {
				continue
			}
			if rows[i].Server == kindTransform {
				t = &rows[i]
			} else {
				e = &rows[i]
			}
		}
		if t != nil && e != nil && e.EventsPerSec > 0 {
			r.Ratio = t.EventsPerSec / e.EventsPerSec
			if ec := e.serverCPUPerMillion(); ec > 0 {
				r.CPURatio = t.serverCPUPerMillion() / ec
			}
		}
		out = append(out, r)
	}
	return out
}

// percentile returns the q-quantile of sorted durations (nearest rank).
func percentile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(q*float64(len(sorted))+0.999999) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

// millis returns d in milliseconds.
func millis(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
