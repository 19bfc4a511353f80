package main

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// docExample is a shell command of a document and the output it shows.
type docExample struct {
	file    string
	line    int
	command string
	output  string
	lang    string
}

var fence = regexp.MustCompile("(?s)```sh\n(.*?)```\n+```(json|text)\n(.*?)```")

// docExamples returns the examples of file, a document named from the
// repository root, whose command keep accepts (all when keep is nil): a sh
// block immediately followed by a json or text block with its output.
func docExamples(t *testing.T, file string, keep func(cmd string) bool) []docExample {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(repoRoot(), filepath.FromSlash(file)))
	if err != nil {
		t.Fatal(err)
	}
	var out []docExample
	for _, m := range fence.FindAllSubmatchIndex(data, -1) {
		cmd := string(data[m[2]:m[3]])
		if keep != nil && !keep(cmd) {
			continue
		}
		out = append(out, docExample{
			file:    file,
			line:    strings.Count(string(data[:m[0]]), "\n") + 1,
			command: cmd,
			lang:    string(data[m[4]:m[5]]),
			output:  string(data[m[6]:m[7]]),
		})
	}
	return out
}

// run runs script, the example's command pointed at the test's servers,
// with bash in the repository root, and compares its output with the
// example's: as a sequence of JSON values when the example shows JSON, as
// text otherwise.
func (ex docExample) run(t *testing.T, script string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-c", script)
	cmd.Dir = repoRoot()
	got, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s\n%v\n%s", ex.command, err, got)
	}
	if ex.lang == "json" {
		if d := cmp.Diff(jsonStream(t, ex.output), jsonStream(t, string(got))); d != "" {
			t.Errorf("%s line %d: output differs (-doc +actual):\n%s\nactual output:\n%s", ex.file, ex.line, d, got)
		}
		return
	}
	if d := cmp.Diff(strings.TrimSpace(ex.output), strings.TrimSpace(string(got))); d != "" {
		t.Errorf("%s line %d: output differs (-doc +actual):\n%s", ex.file, ex.line, d)
	}
}

// jsonStream decodes a sequence of JSON values.
func jsonStream(t *testing.T, s string) []any {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(s))
	var vals []any
	for dec.More() {
		var v any
		if err := dec.Decode(&v); err != nil {
			t.Fatalf("not a JSON stream: %v\n%s", err, s)
		}
		vals = append(vals, v)
	}
	return vals
}
