// Command cio-transformer serves the Customer.io TransformerService over
// gRPC (and rudder-transformer's HTTP protocol). It only serves: the
// conformance replay is cmd/cio-verify. Comments that cite
// "deviation Dn" mean the numbered entries of docs/DEVIATIONS.md.
//
// Usage:
//
//	cio-transformer serve [flags]                      serve gRPC (see serve --help for flags and env vars)
//	cio-transformer health [flags]                     check a server's gRPC health (an exec probe)
//	cio-transformer version                            print the build's version, revision and Go version
package main

import (
	"context"
	"fmt"
	"io"

	"github.com/cio-transformer/cio-transformer/internal/cli"
)

func main() { cli.Main(run) }

// run executes the subcommand in args and returns the exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return 2
	}
	switch args[0] {
	case "serve":
		return serve(ctx, args[1:], stdout, stderr)
	case "health":
		return health(ctx, args[1:], stdout, stderr)
	case "version", "--version":
		if len(args) > 1 {
			fmt.Fprintf(stderr, "cio-transformer version: unexpected argument %q\n", args[1])
			return 2
		}
		printVersion(stdout)
		return 0
	case "-h", "--help", "help":
		usage(stdout)
		return 0
	}
	fmt.Fprintf(stderr, "cio-transformer: unknown command %q\n\n", args[0])
	usage(stderr)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprint(w, `usage:
  cio-transformer serve [flags]                      serve the TransformerService over gRPC
  cio-transformer health [--addr HOST:PORT] [--tls]   check a server's gRPC health (an exec probe)
  cio-transformer version                            print the version, revision and Go version
  cio-transformer --version                          the same

Run "cio-transformer serve --help" for the server's flags and environment variables.
`)
}
