package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/spf13/pflag"
)

var updateDocs = flag.Bool("update-docs", false, "rewrite the serve flag table of docs/OPERATIONS.md from the flag definitions")

// The serve flag table of docs/OPERATIONS.md sits between these markers.
const (
	flagTableBegin = "<!-- serve-flags:begin -->"
	flagTableEnd   = "<!-- serve-flags:end -->"
)

// serveFlagTable renders the serve flags as the Markdown table
// docs/OPERATIONS.md holds.
func serveFlagTable(t *testing.T) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("| flag | env | default | meaning |\n|---|---|---|---|\n")
	newServeFlagSet(&serveFlags{}, io.Discard).VisitAll(func(f *pflag.Flag) {
		env := envName(f.Name)
		suffix := " (env " + env + ")"
		if !strings.HasSuffix(f.Usage, suffix) {
			t.Errorf("usage of --%s does not end with %q, the environment variable applyEnv reads", f.Name, suffix)
		}
		def := "none"
		if f.DefValue != "" {
			def = "`" + f.DefValue + "`"
		}
		meaning := strings.NewReplacer("|", `\|`, "<", "&lt;", ">", "&gt;").Replace(strings.TrimSuffix(f.Usage, suffix))
		fmt.Fprintf(&b, "| `--%s` | `%s` | %s | %s |\n", f.Name, env, def, meaning)
	})
	return b.String()
}

// TestOperationsFlagTable keeps the flag table of docs/OPERATIONS.md equal
// to the flags serve defines. After adding or changing a flag, run
//
//	go test ./cmd/cio-transformer -run TestOperationsFlagTable -update-docs
//
// and review the diff.
func TestOperationsFlagTable(t *testing.T) {
	t.Parallel()
	path := filepath.Join(repoRoot(), "docs", "OPERATIONS.md")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(data)
	head, rest, ok1 := strings.Cut(doc, flagTableBegin+"\n")
	table, tail, ok2 := strings.Cut(rest, flagTableEnd)
	if !ok1 || !ok2 {
		t.Fatalf("docs/OPERATIONS.md lacks the %s ... %s markers", flagTableBegin, flagTableEnd)
	}
	want := serveFlagTable(t)
	if table == want {
		return
	}
	if *updateDocs {
		if err := os.WriteFile(path, []byte(head+flagTableBegin+"\n"+want+flagTableEnd+tail), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("docs/OPERATIONS.md's flag table differs from the serve flags (-doc +flags); "+
		"run go test ./cmd/cio-transformer -run TestOperationsFlagTable -update-docs:\n%s",
		cmp.Diff(strings.Split(table, "\n"), strings.Split(want, "\n")))
}

// TestOperationsGrpcurlExamples runs the grpcurl commands of
// docs/OPERATIONS.md, as TestREADMEExamples does the README's: a sh block
// followed by a json or text block with its output.
func TestOperationsGrpcurlExamples(t *testing.T) {
	t.Parallel()
	examples := docExamples(t, "docs/OPERATIONS.md", nil)
	if len(examples) == 0 {
		t.Fatal("docs/OPERATIONS.md has no grpcurl examples")
	}
	srv := startServer(t)
	_, grpcurl := buildBinaries(t)
	for _, ex := range examples {
		t.Run(fmt.Sprintf("line%d", ex.line), func(t *testing.T) {
			script := strings.ReplaceAll(ex.command, "bin/grpcurl", grpcurl)
			ex.run(t, strings.ReplaceAll(script, "localhost:50051", srv.addr))
		})
	}
}
