package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	ciotransformerv1 "github.com/cio-transformer/cio-transformer/gen/ciotransformer/v1"
)

// verifyUsage is the head of verify's help.
const verifyUsage = `usage: cio-transformer verify [--addr HOST:PORT] [--timeout D] FILE...

Replays conformance JSONL files through the TransformerService at --addr, or
through one served in-process, and reports every failing case and a summary.
Exit code 0: every case passed; 1: some failed; 2: usage or I/O error.

Flags:
`

// defaultRPCTimeout bounds every call of a verify run: one unary call per
// processor line, one stream per router line.
const defaultRPCTimeout = 30 * time.Second

// verifier replays conformance cases against a TransformerService.
type verifier struct {
	client  ciotransformerv1.TransformerServiceClient
	timeout time.Duration
}

// tally counts the cases of a run.
type tally struct {
	passed, failed, skipped int
}

// String is the summary line of a run.
func (t tally) String() string {
	s := fmt.Sprintf("%d passed, %d failed", t.passed, t.failed)
	if t.skipped > 0 {
		s += fmt.Sprintf(", %d skipped", t.skipped)
	}
	return s
}

// corpusFile is one conformance file, read whole.
type corpusFile struct {
	name string
	data []byte
}

// verify replays conformance JSONL files through the TransformerService
// at --addr, or through one served in-process when --addr is not given,
// and reports every failing case and a summary. It returns 0 when every
// case passed, 1 when some failed, and 2 for usage or I/O errors.
func verify(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("verify", stderr)
	addr := fs.String("addr", "", "HOST:PORT of a running server; empty serves one in-process")
	timeout := fs.Duration("timeout", defaultRPCTimeout, "deadline of each RPC")
	if code, ok := parseArgs(fs, args, verifyUsage, stdout, stderr); !ok {
		return code
	}
	if fs.NArg() == 0 {
		return usageError(stderr, "verify", fmt.Errorf("no conformance files given"))
	}
	if *timeout <= 0 {
		return usageError(stderr, "verify", fmt.Errorf("--timeout must be positive, got %s", *timeout))
	}
	files := make([]corpusFile, 0, fs.NArg())
	for _, name := range fs.Args() {
		data, err := os.ReadFile(name)
		if err != nil {
			fmt.Fprintf(stderr, "verify: %v\n", err)
			return 2
		}
		files = append(files, corpusFile{name: name, data: data})
	}

	conn, err := connect(ctx, *addr, *timeout)
	if err != nil {
		fmt.Fprintf(stderr, "verify: %v\n", err)
		return 2
	}
	defer conn.close()

	v := &verifier{client: ciotransformerv1.NewTransformerServiceClient(conn.cc), timeout: *timeout}
	var t tally
	for _, f := range files {
		v.verifyFile(ctx, f, stdout, &t)
		if ctx.Err() != nil {
			fmt.Fprintln(stdout, t)
			fmt.Fprintln(stderr, "verify: interrupted")
			return 2
		}
	}
	fmt.Fprintln(stdout, t)
	if t.failed > 0 {
		return 1
	}
	return 0
}

// verifyFile replays every line of f, printing each failing case.
func (v *verifier) verifyFile(ctx context.Context, f corpusFile, out io.Writer, t *tally) {
	for i, line := range bytes.Split(f.data, []byte("\n")) {
		if ctx.Err() != nil {
			return
		}
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		desc, skipped, diffs := v.verifyLine(ctx, line)
		switch {
		case skipped:
			t.skipped++
		case len(diffs) == 0:
			t.passed++
		default:
			t.failed++
			fmt.Fprintf(out, "FAIL %s:%d: %s\n", f.name, i+1, desc)
			writeDiffs(out, diffs)
		}
	}
}

// verifyLine replays one line. It returns the case's description, whether
// the case is skipped, and its differences (none when it passed).
func (v *verifier) verifyLine(ctx context.Context, line []byte) (string, bool, []difference) {
	var c caseLine
	if err := json.Unmarshal(line, &c); err != nil {
		return "(unreadable line)", false, []difference{noteAt("line", "not a JSON object: %v", err)}
	}
	desc := strings.TrimSpace(c.Description)
	if desc == "" {
		desc = "(no description)"
	}
	switch c.kind() {
	case kindSkipped:
		return desc, true, nil
	case kindProcessor:
		return desc, false, v.verifyProcessor(ctx, &c)
	case kindRouter:
		return desc, false, v.verifyRouter(ctx, &c)
	}
	return desc, false, []difference{noteAt("line", "neither a processor case (message, expected) nor a router case (input, variant %q)", c.Variant)}
}
