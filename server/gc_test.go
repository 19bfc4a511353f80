package server

import (
	"math"
	"testing"
)

func TestGCPercent(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		gogcSet  bool
		memLimit int64
		want     int
		wantSet  bool
	}{
		{"memory limit, no GOGC", false, 435 << 20, DefaultGCPercent, true},
		{"no memory limit", false, math.MaxInt64, 0, false},
		{"GOGC set", true, 435 << 20, 0, false},
		{"GOGC set, no memory limit", true, math.MaxInt64, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, set := gcPercent(tt.gogcSet, tt.memLimit)
			if got != tt.want || set != tt.wantSet {
				t.Errorf("gcPercent(%v, %d) = %d, %v; want %d, %v", tt.gogcSet, tt.memLimit, got, set, tt.want, tt.wantSet)
			}
		})
	}
}
