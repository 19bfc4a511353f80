// Command cio-transformer serves the Customer.io TransformerService over
// gRPC and replays conformance test vectors against it. Comments that cite
// "deviation Dn" mean the numbered entries of docs/DEVIATIONS.md.
//
// Usage:
//
//	cio-transformer serve [flags]                  serve gRPC (see -h for flags and env vars)
//	cio-transformer verify [--addr HOST:PORT] FILE...  replay conformance JSONL files
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run executes the subcommand in args and returns the exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return 2
	}
	switch args[0] {
	case "serve":
		return serve(ctx, args[1:], stderr)
	case "verify":
		return verify(ctx, args[1:], stdout, stderr)
	case "-h", "-help", "--help", "help":
		usage(stdout)
		return 0
	}
	fmt.Fprintf(stderr, "unknown command %q\n", args[0])
	usage(stderr)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprint(w, `usage:
  cio-transformer serve [flags]                      serve the TransformerService over gRPC
  cio-transformer verify [--addr HOST:PORT] FILE...  replay conformance JSONL files

Run "cio-transformer serve -h" for the server's flags and environment variables.
`)
}
