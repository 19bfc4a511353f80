//go:build adversarial

package server

import (
	"os"
	"strconv"
)

// faultHook returns, in a build with the adversarial tag only, a job hook
// that panics while mapping the job whose id ADVERSARIAL_PANIC_JOB_ID
// names. cmd/cio-adversarial builds the server with it to show that a
// panic while mapping costs one job, never a stream; the production build
// (fault.go) has no such hook.
func faultHook() func(jobID uint64) {
	id, err := strconv.ParseUint(os.Getenv("ADVERSARIAL_PANIC_JOB_ID"), 10, 64)
	if err != nil || id == 0 {
		return nil
	}
	return func(jobID uint64) {
		if jobID == id {
			panic("injected fault while mapping a job")
		}
	}
}
