package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/google/pprof/profile"
)

// stage is one part of the work a CPU profile is divided into.
type stage struct {
	name string
	// match reports whether a sample belongs to the stage, given its
	// stack's function names, innermost first.
	match func(stack []string) bool
}

// serverStages divide a server's CPU profile, checked in order: the first
// stage that matches a sample takes it. Work on the request path comes
// first, so that an allocation inside the parser counts as parsing;
// "allocation and GC" in the tables is, besides, the share of each stage
// spent in the allocator and in the collector's assists.
var serverStages = []stage{
	{"GC in the background", anyFunc("runtime.gcBgMarkWorker", "runtime.bgsweep", "runtime.bgscavenge")},
	{"JSON parse (jsvalue.Parse, ParseLeased)", anyFunc(jsonParse...)},
	{"typed event to JSON (eventJSON)", anyFunc(project + "/server.eventJSON")},
	{"mapping (transform.Mode.MapIn, after the parse)", anyFunc(project+"/transform.Mode.MapIn", project+"/transform.Transform")},
	{"batching and results (Batcher, resultArena, resultStore)", anyPrefix(project+"/transform.(*Batcher)", project+"/server.(*resultArena)", project+"/server.(*resultStore)")},
	{"request decode (read and build the message)", anyFunc("google.golang.org/grpc.recv", "google.golang.org/grpc.recvAndDecompress")},
	{"response encode (marshal)", anyFunc("google.golang.org/grpc.encode", "google.golang.org/grpc.prepareMsg")},
	{"HTTP/2 transport and syscalls", anyPrefix("google.golang.org/grpc/internal/transport.", "syscall.", "internal/poll.", "net.", "golang.org/x/net/http2.")},
	{"interceptors, logging, metrics (their own code)", innermostOutsideRuntime("github.com/grpc-ecosystem/", "go.opentelemetry.io/", "log/slog.", "github.com/prometheus/", project+"/server.callLogger", project+"/server.(*callLogger)", project+"/server.streamCallStats", project+"/server.unaryCallStats")},
	{"goroutine stacks", anyFunc("runtime.newstack", "runtime.copystack")},
	{"the rest of the call (handler, interceptor chain)", anyFunc("google.golang.org/grpc.(*Server).handleStream")},
	{"scheduler and other runtime", allRuntime},
	{"other", func([]string) bool { return true }},
}

// benchStages divide the CPU profile of BenchmarkMixedBatch.
var benchStages = []stage{
	{"GC in the background", anyFunc("runtime.gcBgMarkWorker", "runtime.bgsweep", "runtime.bgscavenge")},
	{"JSON parse (jsvalue.Parse, ParseLeased)", anyFunc(jsonParse...)},
	{"mapping (transform.Mode.MapIn)", anyFunc(project+"/transform.Mode.MapIn", project+"/transform.Transform")},
	{"batching (Batcher)", anyPrefix(project + "/transform.(*Batcher)")},
	{"other", func([]string) bool { return true }},
}

// httpStages divide the CPU profile of the HTTP face's server, as
// serverStages divide the gRPC face's: reading the body, then parsing and
// mapping it, batching, writing the answer's JSON, and net/http with its
// syscalls.
var httpStages = []stage{
	{"GC in the background", anyFunc("runtime.gcBgMarkWorker", "runtime.bgsweep", "runtime.bgscavenge")},
	{"body read (readBody)", anyFunc(project + "/server/httpapi.readBody")},
	{"JSON parse (jsvalue.ParseLeased)", anyFunc(jsonParse...)},
	{"mapping (transform.Mode.MapIn, after the parse)", anyFunc(project+"/transform.Mode.MapIn", project+"/transform.Transform")},
	{"batching (Batcher)", anyPrefix(project + "/transform.(*Batcher)")},
	{"answer JSON (appendRouterResponse)", anyFunc(project + "/server/httpapi.appendRouterResponse")},
	{"net/http and syscalls", anyPrefix("net/http.", "syscall.", "internal/poll.", "net.", "bufio.")},
	{"scheduler and other runtime", allRuntime},
	{"other", func([]string) bool { return true }},
}

// project is the module path.
const project = "github.com/cio-transformer/cio-transformer"

// jsonParse are the parser's entry points: Parse, ParseNoCopy, the parse
// both call, and ParseLeased (a job's raw event) with the release of its
// lease.
var jsonParse = []string{project + "/internal/jsvalue.Parse", project + "/internal/jsvalue.ParseNoCopy", project + "/internal/jsvalue.parse", project + "/internal/jsvalue.ParseLeased", project + "/internal/jsvalue.(*Lease).Release"}

// anyFunc matches a stack holding one of the functions.
func anyFunc(names ...string) func([]string) bool {
	return func(stack []string) bool {
		for _, f := range stack {
			if slices.Contains(names, f) {
				return true
			}
		}
		return false
	}
}

