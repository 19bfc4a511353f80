// Command cio-adversarial attacks the real cio-transformer binary with
// hostile inputs and clients and measures what each attack costs the
// server: CPU seconds and peak RSS read from /proc, the answer, the log
// lines it wrote and, for attacks on connections, the slowest health check
// while they ran. It is a measurement tool: it exits 0 whatever the
// figures, unless the harness itself fails (or --strict is set and a row
// misses its target).
//
// It builds the binary (and a second build with the adversarial build tag,
// whose only difference is a hook that panics while mapping a chosen job),
// then starts a fresh `cio-transformer serve` per row on loopback ports
// with default flags, GOMEMLIMIT as the Kubernetes manifests under
// deploy/ set it, an auth token for the rows about unauthenticated
// callers, and --shutdown-grace 2s for the shutdown row. Each row is bounded
// in count and time, and a watchdog kills a server whose RSS passes
// --abort-rss-mb.
//
// Rows (the numbering of the attack table in docs/ADVERSARIAL.md):
//
//	0   the typical event mix: CPU per input byte, the yardstick
//	1-3 one hostile event each (device properties string, trait keys after
//	    a dotted key, user_properties keys, a typed Struct of 40,000 keys,
//	    1,000 key paths to index 6,553, one key path of 100,000 segments);
//	    rows 1-2 again at 1 KB to 1 MB
//	4-5 16 MiB request messages (empty jobs, a list of empty metadata
//	    values), the second as a unary call without the token
//	6   unary calls without the token whose message lacks its last byte
//	7   streams that send and never read
//	8   500 jobs with 30 KB of metadata each in messages of 100: the
//	    response sizes
//	9   HTTP/2 rapid reset without the token
//	10  SIGTERM while a /metrics scrape hangs
//	11  a panic while mapping one job
//	12  a bad request message pipelined between good ones
//	13  HTTP clients posting router bodies of 3.9 MB, half of them
//	    stopping after their first megabyte
//	14  HTTP clients posting router bodies of the typical mix one after
//	    another, keeping every CPU busy
//	15  HTTP clients posting router bodies and never reading the answers,
//	    beside a well-behaved client
//	16  HTTP/2 (h2c) connections each opening many router requests that
//	    stop after their first bytes
//	17  HTTP clients posting processor bodies of empty objects, which parse
//	    to many times their size
//
// Usage:
//
//	cio-adversarial [--out docs/ADVERSARIAL.md] [--rows 1,4a,9] [--strict]
package main

import (
	"fmt"
	"io"

	"github.com/cio-transformer/cio-transformer/internal/cli"
)

func main() { cli.Main(run) }

// errorf prints an error line and returns exit code 2, the harness's own
// failure.
func errorf(stderr io.Writer, format string, args ...any) int {
	fmt.Fprintf(stderr, "cio-adversarial: "+format+"\n", args...)
	return 2
}
