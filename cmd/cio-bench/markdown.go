package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/cio-transformer/cio-transformer/server"
)

// markdownFlags are the inputs of the markdown command: the files make
// bench saves.
type markdownFlags struct {
	run        string
	longStream string
	http       string
	goBench    string
	benchstat  string
	out        string
	// profiles is cio-bench's --cpuprofile-dir of the run.
	profiles string
	// mixedProfile is a CPU profile of BenchmarkMixedBatch.
	mixedProfile string
	// beforeAfter is benchstat's comparison of an earlier revision's
	// benchmarks with the working tree's, and beforeRev that revision.
	beforeAfter string
	beforeRev   string
}

// markdown writes docs/PERFORMANCE.md from the saved outputs of the tools,
// so that the document always shows what they printed.
func markdown(args []string, stdout, stderr io.Writer) int {
	var f markdownFlags
	fs := flag.NewFlagSet("markdown", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&f.run, "run", "", "JSON results of a comparison run (cio-bench --json); required")
	fs.StringVar(&f.longStream, "longstream", "", "JSON results of a long-stream run (cio-bench --mode longstream --json)")
	fs.StringVar(&f.http, "http", "", "comma-separated JSON results of runs of the HTTP face (cio-bench --mode http --json), the first with plain requests and answers")
	fs.StringVar(&f.goBench, "gobench", "", "output of go test -bench")
	fs.StringVar(&f.benchstat, "benchstat", "", "output of benchstat on the -gobench file")
	fs.StringVar(&f.out, "out", "", "file to write; standard output when empty")
	fs.StringVar(&f.profiles, "profiles", "", "the --cpuprofile-dir of the --run run: where the service's CPU time goes")
	fs.StringVar(&f.mixedProfile, "mixed-profile", "", "CPU profile of BenchmarkMixedBatch")
	fs.StringVar(&f.beforeAfter, "before-after", "", "benchstat output comparing an earlier revision's benchmarks (before) with the working tree's (after)")
	fs.StringVar(&f.beforeRev, "before-rev", "", "the earlier revision of --before-after")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if f.run == "" {
		return errorf(stderr, "markdown: --run is required")
	}
	doc, err := f.render()
	if err != nil {
		return errorf(stderr, "markdown: %v", err)
	}
	if f.out == "" {
		_, err = stdout.Write(doc)
	} else {
		err = os.WriteFile(f.out, doc, 0o644)
	}
	if err != nil {
		return errorf(stderr, "markdown: %v", err)
	}
	return 0
}

// render reads the inputs and returns the document.
func (f *markdownFlags) render() ([]byte, error) {
	var run runResult
	if err := readJSON(f.run, &run); err != nil {
		return nil, err
	}
	var ls *longStreamResult
	if f.longStream != "" {
		ls = &longStreamResult{}
		if err := readJSON(f.longStream, ls); err != nil {
			return nil, err
		}
	}
	var in documentInputs
	var err error
	in.run, in.longStream = &run, ls
	for path := range strings.SplitSeq(f.http, ",") {
		if path == "" {
			continue
		}
		r := &httpResult{}
		if err := readJSON(path, r); err != nil {
			return nil, err
		}
		in.http = append(in.http, r)
	}
	goBench, err := readOptional(f.goBench)
	if err != nil {
		return nil, err
	}
	in.goBench = parseGoBench(goBench)
	if in.benchstat, err = readOptional(f.benchstat); err != nil {
		return nil, err
	}
	if in.beforeAfter, err = readOptional(f.beforeAfter); err != nil {
		return nil, err
	}
	in.beforeRev = f.beforeRev
	if f.profiles != "" {
		in.serverStages = map[string][]stageShare{}
		for _, r := range run.Floors {
			paths, err := serverProfiles(f.profiles, r.Workload)
			if err != nil || len(paths) == 0 {
				continue
			}
			if in.serverStages[r.Workload], err = splitProfiles(paths, serverStages); err != nil {
				return nil, err
			}
		}
	}
	if f.http != "" && f.profiles != "" {
		paths, err := httpProfiles(f.profiles)
		if err == nil && len(paths) > 0 {
			if in.httpStages, err = splitProfiles(paths, httpStages); err != nil {
				return nil, err
			}
		}
	}
	if f.mixedProfile != "" {
		if in.mixedStages, err = splitProfiles([]string{f.mixedProfile}, benchStages); err != nil {
			return nil, err
		}
	}
	var b bytes.Buffer
	writeDocument(&b, &in)
	return b.Bytes(), nil
}

