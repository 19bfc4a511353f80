package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"google.golang.org/grpc/mem"
	"google.golang.org/protobuf/encoding/protowire"

	"github.com/cio-transformer/cio-transformer/server/httpapi"
)

// TestMain lets the test binary serve as a server child: cio-bench starts
// its children by running its own executable, which in a test is this one.
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == childCommand {
		ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
		code := serveChild(ctx, os.Args[2:], os.Stdout, os.Stderr)
		stop()
		os.Exit(code)
	}
	os.Exit(m.Run())
}

// syncBuffer is a bytes.Buffer for the stderr of several server children
// at once.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// ratioLinePattern is the contract of the last line of a comparison run.
var ratioLinePattern = regexp.MustCompile(`^ratio stream_json=\d+\.\d\d stream_typed=\d+\.\d\d unary=\d+\.\d\d$`)

// floorLinePattern is the contract of the last line of a comparison run.
var floorLinePattern = regexp.MustCompile(`^floor stream_json=\d+\.\d\d stream_typed=\d+\.\d\d unary=\d+\.\d\d$`)

// quickLoad are flags for a run that takes a few seconds.
var quickLoad = []string{"--events", "400", "--streams", "2", "--window", "2", "--unary-concurrency", "4", "--conns", "2"}

// runAndRead runs cio-bench with args and --json into a file of dir,
// failing t unless it exits 0, reads the file into result and returns
// what cio-bench printed.
func runAndRead(t *testing.T, dir string, args []string, result any) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	out := filepath.Join(dir, "result.json")
	var stdout bytes.Buffer
	var stderr syncBuffer
	if code := run(ctx, append(args, "--json", out), &stdout, &stderr); code != 0 {
		t.Fatalf("exit code %d\nstdout:\n%s\nstderr:\n%s", code, stdout.String(), stderr.String())
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, result); err != nil {
		t.Fatal(err)
	}
	return stdout.String()
}

func TestCompareAndDocument(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	runJSON := filepath.Join(dir, "result.json")
	var res runResult
	stdout := runAndRead(t, dir, append([]string{"--duration", "300ms", "--warmup", "100ms", "--rounds", "1", "--cpuprofile-dir", dir}, quickLoad...), &res)
	lines := strings.Split(strings.TrimRight(stdout, "\n"), "\n")
	if ratio := lines[len(lines)-2]; !ratioLinePattern.MatchString(ratio) {
		t.Errorf("line before last %q does not match %s", ratio, ratioLinePattern)
	}
	if last := lines[len(lines)-1]; !floorLinePattern.MatchString(last) {
		t.Errorf("last line %q does not match %s", last, floorLinePattern)
	}
	if len(res.Phases) != 6 || len(res.Summary) != 6 || len(res.Checks) != 6 {
		t.Errorf("got %d phases, %d summary rows, %d checks; want 6 each", len(res.Phases), len(res.Summary), len(res.Checks))
	}
	for _, p := range res.Phases {
		if p.Events == 0 || p.PeakRSSBytes == 0 {
			t.Errorf("phase %s/%s measured %d events, %d bytes peak RSS", p.Workload, p.Server, p.Events, p.PeakRSSBytes)
		}
	}
	for _, kind := range []string{kindTransform, kindEcho} {
		for _, w := range allWorkloads {
			if fi, err := os.Stat(filepath.Join(dir, kind+"-"+w+"-r1.pprof")); err != nil || fi.Size() == 0 {
				t.Errorf("%s server wrote no CPU profile of %s: %v", kind, w, err)
			}
		}
	}
	if res.Floor.MicrosPerEvent <= 0 || len(res.Floors) != 3 {
		t.Errorf("floor %+v, multiples %+v", res.Floor, res.Floors)
	}

	goBench := filepath.Join(dir, "gobench.txt")
	if err := os.WriteFile(goBench, []byte(sampleGoBench), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "PERFORMANCE.md")
	beforeAfter := filepath.Join(dir, "beforeafter.txt")
	if err := os.WriteFile(beforeAfter, []byte("Mixed   4.619µ ± 1%   1.898µ ± 1%  -58.91% (p=0.002 n=6)\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	markdownArgs := []string{"markdown", "--run", runJSON, "--gobench", goBench, "--benchstat", goBench,
		"--profiles", dir, "--before-after", beforeAfter, "--before-rev", "v0.1.0", "--out", out}
	var stderr bytes.Buffer
	if code := run(context.Background(), markdownArgs, io.Discard, &stderr); code != 0 {
		t.Fatalf("markdown: exit code %d\n%s", code, stderr.String())
	}
	doc, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"# Performance", "## Machine", "## How to reproduce", "## The service against an echo baseline", res.RatioLine, res.FloorLine, "| BenchmarkMixed | 2 | 21000 | 44403 | 5100 | 196078 |", "nproc",
		"## Where each µs goes in the service", "stream_json, ", "| stage | µs/event | share |", "| total |", "## Before and after", "`v0.1.0`", "-58.91%"} {
		if !bytes.Contains(doc, []byte(want)) {
			t.Errorf("document lacks %q", want)
		}
	}
}

