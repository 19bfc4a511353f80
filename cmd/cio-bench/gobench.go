package main

import (
	"bufio"
	"bytes"
	"slices"
	"strconv"
	"strings"
)

// goBenchRun is one result line of go test -bench: its metrics by unit.
type goBenchRun map[string]float64

// goBenchResults are the runs of each benchmark, by name without the
// GOMAXPROCS suffix, in the order they appeared.
type goBenchResults map[string][]goBenchRun

// parseGoBench reads the result lines of go test -bench output, for
// example "BenchmarkMixed  22504  44806 ns/op  22319 events/s  13 allocs/op".
func parseGoBench(out []byte) goBenchResults {
	res := goBenchResults{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 4 || !strings.HasPrefix(fields[0], "Benchmark") || len(fields)%2 != 0 {
			continue
		}
		if _, err := strconv.ParseInt(fields[1], 10, 64); err != nil {
			continue
		}
		run := goBenchRun{}
		for i := 2; i+1 < len(fields); i += 2 {
			v, err := strconv.ParseFloat(fields[i], 64)
			if err != nil {
				run = nil
				break
			}
			run[fields[i+1]] = v
		}
		if run != nil {
			name := fields[0]
			if i := strings.LastIndexByte(name, '-'); i > 0 && isDigits(name[i+1:]) {
				name = name[:i]
			}
			res[name] = append(res[name], run)
		}
	}
	return res
}

// find returns the runs of the benchmark called name.
func (r goBenchResults) find(name string) []goBenchRun { return r[name] }

// median returns the median of unit over runs, or 0.
func median(runs []goBenchRun, unit string) float64 {
	var vs []float64
	for _, r := range runs {
		if v, ok := r[unit]; ok {
			vs = append(vs, v)
		}
	}
	if len(vs) == 0 {
		return 0
	}
	slices.Sort(vs)
	if len(vs)%2 == 1 {
		return vs[len(vs)/2]
	}
	return (vs[len(vs)/2-1] + vs[len(vs)/2]) / 2
}

// isDigits reports whether s is a non-empty run of ASCII digits.
func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
