package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"time"
)

// flags are the command's settings.
type flags struct {
	bin, faultBin string
	manifests     string
	out           string
	rows          string
	strict        bool
	abortRSSMB    int
	typical       int
	cpuProfile    string
}

func parseFlags(args []string, stderr io.Writer) (flags, error) {
	var f flags
	fs := flag.NewFlagSet("cio-adversarial", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&f.bin, "bin", "", "cio-transformer binary to attack; empty builds ./cmd/cio-transformer")
	fs.StringVar(&f.faultBin, "fault-bin", "", "cio-transformer built with -tags adversarial, for row 11; empty builds it")
	fs.StringVar(&f.manifests, "manifests", "deploy/kubernetes", "Kubernetes manifest file or folder whose container env sets GOMEMLIMIT")
	fs.StringVar(&f.out, "out", "", "write the markdown report to this file")
	fs.StringVar(&f.rows, "rows", "", "comma-separated rows to run (0 1 1s 2a 2as 2b 2bs 2c 2cs 3 3b 4a 4b 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22); empty runs all")
	fs.BoolVar(&f.strict, "strict", false, "exit 1 when a row misses its target")
	fs.IntVar(&f.abortRSSMB, "abort-rss-mb", 2048, "kill a server whose RSS passes this many MiB (its figures are then lower bounds)")
	fs.IntVar(&f.typical, "typical-events", 80000, "typical events sent to measure the yardstick CPU per byte (80,000: about 0.4 s of CPU, 40 of /proc's ticks)")
	fs.StringVar(&f.cpuProfile, "cpuprofile", "", "write the harness's own CPU profile to this file")
	if err := fs.Parse(args); err != nil {
		return f, err
	}
	if fs.NArg() > 0 {
		return f, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	return f, nil
}

// run builds what it needs, runs the rows and reports. It returns 0, 1
// with --strict when a row failed, or 2 when the harness broke.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	f, err := parseFlags(args, stderr)
	if err != nil {
		return 2
	}
	if f.cpuProfile != "" {
		pf, err := os.Create(f.cpuProfile)
		if err != nil {
			return errorf(stderr, "%v", err)
		}
		defer pf.Close()
		if err := pprof.StartCPUProfile(pf); err != nil {
			return errorf(stderr, "%v", err)
		}
		defer pprof.StopCPUProfile()
	}
	limit, manifest, err := goMemLimitFromManifests(f.manifests)
	if err != nil {
		return errorf(stderr, "GOMEMLIMIT: %v", err)
	}
	tmp, err := os.MkdirTemp("", "cio-adversarial-")
	if err != nil {
		return errorf(stderr, "%v", err)
	}
	defer os.RemoveAll(tmp)
	e := &env{bin: f.bin, faultBin: f.faultBin, goMemLimit: limit, tmp: tmp}
	if e.bin == "" {
		e.bin = filepath.Join(tmp, "cio-transformer")
		if err := build(ctx, e.bin, stderr); err != nil {
			return errorf(stderr, "build: %v", err)
		}
	}
	if e.faultBin == "" {
		e.faultBin = filepath.Join(tmp, "cio-transformer-faults")
		if err := build(ctx, e.faultBin, stderr, "-tags", "adversarial"); err != nil {
			return errorf(stderr, "build with faults: %v", err)
		}
	}
	h := &harness{env: e, abortRSS: int64(f.abortRSSMB) << 20, out: stdout, typicalEvents: f.typical}
	info := runInfo{date: time.Now(), goMemLimit: limit, manifest: manifest, cpus: runtime.NumCPU(), load: loadAverage(), commit: gitCommit(ctx)}
	fmt.Fprintf(stdout, "cio-adversarial: GOMEMLIMIT=%s from %s, %d CPUs, load %s\n", limit, manifest, info.cpus, info.load)
	results, err := h.runRows(ctx, selectRows(f.rows))
	if err != nil {
		return errorf(stderr, "%v", err)
	}
	failed, broken := summary(stdout, results)
	if f.out != "" {
		out, err := os.Create(f.out)
		if err != nil {
			return errorf(stderr, "%v", err)
		}
		err = markdown(out, info, results)
		if cerr := out.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return errorf(stderr, "write %s: %v", f.out, err)
		}
		fmt.Fprintf(stdout, "wrote %s\n", f.out)
	}
	switch {
	case broken > 0:
		return 2
	case f.strict && failed > 0:
		return 1
	}
	return 0
}

