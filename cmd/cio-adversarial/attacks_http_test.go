package main

import (
	"sync"
	"testing"
)

// TestAnswerTally counts answers from many goroutines and tells those the
// row accepts from the others.
func TestAnswerTally(t *testing.T) {
	a := newAnswerTally("200", "503")
	var wg sync.WaitGroup
	for i := range 100 {
		wg.Go(func() {
			if i%2 == 0 {
				a.note("200")
			} else {
				a.note("503")
			}
		})
	}
	wg.Wait()
	if !a.all() || a.String() != "answers: 200 x50, 503 x50" {
		t.Errorf("all %v, %q", a.all(), a.String())
	}
	a.note("status 500")
	if a.all() {
		t.Error("a 500 counts as accepted")
	}
}