// documentInputs is what the document is written from.
type documentInputs struct {
	run        *runResult
	longStream *longStreamResult
	// http are the runs of the HTTP face, the first with plain requests
	// and answers.
	http      []*httpResult
	goBench   goBenchResults
	benchstat []byte
	// beforeAfter is benchstat's comparison of revision beforeRev with
	// the working tree.
	beforeAfter []byte
	beforeRev   string
	// serverStages divide each workload's server CPU profile.
	serverStages map[string][]stageShare
	// httpStages divide the HTTP face's server CPU profile.
	httpStages []stageShare
	// mixedStages divide BenchmarkMixedBatch's CPU profile.
	mixedStages []stageShare
}

// readOptional returns the contents of the file at path, or nothing when
// path is empty.
func readOptional(path string) ([]byte, error) {
	if path == "" {
		return nil, nil
	}
	return os.ReadFile(path)
}

// readJSON decodes the JSON file at path into v.
func readJSON(path string, v any) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// writeDocument writes the whole document.
func writeDocument(w io.Writer, in *documentInputs) {
	run := in.run
	m := run.Machine
	fmt.Fprintf(w, `# Performance

Generated by `+"`make bench`"+` on %s from the output of the tools; do not
edit by hand, run `+"`make bench`"+` again.

## Machine

| | |
|---|---|
| CPU | %s |
| nproc | %d |
| kernel | Linux %s |
| Go | %s |
| load average (1 min) at start / end of the cio-bench run | %.2f / %.2f |

Client and servers share these cores: cio-bench, its two server children and
anything else running on the machine compete for them. A load average above
the number of CPUs means other work was running and the absolute figures are
low and noisy; the transform/echo ratios, measured alternately under the same
conditions, are the figures to compare between runs.

## How to reproduce

`+"```sh"+`
make bench
`+"```"+`

which runs:

`+"```sh"+`
GOMAXPROCS=1 go test -run '^$' -bench . -benchmem -count $BENCHCOUNT ./transform/...  # BENCHCOUNT=6; saved as bin/bench/gobench.txt
benchstat bin/bench/gobench.txt  # the version pinned in the Makefile; saved as bin/bench/benchstat.txt
scripts/bench-before-after.sh  # the hot-path benchmarks of BENCHBASE and of the working tree, alternately; bin/bench/beforeafter.txt
GOMAXPROCS=1 go test -run '^$' -bench '^BenchmarkMixedBatch$' -cpuprofile bin/bench/mixed.pprof ./transform/
go run ./cmd/cio-bench --duration 10s --json bin/bench/cio-bench.json --cpuprofile-dir bin/bench/profiles
go run ./cmd/cio-bench --mode longstream --jobs 10000000 --json bin/bench/longstream.json
go run ./cmd/cio-bench --mode http --duration 10s --json bin/bench/http.json --cpuprofile-dir bin/bench/profiles
go run ./cmd/cio-bench --mode http --http-gzip --duration 10s --json bin/bench/http-gzip.json
go run ./cmd/cio-bench --mode http --http-compacted --http-gzip --duration 10s --json bin/bench/http-compacted-gzip.json
go run ./cmd/cio-bench markdown --run bin/bench/cio-bench.json --longstream bin/bench/longstream.json \
    --http bin/bench/http.json,bin/bench/http-gzip.json,bin/bench/http-compacted-gzip.json --gobench bin/bench/gobench.txt --benchstat bin/bench/benchstat.txt \
    --before-after bin/bench/beforeafter.txt --before-rev $BENCHBASE \
    --profiles bin/bench/profiles --mixed-profile bin/bench/mixed.pprof --out docs/PERFORMANCE.md
`+"```"+`

Profiles: `+"`go test -run '^$' -bench Mixed -cpuprofile cpu.out ./transform/`"+` for the
mapping path, `+"`go run ./cmd/cio-bench --cpuprofile-dir DIR`"+` for the servers: one
CPU profile of each measured phase, without its warm-up
(`+"`DIR/transform-stream_json-r1.pprof`"+`, `+"`DIR/echo-unary-r2.pprof`"+`, ...;
`+"`DIR/http-router-r1.pprof`"+` with `+"`--mode http`"+`), read with
`+"`go tool pprof -top DIR/transform-unary-*.pprof`"+`. The tables of where each
µs goes below are read from those of this run.

`, m.Date, m.CPUModel, m.NumCPU, m.Kernel, m.GoVersion, m.LoadStart, m.LoadEnd)

	writeMixSection(w, run)
	writeCompareSection(w, run)
	if len(in.serverStages) > 0 {
		writeServerStagesSection(w, run, in.serverStages)
	}
	if in.longStream != nil {
		writeLongStreamSection(w, in.longStream)
	}
	if len(in.http) > 0 {
		writeHTTPSection(w, in.http, in.httpStages)
	}
	if len(in.goBench) > 0 || len(in.benchstat) > 0 {
		writeGoBenchSection(w, in.goBench, in.benchstat, in.mixedStages)
	}
	if len(in.beforeAfter) > 0 {
		writeBeforeAfterSection(w, in.beforeAfter, in.beforeRev)
	}
}

