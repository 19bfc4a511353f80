//go:build race

package main

// buildFlags are the go build flags of the binaries the end-to-end tests
// run: built with the race detector when the tests are, so that the
// binary shares the packages the test build compiled and its races fail
// the tests too.
var buildFlags = []string{"-race"}
