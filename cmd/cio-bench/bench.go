package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/cio-transformer/cio-transformer/internal/cputime"
	"github.com/cio-transformer/cio-transformer/internal/eventmix"
	"github.com/cio-transformer/cio-transformer/internal/procstat"
	"google.golang.org/grpc"
)

// Modes of a run.
const (
	modeCompare    = "compare"
	modeLongStream = "longstream"
	modeHTTP       = "http"
)

// benchFlags are the settings of a run.
type benchFlags struct {
	mode             string
	duration         time.Duration
	warmup           time.Duration
	rounds           int
	workloads        string
	streams          int
	window           int
	batch            int
	unaryConcurrency int
	conns            int
	events           int
	seed             uint64
	jobs             int
	maxRSSMB         int
	jsonOut          string
	cpuProfileDir    string
	goMemLimit       string
	httpGzip         bool
	httpCompacted    bool
}

// newBenchFlagSet defines the run's flags.
func newBenchFlagSet(f *benchFlags, out io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("cio-bench", flag.ContinueOnError)
	fs.SetOutput(out)
	fs.StringVar(&f.mode, "mode", modeCompare, "compare (the service against the echo baseline), longstream (memory over one long stream) or http (the HTTP face's router transform)")
	fs.DurationVar(&f.duration, "duration", 10*time.Second, "measured time of each phase (one workload against one server)")
	fs.DurationVar(&f.warmup, "warmup", time.Second, "unmeasured load before each phase")
	fs.IntVar(&f.rounds, "rounds", 2, "phases per workload and server, alternating the servers")
	fs.StringVar(&f.workloads, "workloads", strings.Join(allWorkloads, ","), "comma-separated workloads to run")
	fs.IntVar(&f.streams, "streams", 4, "TransformBatch streams at once")
	fs.IntVar(&f.window, "window", 8, "request messages in flight per stream")
	fs.IntVar(&f.batch, "batch", 100, "jobs per TransformBatch request message")
	fs.IntVar(&f.unaryConcurrency, "unary-concurrency", 16, "Transform calls in flight")
	fs.IntVar(&f.conns, "conns", 4, "client connections per server")
	fs.IntVar(&f.events, "events", 20000, "distinct events generated and sent in turn")
	fs.Uint64Var(&f.seed, "seed", 1, "event generator seed")
	fs.IntVar(&f.jobs, "jobs", 10_000_000, "longstream: jobs sent through the stream")
	fs.IntVar(&f.maxRSSMB, "max-rss-mb", 150, "longstream: fail when the server's peak RSS passes this many MiB")
	fs.StringVar(&f.jsonOut, "json", "", "also write the results as JSON to this file")
	fs.StringVar(&f.cpuProfileDir, "cpuprofile-dir", "", "write a CPU profile of each measured phase, KIND-WORKLOAD-rROUND.pprof (transform-unary-r1.pprof; http-router-r1.pprof, http-router-compacted-gzip-r1.pprof, ... in --mode http), to this directory")
	fs.BoolVar(&f.httpGzip, "http-gzip", false, "--mode http: ask for gzip answers, as rudder-server does (X-Feature-Gzip-Support: ?1 and Accept-Encoding: gzip)")
	fs.BoolVar(&f.httpCompacted, "http-compacted", false, "--mode http: send requests in the compacted format (X-Content-Format: json+compactedv1, each destination once), as rudder-server does when the transformer offers it")
	fs.StringVar(&f.goMemLimit, "gomemlimit", defaultGoMemLimit, "GOMEMLIMIT of the server children, as the Kubernetes manifests set it; empty inherits cio-bench's environment")
	return fs
}

// defaultGoMemLimit is the GOMEMLIMIT of the Kubernetes manifests
// (deploy/kubernetes/deployment.yaml), so that the servers are measured
// as they run there.
const defaultGoMemLimit = "410MiB"

// validate reports settings that cannot work.
func (f *benchFlags) validate() error {
	var errs []error
	if f.mode != modeCompare && f.mode != modeLongStream && f.mode != modeHTTP {
		errs = append(errs, fmt.Errorf("unknown mode %q", f.mode))
	}
	for name, v := range map[string]int{
		"rounds": f.rounds, "streams": f.streams, "window": f.window, "batch": f.batch,
		"unary-concurrency": f.unaryConcurrency, "conns": f.conns, "events": f.events, "jobs": f.jobs, "max-rss-mb": f.maxRSSMB,
	} {
		if v <= 0 {
			errs = append(errs, fmt.Errorf("--%s must be positive, got %d", name, v))
		}
	}
	if f.duration <= 0 || f.warmup < 0 {
		errs = append(errs, errors.New("--duration must be positive and --warmup not negative"))
	}
	for _, w := range f.workloadList() {
		if !slices.Contains(allWorkloads, w) {
			errs = append(errs, fmt.Errorf("unknown workload %q", w))
		}
	}
	return errors.Join(errs...)
}