// writeServerStagesSection shows where the service's CPU time per event
// goes in each workload.
func writeServerStagesSection(w io.Writer, run *runResult, stages map[string][]stageShare) {
	fmt.Fprint(w, `## Where each µs goes in the service

The service's CPU profiles of the measured phases (every round), each
sample given to the first stage below that its stack belongs to: parsing,
reading a typed event into JSON, the rest of the mapping, batching and
building the results, reading and building the request message,
marshalling the response, the HTTP/2 transport and its syscalls, the
interceptors' own code, growing goroutine stacks, the rest of the call's
handling, the scheduler. GC in the background is the collector's own goroutines;
the last column is the part of each stage spent in the allocator and in
the collector's assists (work an allocation is charged). The µs are the
shares of the server CPU per event measured above.

`)
	for _, r := range run.Floors {
		shares := stages[r.Workload]
		if shares == nil {
			continue
		}
		var perEvent float64
		for _, s := range run.Summary {
			if s.Server == "transform" && s.Workload == r.Workload {
				perEvent = s.serverCPUPerMillion()
			}
		}
		fmt.Fprintf(w, "%s, %.2f µs of server CPU per event:\n\n", r.Workload, perEvent)
		writeStageTable(w, shares, perEvent)
		fmt.Fprintln(w)
	}
}

// writeBeforeAfterSection shows benchstat's comparison of an earlier
// revision with the working tree.
func writeBeforeAfterSection(w io.Writer, stat []byte, rev string) {
	fmt.Fprintf(w, `## Before and after

The hot-path benchmarks (Mixed, MixedBatch, HotPath/*) of revision %s
(before) and of the working tree (after), built once each and run
alternately on one core, so that both see the same machine; benchstat
compares them:

`+"```text\n%s\n```\n", "`"+rev+"`", strings.TrimRight(string(stat), "\n"))
}

// writeMixSection describes the event mix.
func writeMixSection(w io.Writer, run *runResult) {
	mix := run.Mix
	fmt.Fprintf(w, `## Event mix

%d events from the seeded generator in internal/eventmix (seed %d), shaped
like the conformance corpus's differential cases: RudderStack's envelope on
every event, JSON median %d bytes, p90 %d bytes, largest %d bytes, %d events
over 2 KB. The Go benchmarks use the first 1000 events of the same seed.

Kinds: %s.

`, mix.Events, run.Settings.Seed, mix.MedianBytes, mix.P90Bytes, mix.MaxBytes, mix.Over2KB, kindsText(mix.Kinds))
}

