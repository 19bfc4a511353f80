package cputime

import (
	"testing"
	"time"
)

func TestProcessGrowsWithWork(t *testing.T) {
	t.Parallel()
	before := Process()
	if before == 0 {
		t.Skip("this system reports no CPU time")
	}
	deadline := time.Now().Add(50 * time.Millisecond)
	n := 0
	for time.Now().Before(deadline) {
		n++
	}
	if after := Process(); after <= before {
		t.Errorf("CPU time went from %v to %v over %d spins", before, after, n)
	}
}
