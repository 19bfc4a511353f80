// Command cio-bench measures the TransformerService on loopback against an
// echo baseline: a server with the same contract and transport settings
// that answers every job with a request of the same shape without
// transforming anything, so that the ratio of the two isolates the cost of
// the mapping from the cost of gRPC and protobuf.
//
// Each server runs as a child process of cio-bench, so that the CPU time
// and peak RSS read from /proc are the server's alone. The two are driven
// alternately (transform, echo, transform, echo, ...) with the same
// pre-generated event mix (see internal/eventmix) for --duration each:
//
//   - stream_json: TransformBatch, --batch jobs per request message as raw
//     JSON, --streams streams each keeping --window request messages in
//     flight;
//   - stream_typed: the same with typed events;
//   - unary: Transform, one raw JSON job per call, --unary-concurrency
//     calls in flight.
//
// Between the phases it measures a floor: encoding/json.Valid over the
// same event bytes on one core, the cost of reading each event once. It
// prints tables and, last, the lines
//
//	ratio stream_json=X.XX stream_typed=X.XX unary=X.XX
//	floor stream_json=X.XX stream_typed=X.XX unary=X.XX
//
// where each ratio is the service's events per second divided by the
// echo's, and each floor figure the service's server CPU per event divided
// by the floor's (lower is better).
//
// With --mode longstream it instead sends --jobs jobs through one
// TransformBatch stream of the service, printing the server's RSS every
// second, and fails when its peak passes --max-rss-mb. With --mode http it
// posts router requests of --batch jobs to the service's HTTP face from
// 2 x --streams clients, as rudder-server does, and prints the server's
// CPU per event and its multiple of the floor; --http-gzip asks for gzip
// answers, as rudder-server does.
//
// Usage:
//
//	cio-bench [flags]                                 compare the service with the echo baseline
//	cio-bench --mode longstream --jobs N [flags]      check memory over one long stream
//	cio-bench --mode http [flags]                     measure the HTTP face's router transform
//	cio-bench markdown --run FILE [flags]             write docs/PERFORMANCE.md from saved results
package main

import (
	"context"
	"fmt"
	"io"

	"github.com/cio-transformer/cio-transformer/internal/cli"
)

func main() { cli.Main(run) }

// run executes the command in args and returns the exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		switch args[0] {
		case childCommand:
			return serveChild(ctx, args[1:], stdout, stderr)
		case "markdown":
			return markdown(args[1:], stdout, stderr)
		}
	}
	return bench(ctx, args, stdout, stderr)
}

// errorf prints an error line and returns exit code 1.
func errorf(stderr io.Writer, format string, args ...any) int {
	fmt.Fprintf(stderr, "cio-bench: "+format+"\n", args...)
	return 1
}
