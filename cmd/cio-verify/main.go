// Command cio-verify replays conformance test vectors (JSONL files of
// upstream cases) through a TransformerService and reports every failing
// case and a summary: through one served in-process by default, through a
// running server with --addr (and --fake-cio for the delivery cases), or
// over rudder-transformer's HTTP protocol with --http or --http-url.
// Comments that cite "deviation Dn" mean the numbered entries of
// docs/DEVIATIONS.md.
//
// Usage:
//
//	cio-verify [--addr HOST:PORT | --http | --http-url URL] [--fake-cio HOST:PORT] FILE...
//
// Exit code 0: every case passed; 1: some failed; 2: usage or I/O error.
// The work is done by internal/conformance.
package main

import (
	"github.com/cio-transformer/cio-transformer/internal/cli"
	"github.com/cio-transformer/cio-transformer/internal/conformance"
)

func main() { cli.Main(conformance.Run) }
