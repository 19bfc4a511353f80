package server

import (
	"math"
	"os"
	"runtime/debug"
	"sync"
)

// DefaultGCPercent is the garbage collector's target New sets for the
// process when it runs under a memory limit (GOMEMLIMIT) and GOGC is not
// set. At Go's default of 100 the collector ran every few megabytes of
// allocation, since the live heap of a busy server is small (a few request
// messages and their results): it took a tenth of the CPU of a
// TransformBatch stream, and its preemptions as much again. At 400 it runs
// a quarter as often. The heap may then grow to five times what is live,
// which the in-flight budget (--max-inflight-bytes) keeps small, and the
// memory limit caps whatever happens: the collector works harder as the
// heap nears it. Without a memory limit Go's default stays, so that nothing
// grows without a cap. GOGC in the environment always wins.
const DefaultGCPercent = 400

// tuneGCOnce sets the GC percent once per process.
var tuneGCOnce sync.Once

// tuneGC applies DefaultGCPercent when gcPercent says so.
func tuneGC() {
	tuneGCOnce.Do(func() {
		_, gogc := os.LookupEnv("GOGC")
		if p, ok := gcPercent(gogc, debug.SetMemoryLimit(-1)); ok {
			debug.SetGCPercent(p)
		}
	})
}

// gcPercent returns the GC percent to set, and whether to set one, for a
// process whose environment sets GOGC or not and whose memory limit is
// memLimit (math.MaxInt64 when none).
func gcPercent(gogcSet bool, memLimit int64) (int, bool) {
	if gogcSet || memLimit == math.MaxInt64 {
		return 0, false
	}
	return DefaultGCPercent, true
}
