//go:build !race

package main

// buildFlags are the go build flags of the binaries the end-to-end tests
// run: none without the race detector (see race_test.go).
var buildFlags []string