// writeCompareSection shows the comparison with the echo baseline.
func writeCompareSection(w io.Writer, run *runResult) {
	s := run.Settings
	fmt.Fprintf(w, `## The service against an echo baseline (cio-bench)

Both servers run as child processes of cio-bench on 127.0.0.1, so the CPU
seconds (utime + stime from /proc/<pid>/stat) and the peak RSS (VmHWM) are
the server's alone. The peak is reset to the current RSS before each phase,
so it includes what earlier phases left resident: Go returns freed memory to
the system slowly. Both run with `+"`GOMEMLIMIT=%s`"+`%s. The service is `+"`server.New`"+` with
its production interceptor chain and info-level JSON logging (formatted, then
discarded). The echo server has the same contract, the transport settings
`+"`server.New`"+` uses by default (`+"`grpc.MaxRecvMsgSize`"+` of %d MiB, at most %d
concurrent streams per connection, the keepalive policy and connection age),
the plain protobuf codec and no interceptors; it answers each job with a request of the same shape (one
JobRef with the job's metadata, method, URL, endpoint path, Authorization
header) whose body is the raw JSON as received, or a fixed small body for a
typed event: the cost of gRPC and protobuf alone.

Load: TransformBatch with %d streams, each keeping %d request messages of %d
jobs in flight, raw JSON (`+"`stream_json`"+`) or typed events (`+"`stream_typed`"+`);
unary Transform with %d calls in flight, raw JSON; %d client connections per
server; every job carries a 4-key metadata Struct. Phases alternate the
servers (transform, echo, transform, echo, ...), %d round(s) of %s each after
a %s warm-up. Latency is per request message for streams, per call for
unary. Every server first answered one request message of each workload in
full, each job exactly once:

`, memLimitText(s.GoMemLimit), memLimitNote(s.GoMemLimit), server.DefaultMaxRecvMsgSize>>20, server.DefaultMaxConcurrentStreams, s.Streams, s.Window, s.Batch, s.UnaryConcurrency, s.Conns, s.Rounds, s.Duration, s.Warmup)
	var rows [][]string
	for _, c := range run.Checks {
		rows = append(rows, []string{c.Server, c.Workload, fmt.Sprint(c.Jobs), fmt.Sprint(c.Results), fmt.Sprint(c.Requests), fmt.Sprint(c.Batches), fmt.Sprint(c.Errors)})
	}
	writeMarkdownTable(w, []string{"server", "workload", "jobs", "results", "requests", "v2/batch requests", "errors"}, rows)

	fmt.Fprintln(w, "\nSummary over all rounds:")
	fmt.Fprintln(w)
	rows = rows[:0]
	for _, r := range run.Summary {
		rows = append(rows, summaryCells(r))
	}
	writeMarkdownTable(w, summaryHeader, rows)
	fmt.Fprintln(w)
	rows = rows[:0]
	for _, r := range run.Ratios {
		rows = append(rows, ratioCells(r))
	}
	writeMarkdownTable(w, ratioHeader, rows)
	fmt.Fprintf(w, `
## The service against the cost of reading the events once

The floor is `+"`encoding/json.Valid`"+` over the same event bytes, in one goroutine
on one core: about what reading each event once costs, whatever the
protocol. cio-bench measures it in the same run, a trial of %s of CPU
before each phase and one after the last, and takes the median of the
trials: %.2f µs per event (trials: %s). Each workload's server CPU per event
is then a multiple of the floor; lower is better.

`, floorTrial, run.Floor.MicrosPerEvent, microsList(run.Floor.TrialMicros))
	rows = rows[:0]
	for _, r := range run.Floors {
		rows = append(rows, floorCells(r, run.Summary, run.Floor.MicrosPerEvent))
	}
	writeMarkdownTable(w, floorHeader, rows)
	fmt.Fprintf(w, "\n```text\n%s\n%s\n```\n\nEach phase:\n\n", run.RatioLine, run.FloorLine)
	rows = rows[:0]
	for _, p := range run.Phases {
		rows = append(rows, phaseCells(p))
	}
	writeMarkdownTable(w, phaseHeader, rows)
	fmt.Fprintln(w)
}

