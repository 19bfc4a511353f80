package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/cio-transformer/cio-transformer/internal/fakecio"
	"github.com/google/go-cmp/cmp"
)

// httpAddr returns the address the server logged for its HTTP listener.
func httpAddr(t *testing.T, s *runningServer) string {
	t.Helper()
	for line := range strings.SplitSeq(s.logs.String(), "\n") {
		var rec struct {
			Msg  string `json:"msg"`
			Addr string `json:"addr"`
		}
		if json.Unmarshal([]byte(line), &rec) == nil && rec.Msg == "serving http" {
			return rec.Addr
		}
	}
	t.Fatalf("no HTTP listener in the logs:\n%s", s.logs.String())
	return ""
}

// TestREADMECurlExamples runs every curl command of the README, as
// written, against the real binary's HTTP face (make run's :9090 becomes
// the test's port) and compares the output with the README's.
func TestREADMECurlExamples(t *testing.T) {
	t.Parallel()
	// The proxy example reaches a fake Customer.io that accepts the first
	// object of a batch and rejects the second, as the README says.
	fake := fakecio.Start(nil, fakecio.Response{Status: 207, Body: readmeFakeAnswer})
	t.Cleanup(fake.Close)
	srv := startServer(t, "--http-listen", "127.0.0.1:0", "--delivery-us-url", fake.URL)
	addr := httpAddr(t, srv)
	examples := readmeBlocks(t, func(cmd string) bool { return strings.HasPrefix(cmd, "curl ") })
	if len(examples) < 4 {
		t.Fatalf("README has %d curl examples, want at least 4", len(examples))
	}
	for _, ex := range examples {
		t.Run(fmt.Sprintf("line%d", ex.line), func(t *testing.T) {
			cmdText := strings.ReplaceAll(ex.command, "localhost:9090", addr)
			ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, "bash", "-c", cmdText)
			cmd.Dir = repoRoot()
			got, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("%s\n%v\n%s", ex.command, err, got)
			}
			want, gotVals := jsonStream(t, ex.output), jsonStream(t, string(got))
			if d := cmp.Diff(want, gotVals); d != "" {
				t.Errorf("README line %d: output differs (-readme +actual):\n%s\nactual output:\n%s", ex.line, d, got)
			}
		})
	}
}
