package main

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"net"
	"os/exec"
	"testing"
	"time"

	"github.com/cio-transformer/cio-transformer/internal/conformance"
	"github.com/cio-transformer/cio-transformer/server/httpapi"
)

// corpusDir is the shared conformance corpus, relative to this package.
const corpusDir = "../../../shared/conformance/customerio"

// corpusFiles are the files of the shared corpus the real-binary runs
// replay.
var corpusFiles = []string{"processor.jsonl", "differential/processor.jsonl",
	"router.jsonl", "differential/router.jsonl", "delivery.jsonl"}

// corpusPaths returns the paths of the corpus files and how many cases
// they hold, skipping the test when the corpus is not there.
func corpusPaths(t *testing.T) ([]string, int) {
	t.Helper()
	paths, cases, err := conformance.CorpusFiles(corpusDir, corpusFiles...)
	if errors.Is(err, fs.ErrNotExist) {
		t.Skipf("conformance corpus not found at %s", corpusDir)
	}
	if err != nil {
		t.Fatal(err)
	}
	return paths, cases
}

// freeAddr returns a loopback address nothing listens on, for the fake
// Customer.io that cio-verify serves with --fake-cio once the server runs.
func freeAddr(t *testing.T) string {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := lis.Addr().String()
	lis.Close()
	return addr
}

// runVerifyBinary runs the real cio-verify with args and checks that it
// exits 0 with every one of cases passed and none skipped.
func runVerifyBinary(t *testing.T, cases int, args ...string) {
	t.Helper()
	buildBinaries(t)
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, binaries.verify, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	runErr := cmd.Run()
	sum, err := conformance.ParseSummary(stdout.String())
	if err != nil {
		t.Fatalf("%v (exit: %v); stderr:\n%s", err, runErr, stderr.String())
	}
	t.Log(sum)
	if runErr != nil || sum != (conformance.Tally{Passed: cases}) {
		t.Errorf("exit: %v; %s, want %d passed; stdout:\n%s\nstderr:\n%s", runErr, sum, cases, stdout.String(), stderr.String())
	}
}

// TestVerifyCorpusAgainstBinary replays the whole corpus over gRPC with the
// real cio-verify against the real server, whose US base URL is the fake
// Customer.io cio-verify serves with --fake-cio for the delivery cases.
func TestVerifyCorpusAgainstBinary(t *testing.T) {
	t.Parallel()
	paths, cases := corpusPaths(t)
	fakeAddr := freeAddr(t)
	srv := startServer(t, "--delivery-us-url", "http://"+fakeAddr)
	runVerifyBinary(t, cases, append([]string{"--addr", srv.addr, "--fake-cio", fakeAddr}, paths...)...)
}

// TestVerifyCorpusHTTPAgainstBinary replays the whole corpus over HTTP with
// the real cio-verify against the real server: one on the legacy router
// path, one with the batching-framework variable set for the v2 lines, both
// delivering to the fake Customer.io cio-verify serves with --fake-cio.
func TestVerifyCorpusHTTPAgainstBinary(t *testing.T) {
	t.Parallel()
	paths, cases := corpusPaths(t)
	fakeAddr := freeAddr(t)
	args := []string{"--http-listen", "127.0.0.1:0", "--delivery-us-url", "http://" + fakeAddr}
	legacy := startServer(t, args...)
	v2 := startServerEnv(t, []string{httpapi.V2WorkspacesEnv + "=ALL"}, args...)
	runVerifyBinary(t, cases, append([]string{
		"--http-url", "http://" + httpAddr(t, legacy), "--http-v2-url", "http://" + httpAddr(t, v2),
		"--fake-cio", fakeAddr}, paths...)...)
}