// writeLongStreamSection shows the long-stream memory check.
func writeLongStreamSection(w io.Writer, ls *longStreamResult) {
	fmt.Fprintf(w, `## Memory over one long stream

%d jobs (%d request messages of %d raw JSON jobs, %d in flight) through one
TransformBatch stream of the service, its RSS read every second. The peak
is the larger of the samples and the kernel's high-water mark over the
server's whole life; the target is %d MiB.

| start RSS MB | peak RSS MB | end RSS MB | seconds | events/s | within target |
|---:|---:|---:|---:|---:|---|
| %s | %s | %s | %.1f | %.0f | %s |

`, ls.Jobs, ls.Messages, ls.Batch, ls.Window, ls.LimitBytes>>20,
		megabytes(ls.RSSStartBytes), megabytes(ls.RSSPeakBytes), megabytes(ls.RSSEndBytes), ls.Seconds, ls.EventsPerSec, yesNo(ls.OK))
	fmt.Fprintf(w, "```text\n%s\n```\n\n", ls.Line)
	if len(ls.Samples) > 0 {
		fmt.Fprintln(w, "RSS samples (every tenth second):")
		fmt.Fprintln(w)
		var rows [][]string
		for i, s := range ls.Samples {
			if i%10 == 9 || i == len(ls.Samples)-1 {
				rows = append(rows, []string{fmt.Sprint(s.Second), fmt.Sprint(s.Jobs), megabytes(s.RSSBytes)})
			}
		}
		writeMarkdownTable(w, []string{"second", "jobs answered", "RSS MB"}, rows)
		fmt.Fprintln(w)
	}
}

// writeHTTPSection shows the runs of the HTTP face, and where its
// server's CPU time per event goes in the first (plain requests and
// answers) when its profile was taken.
func writeHTTPSection(w io.Writer, runs []*httpResult, stages []stageShare) {
	r := runs[0]
	fmt.Fprintf(w, `## The HTTP face (rudder-server's router transform)

%d clients post `+"`POST /routerTransform`"+` requests of %d jobs of the same
event mix, metadata and destination over HTTP/1.1, each client its next
request once the last is answered; the server's CPU is read over %.0f s
after a warm-up. The floor is measured in each run, before and after the
load. Rudder-server sends the compacted format (each destination once,
`+"`X-Content-Format: json+compactedv1`"+`) to a transformer that offers it, as
this one does, and asks for gzip answers (`+"`X-Feature-Gzip-Support: ?1`"+`
and its client's `+"`Accept-Encoding: gzip`"+`): a compacted run with gzip
answers is a deployment's figure; the plain runs, a destination with every
job, show the work without the compression.

`, r.Clients, r.Batch, r.Seconds)
	rows := make([][]string, 0, len(runs))
	for _, r := range runs {
		rows = append(rows, []string{r.format(), r.answers(), fmt.Sprintf("%.0f", float64(r.Events)/r.Seconds),
			fmt.Sprintf("%.2f", r.serverCPUPerEvent()*1e6), fmt.Sprintf("%.2f", r.FloorSeconds*1e6),
			fmt.Sprintf("%.2f", r.serverCPUPerEvent()/r.FloorSeconds), megabytes(r.PeakRSSBytes)})
	}
	writeMarkdownTable(w, []string{"requests", "answers", "events/s", "server CPU µs/event", "floor µs/event", "multiple of the floor", "peak RSS MB"}, rows)
	fmt.Fprint(w, "\n```text\n")
	for _, r := range runs {
		fmt.Fprintln(w, r.Line)
	}
	fmt.Fprint(w, "```\n\n")
	if stages == nil {
		return
	}
	fmt.Fprintf(w, "Where the %.2f µs of server CPU per event of the first run go, from the\nserver's CPU profile of its measured time, divided as for the gRPC face above:\n\n", r.serverCPUPerEvent()*1e6)
	writeStageTable(w, stages, r.serverCPUPerEvent()*1e6)
	fmt.Fprintln(w)
}