// workloadList returns the selected workloads in run order.
func (f *benchFlags) workloadList() []string {
	var out []string
	for w := range strings.SplitSeq(f.workloads, ",") {
		if w = strings.TrimSpace(w); w != "" {
			out = append(out, w)
		}
	}
	return out
}

// profilePath returns where a server kind writes its CPU profile of a
// phase, or "" without profiles.
func (f *benchFlags) profilePath(kind, workload string, round int) string {
	if f.cpuProfileDir == "" {
		return ""
	}
	return filepath.Join(f.cpuProfileDir, fmt.Sprintf("%s-%s-r%d.pprof", kind, workload, round))
}

// bench parses the flags and runs the selected mode.
func bench(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var f benchFlags
	fs := newBenchFlagSet(&f, stderr)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		return errorf(stderr, "unexpected argument %q", fs.Arg(0))
	}
	if err := f.validate(); err != nil {
		return errorf(stderr, "%v", err)
	}
	if f.cpuProfileDir != "" {
		if err := os.MkdirAll(f.cpuProfileDir, 0o755); err != nil {
			return errorf(stderr, "%v", err)
		}
	}
	var result any
	var err error
	switch f.mode {
	case modeLongStream:
		result, err = longStream(ctx, &f, stdout, stderr)
	case modeHTTP:
		result, err = httpFace(ctx, &f, stdout, stderr)
	default:
		result, err = compare(ctx, &f, stdout, stderr)
	}
	if result != nil && f.jsonOut != "" {
		if werr := writeJSON(f.jsonOut, result); werr != nil {
			err = errors.Join(err, werr)
		}
	}
	if err != nil {
		return errorf(stderr, "%v", err)
	}
	return 0
}

// writeJSON writes v to path, indented.
func writeJSON(path string, v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(data, '\n'), 0o644)
}

// machine describes this machine.
func machine() machineInfo {
	return machineInfo{
		Date:      time.Now().UTC().Format(time.RFC3339),
		CPUModel:  cpuModel(),
		NumCPU:    runtime.NumCPU(),
		Kernel:    kernelRelease(),
		GoVersion: runtime.Version(),
		LoadStart: loadAverage(),
	}
}

// target is a running server and the client connections to it.
type target struct {
	*child
	conns []*grpc.ClientConn
}

// startTarget starts a server child and connects to it.
func startTarget(kind string, f *benchFlags, conns int, stderr io.Writer) (*target, error) {
	c, err := startChild(kind, childOptions{profiles: f.cpuProfileDir != "", goMemLimit: f.goMemLimit}, stderr)
	if err != nil {
		return nil, err
	}
	t := &target{child: c}
	for range conns {
		conn, err := dial(c.addr)
		if err != nil {
			_ = t.close()
			return nil, err
		}
		t.conns = append(t.conns, conn)
	}
	return t, nil
}

// close closes the connections and stops the server.
func (t *target) close() error {
	for _, c := range t.conns {
		_ = c.Close()
	}
	return t.stop()
}