// anyPrefix matches a stack holding a function whose name starts with one
// of the prefixes.
func anyPrefix(prefixes ...string) func([]string) bool {
	return func(stack []string) bool {
		for _, f := range stack {
			if hasAnyPrefix(f, prefixes) {
				return true
			}
		}
		return false
	}
}

// innermostOutsideRuntime matches a stack whose innermost function outside
// the runtime and the standard library's basics starts with one of the
// prefixes: work done by that code itself, not by what it calls.
func innermostOutsideRuntime(prefixes ...string) func([]string) bool {
	return func(stack []string) bool {
		for _, f := range stack {
			if isRuntime(f) {
				continue
			}
			return hasAnyPrefix(f, prefixes)
		}
		return false
	}
}

// allRuntime matches a stack of runtime functions only: the scheduler,
// timers, the netpoller.
func allRuntime(stack []string) bool {
	for _, f := range stack {
		if !isRuntime(f) {
			return false
		}
	}
	return true
}

// isRuntime reports whether f belongs to the runtime or the basic packages
// every piece of code calls into (memory moves, maps, atomics, sync).
func isRuntime(f string) bool {
	return hasAnyPrefix(f, []string{"runtime.", "internal/", "sync.", "sync/atomic.", "gcWriteBarrier", "indexbytebody", "memeqbody", "cmpbody"})
}

func hasAnyPrefix(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// allocating reports whether a stack is in the allocator or the
// collector's assists.
var allocating = anyFunc("runtime.mallocgc", "runtime.gcAssistAlloc")

// stageShare is one stage's part of a profile.
type stageShare struct {
	Name string `json:"name"`
	// Share is the stage's fraction of the profile's CPU time.
	Share float64 `json:"share"`
	// AllocShare is the fraction of the profile's CPU time the stage spent
	// allocating (see allocating).
	AllocShare float64 `json:"alloc_share"`
}

// splitProfiles reads CPU profiles and divides their CPU time, summed, into
// stages.
func splitProfiles(paths []string, stages []stage) ([]stageShare, error) {
	cpu := make([]int64, len(stages))
	alloc := make([]int64, len(stages))
	var total int64
	for _, path := range paths {
		p, err := readProfile(path)
		if err != nil {
			return nil, err
		}
		vi := len(p.SampleType) - 1
		for i, st := range p.SampleType {
			if st.Type == "cpu" {
				vi = i
			}
		}
		var stack []string
		for _, s := range p.Sample {
			stack = stack[:0]
			for _, loc := range s.Location {
				for _, line := range loc.Line {
					if line.Function != nil {
						stack = append(stack, line.Function.Name)
					}
				}
			}
			v := s.Value[vi]
			total += v
			i := stageOf(stages, stack)
			cpu[i] += v
			if allocating(stack) {
				alloc[i] += v
			}
		}
	}
	if total == 0 {
		return nil, fmt.Errorf("no CPU samples in %s", strings.Join(paths, ", "))
	}
	shares := make([]stageShare, len(stages))
	for i, st := range stages {
		shares[i] = stageShare{Name: st.name, Share: float64(cpu[i]) / float64(total), AllocShare: float64(alloc[i]) / float64(total)}
	}
	return shares, nil
}

// stageOf returns the index of the first of stages that stack belongs
// to; the last stage must match every stack.
func stageOf(stages []stage, stack []string) int {
	for i, st := range stages {
		if st.match(stack) {
			return i
		}
	}
	return len(stages) - 1
}

// readProfile parses the profile at path.
func readProfile(path string) (*profile.Profile, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	p, err := profile.Parse(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return p, nil
}

// serverProfiles returns the profiles of the service's phases of workload
// in dir, every round.
func serverProfiles(dir, workload string) ([]string, error) {
	return filepath.Glob(filepath.Join(dir, "transform-"+workload+"-r*.pprof"))
}

// httpProfiles returns the profiles of the HTTP face's measured time in
// dir.
func httpProfiles(dir string) ([]string, error) {
	return filepath.Glob(filepath.Join(dir, kindHTTP+"-router-r*.pprof"))
}

// writeStageTable writes where the CPU time of one event goes, perEvent
// being the measured CPU µs per event that the shares divide.
func writeStageTable(w io.Writer, shares []stageShare, perEvent float64) {
	rows := make([][]string, 0, len(shares))
	for _, s := range shares {
		if s.Share < 0.0005 {
			continue
		}
		rows = append(rows, []string{
			s.Name,
			fmt.Sprintf("%.2f", s.Share*perEvent),
			fmt.Sprintf("%.0f%%", 100*s.Share),
			fmt.Sprintf("%.2f", s.AllocShare*perEvent),
		})
	}
	rows = append(rows, []string{"total", fmt.Sprintf("%.2f", perEvent), "100%", ""})
	writeMarkdownTable(w, []string{"stage", "µs/event", "share", "of which allocation and GC assists, µs"}, rows)
}