// writeGoBenchSection shows the mapping benchmarks.
func writeGoBenchSection(w io.Writer, gb goBenchResults, stat []byte, mixedStages []stageShare) {
	fmt.Fprint(w, `## Mapping benchmarks (Go, one core)

`+"`BenchmarkMixed`"+` parses raw JSON and maps one event of the mix per iteration
into an arena reset every 100 events, as TransformBatch maps a request
message's jobs (transform.Arena); `+"`BenchmarkMixedBatch`"+` also feeds a
Batcher that stores its batches in the arena and is flushed every 100
events, as TransformBatch does; `+"`BenchmarkMixedOwned`"+` maps without an
arena, each result an allocation of its own, as a Transform call does;
`+"`BenchmarkJSONRoundTrip`"+` only decodes the same events into
`+"`map[string]any`"+` and encodes them again with encoding/json. Medians of
the runs, GOMAXPROCS=1. ns/event is wall-clock time, which stretches when
other processes take the cores; CPU ns/event is the process's CPU time
(getrusage) over the same loop, the figure to trust on a busy machine.

`)
	var rows [][]string
	names := []string{"BenchmarkMixed", "BenchmarkMixedBatch", "BenchmarkMixedOwned", "BenchmarkJSONRoundTrip"}
	for _, name := range names {
		runs := gb.find(name)
		if len(runs) == 0 {
			continue
		}
		cpu := median(runs, "cpu-ns/event")
		perCPUSecond := "n/a"
		if cpu > 0 {
			perCPUSecond = fmt.Sprintf("%.0f", 1e9/cpu)
		}
		rows = append(rows, []string{
			name, fmt.Sprint(len(runs)),
			fmt.Sprintf("%.0f", median(runs, "events/s")),
			fmt.Sprintf("%.0f", median(runs, "ns/op")),
			fmt.Sprintf("%.0f", cpu),
			perCPUSecond,
			fmt.Sprintf("%.0f", median(runs, "B/op")),
			fmt.Sprintf("%.0f", median(runs, "allocs/op")),
		})
	}
	if len(rows) > 0 {
		writeMarkdownTable(w, []string{"benchmark", "runs", "events/s", "ns/event", "CPU ns/event", "events per CPU second", "B/event", "allocs/event"}, rows)
		roundTrip := names[len(names)-1]
		mixed, ref := median(gb.find(names[0]), "cpu-ns/event"), median(gb.find(roundTrip), "cpu-ns/event")
		unit := "CPU time"
		if mixed == 0 || ref == 0 {
			mixed, ref = median(gb.find(names[0]), "ns/op"), median(gb.find(roundTrip), "ns/op")
			unit = "wall-clock time"
		}
		if mixed > 0 && ref > 0 {
			fmt.Fprintf(w, "\nPer event, the mapping takes 1/%.2f of the encoding/json round trip's %s.\n", ref/mixed, unit)
		}
		fmt.Fprintln(w)
	}
	if batch := median(gb.find("BenchmarkMixedBatch"), "cpu-ns/event"); len(mixedStages) > 0 && batch > 0 {
		fmt.Fprintf(w, "Where BenchmarkMixedBatch's %.2f CPU µs per event go (its CPU profile, divided as above):\n\n", batch/1000)
		writeStageTable(w, mixedStages, batch/1000)
		fmt.Fprintln(w)
	}
	if len(stat) > 0 {
		fmt.Fprintf(w, "benchstat of every benchmark under transform/:\n\n```text\n%s\n```\n", strings.TrimRight(string(stat), "\n"))
	}
}

// memLimitText is a run's GOMEMLIMIT as the document shows it.
func memLimitText(v string) string {
	if v == "" {
		return "(inherited)"
	}
	return v
}

// memLimitNote says what the memory limit does to the service.
func memLimitNote(v string) string {
	if v == "" {
		return ""
	}
	return fmt.Sprintf(" as the Kubernetes manifests set it; under a memory limit the service sets GOGC=%d (server.DefaultGCPercent), the echo server keeps Go's default", server.DefaultGCPercent)
}

// microsList formats trials of µs per event.
func microsList(us []float64) string {
	parts := make([]string, len(us))
	for i, u := range us {
		parts[i] = fmt.Sprintf("%.2f", u)
	}
	return strings.Join(parts, ", ")
}

// yesNo formats a boolean for a table.
func yesNo(ok bool) string {
	if ok {
		return "yes"
	}
	return "no"
}
