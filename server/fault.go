//go:build !adversarial

package server

// faultHook is the job hook of a build with the adversarial tag; this
// build has none.
func faultHook() func(jobID uint64) { return nil }
