package conformance

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"time"

	ciotransformerv1 "github.com/cio-transformer/cio-transformer/gen/ciotransformer/v1"
	"github.com/cio-transformer/cio-transformer/internal/cli"
	"github.com/cio-transformer/cio-transformer/internal/fakecio"
	"github.com/cio-transformer/cio-transformer/server"
)

// verifyUsage is the head of verify's help.
const verifyUsage = `usage: cio-verify [--addr HOST:PORT | --http | --http-url URL] [--fake-cio HOST:PORT] [--timeout D] FILE...

Replays conformance JSONL files through the TransformerService at --addr, or
through one served in-process, and reports every failing case and a summary.
Exit code 0: every case passed; 1: some failed; 2: usage or I/O error.

Flags:
`

// commandName is the name of the command Run implements.
const commandName = "cio-verify"

// defaultRPCTimeout bounds every call of a verify run: one unary call per
// processor line, one stream per router line.
const defaultRPCTimeout = 30 * time.Second

// verifier replays conformance cases against a TransformerService.
type verifier struct {
	client  ciotransformerv1.TransformerServiceClient
	timeout time.Duration
	// fake is the fake Customer.io delivery cases reach; nil when none runs.
	fake *fakecio.Server
}

// corpusFile is one conformance file, read whole.
type corpusFile struct {
	name string
	data []byte
}

// Run is the cio-verify command: it replays the conformance JSONL files
// in args through the TransformerService at --addr, or through one served
// in-process when --addr is not given, or over the HTTP face with --http
// or --http-url, and reports every failing case and a summary. It returns
// 0 when every case passed, 1 when some failed, and 2 for usage or I/O
// errors.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := cli.NewFlagSet(commandName, stderr)
	addr := fs.String("addr", "", "HOST:PORT of a running server; empty serves one in-process")
	timeout := fs.Duration("timeout", defaultRPCTimeout, "deadline of each RPC")
	fakeAddr := fs.String("fake-cio", "", "with --addr or --http-url: HOST:PORT to serve a fake Customer.io on for delivery cases; the server must run with --delivery-us-url http://HOST:PORT")
	var hf httpVerifyFlags
	hf.define(fs)
	if code, ok := cli.ParseArgs(fs, args, verifyUsage, stdout, stderr); !ok {
		return code
	}
	if fs.NArg() == 0 {
		return cli.UsageError(stderr, commandName, fmt.Errorf("no conformance files given"))
	}
	if *timeout <= 0 {
		return cli.UsageError(stderr, commandName, fmt.Errorf("--timeout must be positive, got %s", *timeout))
	}
	files := make([]corpusFile, 0, fs.NArg())
	for _, name := range fs.Args() {
		data, err := os.ReadFile(name)
		if err != nil {
			fmt.Fprintf(stderr, "%s: %v\n", commandName, err)
			return 2
		}
		files = append(files, corpusFile{name: name, data: data})
	}

	if hf.enabled() {
		return verifyHTTP(ctx, &hf, *fakeAddr, *timeout, files, stdout, stderr)
	}
	fake, err := startFake(*addr, *fakeAddr, deliveryScript(files))
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", commandName, err)
		return 2
	}
	var cfg server.Config
	if fake != nil {
		defer fake.Close()
		cfg.Delivery.USURL, cfg.Delivery.EUURL = fake.URL, fake.URL
	}
	conn, err := connect(ctx, *addr, *timeout, cfg)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", commandName, err)
		return 2
	}
	defer conn.close()

	v := &verifier{client: ciotransformerv1.NewTransformerServiceClient(conn.cc), timeout: *timeout, fake: fake}
	var t Tally
	for _, f := range files {
		v.verifyFile(ctx, f, stdout, &t)
		if ctx.Err() != nil {
			fmt.Fprintln(stdout, t)
			fmt.Fprintln(stderr, commandName+": interrupted")
			return 2
		}
	}
	fmt.Fprintln(stdout, t)
	if t.Failed > 0 {
		return 1
	}
	return 0
}

// startFake starts the fake Customer.io of the delivery cases: on a free
// loopback port for the in-process server, on fakeAddr for a server at
// addr, none when addr is set without fakeAddr.
func startFake(addr, fakeAddr string, script map[string]fakecio.Response) (*fakecio.Server, error) {
	switch {
	case addr == "":
		return fakecio.Start(script, fakecio.Response{Status: 404, Body: `{"meta":{"error":"no such mock"}}`}), nil
	case fakeAddr == "":
		return nil, nil
	}
	lis, err := net.Listen("tcp", fakeAddr)
	if err != nil {
		return nil, fmt.Errorf("fake Customer.io: %w", err)
	}
	return fakecio.Listen(lis, script, fakecio.Response{Status: 404, Body: `{"meta":{"error":"no such mock"}}`}), nil
}

// lineVerifier replays one conformance line.
type lineVerifier interface {
	verifyLine(ctx context.Context, line []byte) (string, bool, []difference)
}

// verifyFile replays every line of f, printing each failing case.
func (v *verifier) verifyFile(ctx context.Context, f corpusFile, out io.Writer, t *Tally) {
	replayFile(ctx, v, f, out, t)
}

// replayFile replays every line of f with v, printing each failing case.
func replayFile(ctx context.Context, v lineVerifier, f corpusFile, out io.Writer, t *Tally) {
	for n, line := range caseLines(f.data) {
		if ctx.Err() != nil {
			return
		}
		desc, skipped, diffs := v.verifyLine(ctx, line)
		switch {
		case skipped:
			t.Skipped++
		case len(diffs) == 0:
			t.Passed++
		default:
			t.Failed++
			fmt.Fprintf(out, "FAIL %s:%d: %s\n", f.name, n, desc)
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
	case kindDelivery:
		return desc, false, v.verifyDelivery(ctx, line)
	case kindProcessor:
		return desc, false, v.verifyProcessor(ctx, &c)
	case kindRouter:
		return desc, false, v.verifyRouter(ctx, &c)
	}
	return desc, false, []difference{noteAt("line", "neither a processor case (message, expected) nor a router case (input, variant %q)", c.Variant)}
}