// selectRows returns a filter of row names; nil selects every row.
func selectRows(list string) func(string) bool {
	if list == "" {
		return func(string) bool { return true }
	}
	names := strings.Split(list, ",")
	return func(name string) bool { return slices.Contains(names, name) }
}

// runRows runs the selected rows in order, printing each line as it
// comes. The yardstick (row 0) runs whenever a scaling row does.
func (h *harness) runRows(ctx context.Context, selected func(string) bool) ([]result, error) {
	var results []result
	emit := func(rs ...result) {
		for _, r := range rs {
			fmt.Fprintln(h.out, r.line())
			results = append(results, r)
		}
	}
	scaling := []struct {
		row string
		sh  shape
	}{{"1", deviceShape}, {"2a", keysAfterDottedShape}, {"2b", userPropertiesShape}, {"2c", typedStructShape}}
	needTypical := selected("0")
	for _, s := range scaling {
		needTypical = needTypical || selected(s.row+"s")
	}
	if needTypical {
		r, err := h.typicalBaseline(ctx)
		if err != nil {
			return nil, fmt.Errorf("typical baseline: %w", err)
		}
		emit(r)
	}
	for _, s := range scaling {
		if ctx.Err() != nil {
			return results, ctx.Err()
		}
		if selected(s.row) {
			emit(h.eventRow(ctx, s.row, s.sh, s.sh.nominal))
		}
		if selected(s.row + "s") {
			emit(h.scalingRows(ctx, s.row, s.sh)...)
		}
	}
	rows := []struct {
		name string
		run  func(context.Context) result
	}{
		{"3", func(ctx context.Context) result {
			return h.eventRow(ctx, "3", keyPathArraysShape, keyPathArraysShape.nominal)
		}},
		{"3b", func(ctx context.Context) result {
			return h.eventRow(ctx, "3b", deepKeyPathShape, deepKeyPathShape.nominal)
		}},
		{"4a", func(ctx context.Context) result {
			return h.hugeMessageRow(ctx, "4a", "16 MiB TransformBatch message of empty jobs", emptyJobsMessage(hugeMessage))
		}},
		{"4b", func(ctx context.Context) result {
			return h.hugeMessageRow(ctx, "4b", "16 MiB TransformBatch message: a list of empty metadata values", emptyListBatchMessage(hugeMessage))
		}},
		{"5", h.unauthenticatedRow},
		{"6", h.heldMessagesRow},
		{"7", h.stuckStreamsRow},
		{"8", h.metadataRow},
		{"9", h.rapidResetRow},
		{"10", h.shutdownRow},
		{"11", h.panicRow},
		{"12", h.badMessageRow},
		{"13", h.httpBodiesRow},
		{"14", h.httpBusyRow},
		{"15", h.httpUnreadRow},
		{"16", h.h2cStreamsRow},
		{"17", h.httpDenseRow},
		{"18", h.compactedEchoRow},
		{"19", h.repeatedHeaderRow},
		{"20", h.firstJobEchoRow},
		{"21", h.expandingRow},
		{"22", h.httpExpandingRow},
	}
	for _, row := range rows {
		if ctx.Err() != nil {
			return results, ctx.Err()
		}
		if selected(row.name) {
			emit(row.run(ctx))
		}
	}
	return results, nil
}

// build compiles ./cmd/cio-transformer of the module in the working
// directory to out.
func build(ctx context.Context, out string, stderr io.Writer, extra ...string) error {
	args := append([]string{"build"}, extra...)
	args = append(args, "-o", out, "./cmd/cio-transformer")
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Stdout, cmd.Stderr = stderr, stderr
	return cmd.Run()
}

// gitCommit is the short commit of the working tree, or "unknown".
func gitCommit(ctx context.Context) string {
	out, err := exec.CommandContext(ctx, "git", "rev-parse", "--short", "HEAD").Output()
	if err != nil {
		return "unknown"
	}
	return strings.TrimSpace(string(out))
}

// loadAverage is the one-minute load average, or "unknown".
func loadAverage() string {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	if f := strings.Fields(string(data)); len(f) > 0 {
		return f[0]
	}
	return "unknown"
}
