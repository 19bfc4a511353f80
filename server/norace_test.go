//go:build !race

package server

// raceEnabled reports a build with the race detector, which slows the
// server down enough that the heaviest tests scale down.
const raceEnabled = false
