package conformance

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	ciotransformerv1 "github.com/cio-transformer/cio-transformer/gen/ciotransformer/v1"
	"google.golang.org/protobuf/proto"
)

// corpusDir is the shared conformance corpus, relative to this package.
const corpusDir = "../../../shared/conformance/customerio"

// TestVerifyCorpus replays the whole shared corpus through an in-process
// server: every case must pass.
func TestVerifyCorpus(t *testing.T) {
	t.Parallel()
	paths, lines := corpusPaths(t, "processor.jsonl", "differential/processor.jsonl",
		"router.jsonl", "differential/router.jsonl", "delivery.jsonl")
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	var stdout, stderr bytes.Buffer
	code := Run(ctx, paths, &stdout, &stderr)
	out := strings.TrimSpace(stdout.String())
	if code != 0 {
		t.Errorf("exit code %d, want 0; stderr: %s\n%s", code, stderr.String(), out)
	}
	sum, err := ParseSummary(out)
	if err != nil {
		t.Fatal(err)
	}
	t.Log(sum)
	passed, failed, skipped := sum.Passed, sum.Failed, sum.Skipped
	if failed != 0 {
		t.Errorf("%d cases failed", failed)
	}
	if skipped != 0 {
		t.Errorf("%d cases skipped, want none", skipped)
	}
	if passed+failed+skipped != lines {
		t.Errorf("%d cases counted, the files hold %d", passed+failed+skipped, lines)
	}
}

// TestVerifyExitCodes runs verify on small files of its own.
func TestVerifyExitCodes(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name string, lines ...string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	const (
		noSiteID = `"destination":{"Config":{"apiKey":"k"}},"message":{"type":"track","event":"E","userId":"u"}`
		passing  = `{"description":"no siteID",` + noSiteID + `,"expected":{"error":{"statusCode":400,"message":"siteID not found in Configs","statTags":{"errorCategory":"dataValidation","errorType":"configuration"}}}}`
		failing  = `{"description":"wrong message",` + noSiteID + `,"expected":{"error":{"statusCode":400,"message":"apiKey not found in Configs","statTags":{"errorCategory":"dataValidation","errorType":"configuration"}}}}`
		delivery = `{"description":"proxy","feature":"dataDelivery","proxy_request":{"method":"POST","endpoint":"https://track.customer.io/api/v2/batch",` +
			`"headers":{"Authorization":"Basic czpr","test-dest-response-key":"ok"},"body":{"JSON":{"batch":[{}]}},"metadata":[{"jobId":1}]},` +
			`"mocked_destination_http":{"request":{"url":"https://track.customer.io/api/v2/batch","method":"POST","headers":{"test-dest-response-key":"ok"}},"response":{"status":200,"data":{}}},` +
			`"expected":{"http_status":200,"body":{"output":{"status":200,"message":"[CustomerIO Response Handler] - Request Processed Successfully","response":[{"statusCode":200,"metadata":{"jobId":1},"error":"success"}]}}}}`
		batching = `{"description":"v2","variant":"batching_framework_v2","input":[{"message":{},"metadata":{"jobId":1},"destination":{"Config":{"siteID":"s","apiKey":"k"}}}],` +
			`"expected":[{"metadata":[{"jobId":1}],"batched":false,"statusCode":400,"error":"message.type: Required","statTags":{"errorCategory":"dataValidation","errorType":"instrumentation"}}]}`
		// A message of null is a processor case of its own.
		nullMessage = `{"description":"null message","destination":{"Config":{"siteID":"s","apiKey":"k"}},"message":null,` +
			`"expected":{"error":{"statusCode":400,"message":"could not determine type undefined","statTags":{"errorCategory":"dataValidation","errorType":"instrumentation"}}}}`
	)
	good := write("good.jsonl", passing, "", delivery, batching, nullMessage)
	bad := write("bad.jsonl", passing, failing)

	// A port nothing listens on.
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := lis.Addr().String()
	lis.Close()

	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantOut  []string
	}{
		{name: "all pass", args: []string{good}, wantCode: 0, wantOut: []string{"4 passed, 0 failed"}},
		{name: "one fails", args: []string{bad}, wantCode: 1, wantOut: []string{
			"FAIL " + bad + ":2: wrong message",
			"error.message",
			`want: "apiKey not found in Configs"`,
			`got:  "siteID not found in Configs"`,
			"1 passed, 1 failed",
		}},
		{name: "several files", args: []string{good, bad}, wantCode: 1, wantOut: []string{"5 passed, 1 failed"}},
		{name: "no files", args: nil, wantCode: 2},
		{name: "missing file", args: []string{filepath.Join(dir, "missing.jsonl")}, wantCode: 2},
		{name: "unknown flag", args: []string{"--nope", good}, wantCode: 2},
		{name: "unreachable server", args: []string{"--addr", closed, "--timeout", "5s", good}, wantCode: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
			defer cancel()
			var stdout, stderr bytes.Buffer
			if code := Run(ctx, tt.args, &stdout, &stderr); code != tt.wantCode {
				t.Errorf("exit code %d, want %d; stdout:\n%s\nstderr:\n%s", code, tt.wantCode, stdout.String(), stderr.String())
			}
			out := stdout.String()
			for _, w := range tt.wantOut {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
			if tt.wantCode != 2 {
				lines := strings.Split(strings.TrimSpace(out), "\n")
				if last := lines[len(lines)-1]; !summaryLine.MatchString(last) {
					t.Errorf("last line %q is not a summary", last)
				}
			}
		})
	}
}