func TestLongStream(t *testing.T) {
	t.Parallel()
	var res longStreamResult
	stdout := runAndRead(t, t.TempDir(), append([]string{"--mode", "longstream", "--jobs", "3000"}, quickLoad...), &res)
	if res.Jobs != 3000 || !res.OK || res.RSSPeakBytes < res.RSSStartBytes || res.RSSStartBytes == 0 {
		t.Errorf("unexpected result %+v", res)
	}
	if !strings.Contains(stdout, "longstream jobs=3000 ") {
		t.Errorf("no summary line in\n%s", stdout)
	}
}

func TestFlagErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args []string
	}{
		{"unknown mode", []string{"--mode", "soak"}},
		{"unknown workload", []string{"--workloads", "stream_json,bulk"}},
		{"zero window", []string{"--window", "0"}},
		{"stray argument", []string{"now"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var stdout, stderr bytes.Buffer
			if code := run(context.Background(), tt.args, &stdout, &stderr); code == 0 {
				t.Errorf("exit code 0 for %v", tt.args)
			}
		})
	}
}

func TestBatchReplyRead(t *testing.T) {
	t.Parallel()
	result := protowire.AppendBytes(protowire.AppendTag(nil, 2, protowire.BytesType), []byte{0x0a, 0x02, 0x08, 0x07})
	tests := []struct {
		name string
		msg  []byte
		want batchReply
	}{
		{"empty", nil, batchReply{}},
		{"final with results", concat(requestIDPrefix(300), result, result, []byte{0x18, 0x01}), batchReply{requestID: 300, results: 2, final: true}},
		{"not final", concat(requestIDPrefix(1), result), batchReply{requestID: 1, results: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got batchReply
			if err := (frameCodec{}).Unmarshal(mem.BufferSlice{mem.SliceBuffer(tt.msg)}, &got); err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
	var r batchReply
	if err := r.read([]byte{0x08}); err == nil {
		t.Error("a truncated varint was accepted")
	}
}

func concat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

// sampleGoBench is go test -bench output in the shape make bench saves.
const sampleGoBench = `goos: linux
goarch: amd64
pkg: github.com/cio-transformer/cio-transformer/transform
cpu: AMD EPYC
BenchmarkMixed         	   22504	     44806 ns/op	  5000 cpu-ns/event	     22000 events/s	    4887 B/op	      13 allocs/op
BenchmarkMixed         	   22504	     44000 ns/op	  5200 cpu-ns/event	     20000 events/s	    4887 B/op	      13 allocs/op
BenchmarkJSONRoundTrip-2 	   10000	    221227 ns/op	      4520 events/s	    7374 B/op	     174 allocs/op
BenchmarkTransform/identify-2 	   10000	    2000 ns/op
PASS
`

func TestParseGoBench(t *testing.T) {
	t.Parallel()
	res := parseGoBench([]byte(sampleGoBench))
	tests := []struct {
		name, bench, unit string
		want              float64
	}{
		{"median of two runs", "BenchmarkMixed", "events/s", 21000},
		{"suffix removed", "BenchmarkJSONRoundTrip", "allocs/op", 174},
		{"sub-benchmark", "BenchmarkTransform/identify", "ns/op", 2000},
		{"missing unit", "BenchmarkTransform/identify", "B/op", 0},
		{"missing benchmark", "BenchmarkNone", "ns/op", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := median(res.find(tt.bench), tt.unit); got != tt.want {
				t.Errorf("median %s %s = %v, want %v", tt.bench, tt.unit, got, tt.want)
			}
		})
	}
}

func TestPercentile(t *testing.T) {
	t.Parallel()
	lat := []time.Duration{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	tests := []struct {
		name string
		in   []time.Duration
		q    float64
		want time.Duration
	}{
		{"none", nil, 0.5, 0},
		{"median", lat, 0.5, 5},
		{"p99 of ten", lat, 0.99, 10},
		{"p0", lat, 0, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := percentile(tt.in, tt.q); got != tt.want {
				t.Errorf("percentile(%v) = %v, want %v", tt.q, got, tt.want)
			}
		})
	}
}

func TestSplitProfilesRejectsEmpty(t *testing.T) {
	t.Parallel()
	if _, err := splitProfiles(nil, serverStages); err == nil {
		t.Error("no profile: want an error")
	}
	bad := filepath.Join(t.TempDir(), "bad.pprof")
	if err := os.WriteFile(bad, []byte("not a profile"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := splitProfiles([]string{bad}, serverStages); err == nil || !strings.Contains(err.Error(), bad) {
		t.Errorf("bad profile: got %v, want an error naming the file", err)
	}
}

// TestHTTPFace runs the HTTP face's measurement briefly, with its CPU
// profile, and renders it with where the server's CPU time goes.
func TestHTTPFace(t *testing.T) {
	t.Parallel()
	var res httpResult
	dir := t.TempDir()
	stdout := runAndRead(t, dir, append([]string{"--mode", "http", "--duration", "300ms", "--warmup", "100ms", "--cpuprofile-dir", dir}, quickLoad...), &res)
	if res.Events == 0 || res.Events%int64(res.Batch) != 0 || res.ServerCPUSeconds <= 0 || res.FloorSeconds <= 0 {
		t.Errorf("unexpected result %+v", res)
	}
	if !strings.Contains(stdout, "http router events/s=") {
		t.Errorf("no summary line in\n%s", stdout)
	}
	paths, err := httpProfiles(dir)
	if err != nil || len(paths) != 1 {
		t.Fatalf("profiles of the HTTP face: %v, %v; want one", paths, err)
	}
	stages, err := splitProfiles(paths, httpStages)
	if err != nil {
		t.Fatal(err)
	}
	// As rudder-server sends them: compacted, with gzip answers; every
	// answer came compressed (postRouter checks it).
	var gz httpResult
	stdout = runAndRead(t, t.TempDir(), append([]string{"--mode", "http", "--http-compacted", "--http-gzip", "--duration", "300ms", "--warmup", "100ms"}, quickLoad...), &gz)
	if !gz.Gzip || !gz.Compacted || gz.Events == 0 || !strings.Contains(stdout, "http router-compacted-gzip events/s=") {
		t.Errorf("unexpected compacted gzip result %+v, printed\n%s", gz, stdout)
	}
	var b bytes.Buffer
	writeHTTPSection(&b, []*httpResult{&res, &gz}, stages)
	for _, want := range []string{"## The HTTP face", res.Line, gz.Line, "| plain | plain |", "| compacted | gzip |", "| stage | µs/event | share |", "| total |"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("section without %q:\n%s", want, b.String())
		}
	}
}

// TestRouterBodiesCompacted maps the compacted router bodies as the plain
// ones: the same jobs succeed, so that a compacted run measures the same
// work rather than a destination it cannot find.
func TestRouterBodiesCompacted(t *testing.T) {
	t.Parallel()
	h, err := httpapi.New(httpapi.Config{})
	if err != nil {
		t.Fatal(err)
	}
	answer := func(body []byte, compacted bool) string {
		r := httptest.NewRequest(http.MethodPost, "/routerTransform", bytes.NewReader(body))
		if compacted {
			r.Header.Set("X-Content-Format", "json+compactedv1")
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != http.StatusOK {
			t.Fatalf("compacted %v: %d %.200s", compacted, w.Code, w.Body.String())
		}
		return w.Body.String()
	}
	plain, _, err := routerBodies(1, 200, 100, false)
	if err != nil {
		t.Fatal(err)
	}
	compacted, _, err := routerBodies(1, 200, 100, true)
	if err != nil {
		t.Fatal(err)
	}
	for i := range plain {
		if len(compacted[i]) >= len(plain[i]) {
			t.Errorf("body %d: compacted %d bytes, plain %d: want it smaller", i, len(compacted[i]), len(plain[i]))
		}
		p, c := answer(plain[i], false), answer(compacted[i], true)
		if n, m := strings.Count(p, `"statusCode":200`), strings.Count(c, `"statusCode":200`); n == 0 || n != m {
			t.Errorf("body %d: %d successes compacted, %d plain", i, m, n)
		}
	}
}
