package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/cio-transformer/cio-transformer/internal/fakecio"
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
	examples := docExamples(t, "README.md", func(cmd string) bool { return strings.HasPrefix(cmd, "curl ") })
	if len(examples) < 4 {
		t.Fatalf("README has %d curl examples, want at least 4", len(examples))
	}
	for _, ex := range examples {
		t.Run(fmt.Sprintf("line%d", ex.line), func(t *testing.T) {
			ex.run(t, strings.ReplaceAll(ex.command, "localhost:9090", addr))
		})
	}
}