func TestDestinationFrom(t *testing.T) {
	t.Parallel()
	const (
		us = ciotransformerv1.Datacenter_DATACENTER_US
		eu = ciotransformerv1.Datacenter_DATACENTER_EU
	)
	tests := []struct {
		name string
		raw  string
		want *ciotransformerv1.Destination
	}{
		{
			name: "strings",
			raw:  `{"ID":"d1","Config":{"siteID":"s","apiKey":"k","datacenter":"EU","deviceTokenEventName":"Reg"}}`,
			want: &ciotransformerv1.Destination{Id: "d1", SiteId: "s", ApiKey: "k", Datacenter: eu, DeviceTokenEventName: "Reg"},
		},
		{
			name: "lower-case eu is the US",
			raw:  `{"Config":{"siteID":"s","apiKey":"k","datacenter":"eu"}}`,
			want: &ciotransformerv1.Destination{SiteId: "s", ApiKey: "k", Datacenter: us},
		},
		{
			name: "numbers print as JavaScript prints them",
			raw:  `{"ID":7,"Config":{"siteID":123,"apiKey":1.50,"datacenter":"US"}}`,
			want: &ciotransformerv1.Destination{Id: "7", SiteId: "123", ApiKey: "1.5", Datacenter: us},
		},
		{
			name: "large numbers use exponents",
			raw:  `{"Config":{"siteID":1e21,"apiKey":100000000000000000000}}`,
			want: &ciotransformerv1.Destination{SiteId: "1e+21", ApiKey: "100000000000000000000", Datacenter: us},
		},
		{
			name: "null, absent and other values are empty",
			raw:  `{"Config":{"siteID":null,"apiKey":true,"deviceTokenEventName":5,"datacenter":null}}`,
			want: &ciotransformerv1.Destination{Datacenter: us},
		},
		{name: "no config", raw: `{"ID":"d"}`, want: &ciotransformerv1.Destination{Id: "d", Datacenter: us}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := destinationFrom(json.RawMessage(tt.raw))
			if err != nil {
				t.Fatal(err)
			}
			if !proto.Equal(got, tt.want) {
				t.Errorf("destinationFrom = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestGroupByDestination(t *testing.T) {
	t.Parallel()
	input := func(dest string) string {
		return `{"message":{"type":"track"},"metadata":{"jobId":1},"destination":` + dest + `}`
	}
	tests := []struct {
		name   string
		dests  []string
		groups [][]int // input positions per group
	}{
		{
			name:   "one destination",
			dests:  []string{`{"ID":"a","Config":{"siteID":"s"}}`, `{"ID":"a","Config":{"siteID":"s"}}`},
			groups: [][]int{{0, 1}},
		},
		{
			name:   "two IDs, first-appearance order",
			dests:  []string{`{"ID":"b","Config":{}}`, `{"ID":"a","Config":{}}`, `{"ID":"b","Config":{}}`},
			groups: [][]int{{0, 2}, {1}},
		},
		{
			name:   "same ID, different configs",
			dests:  []string{`{"ID":"a","Config":{"siteID":"s1"}}`, `{"ID":"a","Config":{"siteID":"s2"}}`, `{"ID":"a","Config":{"siteID":"s1"}}`},
			groups: [][]int{{0, 2}, {1}},
		},
		{
			name:   "config key order does not matter",
			dests:  []string{`{"ID":"a","Config":{"siteID":"s","apiKey":"k"}}`, `{"ID":"a","Config":{"apiKey":"k","siteID":"s"}}`},
			groups: [][]int{{0, 1}},
		},
		{
			name:   "numbers compare by value",
			dests:  []string{`{"ID":"a","Config":{"siteID":1}}`, `{"ID":"a","Config":{"siteID":1.0}}`},
			groups: [][]int{{0, 1}},
		},
		{
			name:   "missing and empty IDs are default",
			dests:  []string{`{"Config":{}}`, `{"ID":"","Config":{}}`, `{"ID":"default","Config":{}}`},
			groups: [][]int{{0, 1, 2}},
		},
		{
			name:   "other destination fields do not matter",
			dests:  []string{`{"ID":"a","Name":"x","Config":{}}`, `{"ID":"a","Name":"y","Config":{}}`},
			groups: [][]int{{0, 1}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var inputs []routerInput
			for _, d := range tt.dests {
				var in routerInput
				if err := json.Unmarshal([]byte(input(d)), &in); err != nil {
					t.Fatal(err)
				}
				inputs = append(inputs, in)
			}
			groups, err := groupByDestination(inputs)
			if err != nil {
				t.Fatal(err)
			}
			if len(groups) != len(tt.groups) {
				t.Fatalf("%d groups, want %d", len(groups), len(tt.groups))
			}
			for gi, g := range groups {
				if !slices.Equal(g.positions, tt.groups[gi]) {
					t.Errorf("group %d holds %v, want %v", gi, g.positions, tt.groups[gi])
				}
				for k, j := range g.jobs {
					if j.GetJobId() != uint64(g.positions[k]) {
						t.Errorf("group %d job %d has id %d, want its position %d", gi, k, j.GetJobId(), g.positions[k])
					}
					if string(j.GetRawEvent()) != `{"type":"track"}` {
						t.Errorf("raw event %s, want the input's bytes", j.GetRawEvent())
					}
					if j.GetMetadata().GetFields()["jobId"].GetNumberValue() != 1 {
						t.Errorf("metadata %v not carried", j.GetMetadata())
					}
				}
			}
		})
	}
}

func TestWithD2(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		endpoint string
		eu       bool
		want     string
	}{
		{name: "US stays", endpoint: "https://track.customer.io/api/v2/batch", want: "https://track.customer.io/api/v2/batch"},
		{name: "EU moves", endpoint: "https://track.customer.io/api/v2/batch", eu: true, want: "https://track-eu.customer.io/api/v2/batch"},
		{name: "already EU", endpoint: "https://track-eu.customer.io/api/v2/batch", eu: true, want: "https://track-eu.customer.io/api/v2/batch"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := withD2(tt.endpoint, tt.eu); got != tt.want {
				t.Errorf("withD2 = %v, want %s", got, tt.want)
			}
		})
	}
}

// TestRunHelp prints cio-verify's usage and flags on --help, and points to
// it on a usage error.
func TestRunHelp(t *testing.T) {
	t.Parallel()
	var stdout, stderr bytes.Buffer
	if code := Run(t.Context(), []string{"--help"}, &stdout, &stderr); code != 0 {
		t.Errorf("--help: exit code %d, want 0; stderr:\n%s", code, stderr.String())
	}
	for _, want := range []string{"usage: cio-verify", "--addr string", "--http-url string"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("--help lacks %q:\n%s", want, stdout.String())
		}
	}
	stdout.Reset()
	if code := Run(t.Context(), nil, &stdout, &stderr); code != 2 {
		t.Errorf("no files: exit code %d, want 2", code)
	}
	if !strings.Contains(stderr.String(), "cio-verify: no conformance files given") || !strings.Contains(stderr.String(), "Run 'cio-verify --help'") {
		t.Errorf("no files: stderr %q", stderr.String())
	}
}