// compare runs the comparison: every workload against both servers,
// alternately, for the configured rounds.
func compare(ctx context.Context, f *benchFlags, stdout, stderr io.Writer) (*runResult, error) {
	res := &runResult{
		Machine: machine(),
		Settings: runSettings{
			Duration: f.duration.String(), Warmup: f.warmup.String(), Rounds: f.rounds, Workloads: f.workloadList(),
			Streams: f.streams, Window: f.window, Batch: f.batch, UnaryConcurrency: f.unaryConcurrency,
			Conns: f.conns, Events: f.events, Seed: f.seed, GoMemLimit: f.goMemLimit,
		},
	}
	p, err := buildPayloads(f.seed, f.events, f.batch)
	if err != nil {
		return nil, err
	}
	res.Mix = mixInfo{Events: p.mix.Events, MedianBytes: p.mix.MedianBytes, P90Bytes: p.mix.P90Bytes, MaxBytes: p.mix.MaxBytes, Over2KB: p.mix.Over2KB, Kinds: p.mix.Kinds}
	fmt.Fprintf(stdout, "machine: %s, %d CPUs, Linux %s, %s, load average %.2f\n", res.Machine.CPUModel, res.Machine.NumCPU, res.Machine.Kernel, res.Machine.GoVersion, res.Machine.LoadStart)
	fmt.Fprintf(stdout, "mix: %d events (seed %d), JSON median %d B, p90 %d B, max %d B, %d over 2 KB; %s\n",
		res.Mix.Events, f.seed, res.Mix.MedianBytes, res.Mix.P90Bytes, res.Mix.MaxBytes, res.Mix.Over2KB, kindsText(res.Mix.Kinds))
	fmt.Fprintf(stdout, "load: TransformBatch %d streams x %d in flight x %d jobs; unary %d in flight; %d connections per server; %d round(s) of %s (+%s warm-up) per phase\n",
		f.streams, f.window, f.batch, f.unaryConcurrency, f.conns, f.rounds, f.duration, f.warmup)

	servers := map[string]*target{}
	defer func() {
		for _, t := range servers {
			_ = t.close()
		}
	}()
	for _, kind := range []string{kindTransform, kindEcho} {
		t, err := startTarget(kind, f, f.conns, stderr)
		if err != nil {
			return nil, err
		}
		servers[kind] = t
		checks, err := checkServer(ctx, t.conns[0], kind, p, f.workloadList())
		if err != nil {
			return nil, err
		}
		for _, c := range checks {
			fmt.Fprintf(stdout, "check %-9s %-12s %d jobs answered once each: %d results (%d requests, %d batches, %d errors)\n",
				c.Server, c.Workload, c.Jobs, c.Results, c.Requests, c.Batches, c.Errors)
		}
		res.Checks = append(res.Checks, checks...)
	}

	fl := &floor{events: p.events}
	for _, w := range f.workloadList() {
		for round := 1; round <= f.rounds; round++ {
			for _, kind := range []string{kindTransform, kindEcho} {
				fl.trial()
				ph, err := runPhase(ctx, f, servers[kind], w, p, round)
				if err != nil {
					return nil, fmt.Errorf("%s against %s, round %d: %w", w, kind, round, err)
				}
				ph.Round = round
				fmt.Fprintf(stdout, "round %d %-12s %-9s %9.0f events/s  p50 %6.2f ms  p99 %6.2f ms  server CPU %5.2f s/M events  peak RSS %s MB\n",
					round, w, kind, ph.EventsPerSec, ph.P50Millis, ph.P99Millis, ph.serverCPUPerMillion(), megabytes(ph.PeakRSSBytes))
				res.Phases = append(res.Phases, ph)
			}
		}
	}
	for kind, t := range servers {
		delete(servers, kind)
		if err := t.close(); err != nil {
			return nil, err
		}
	}
	res.Machine.LoadEnd = loadAverage()
	res.Summary = summarize(res.Phases, f.workloadList())
	res.Ratios = ratios(res.Summary)
	res.RatioLine = ratioLine(res.Ratios)
	fl.trial()
	res.Floor.MicrosPerEvent = fl.secondsPerEvent() * 1e6
	for _, t := range fl.trials {
		res.Floor.TrialMicros = append(res.Floor.TrialMicros, t*1e6)
	}
	res.Floors = floorMultiples(res.Summary, fl.secondsPerEvent())
	res.FloorLine = floorLine(res.Floors)
	printRun(stdout, res)
	return res, nil
}

// kindsText lists the count of each event kind.
func kindsText(kinds map[string]int) string {
	var parts []string
	for _, k := range eventmix.Kinds {
		if n := kinds[k]; n > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", k, n))
		}
	}
	return strings.Join(parts, ", ")
}

// runPhase drives one server with one workload for the warm-up and the
// measured duration.
func runPhase(ctx context.Context, f *benchFlags, t *target, workload string, p *payloads, round int) (phaseResult, error) {
	ph := phaseResult{Workload: workload, Server: t.kind}
	pid := t.pid()
	if err := procstat.ResetPeak(pid); err != nil {
		return ph, fmt.Errorf("resetting peak RSS: %w", err)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	l := newLoad()
	switch workload {
	case workloadUnary:
		for i := range f.unaryConcurrency {
			l.startUnary(ctx, t.conns[i%len(t.conns)], p.unary, i, f.unaryConcurrency)
		}
	default:
		msgs := p.streamJSON
		if workload == workloadStreamTyped {
			msgs = p.streamTyped
		}
		for i := range f.streams {
			l.startStream(ctx, t.conns[i%len(t.conns)], msgs, i*len(msgs)/f.streams, p.jobsPerMessage, f.window, 0)
		}
	}
	abort := func() (phaseResult, error) {
		_, err := l.finish()
		if err == nil {
			err = ctx.Err()
		}
		return ph, err
	}
	if !wait(ctx, l, f.warmup) {
		return abort()
	}
	stopProfile, err := t.startProfile(f.profilePath(t.kind, workload, round))
	if err != nil {
		_, _ = l.finish()
		return ph, err
	}
	from := time.Since(l.start)
	cpu0, err0 := procstat.CPU(pid)
	client0 := cputime.Process()
	if !wait(ctx, l, f.duration) {
		_ = stopProfile()
		return abort()
	}
	to := time.Since(l.start)
	cpu1, err1 := procstat.CPU(pid)
	client1 := cputime.Process()
	mem, err2 := procstat.ReadMemory(pid)
	peak := mem.Peak
	err3 := stopProfile()
	samples, err := l.finish()
	if err := errors.Join(err, err0, err1, err2, err3); err != nil {
		return ph, err
	}
	ph.measures, ph.latencies = phaseMeasures(samples, from, to)
	ph.ServerCPUSeconds = (cpu1 - cpu0).Seconds()
	ph.ClientCPUSeconds = (client1 - client0).Seconds()
	ph.PeakRSSBytes = peak
	if ph.Events == 0 {
		return ph, errors.New("no request finished within the measured time")
	}
	return ph, nil
}

// wait waits for d, and reports false when ctx ends or a worker fails
// first.
func wait(ctx context.Context, l *load, d time.Duration) bool {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-ctx.Done():
		return false
	case <-l.failed:
		return false
	}
}
