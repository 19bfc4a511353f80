//go:build race

package transform

// raceEnabled is set when the race detector is on: sync.Pool then drops
// buffers at random, so allocation counts are not meaningful.
const raceEnabled = true
