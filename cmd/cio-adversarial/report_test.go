package main

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestResultLine(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		r    result
		want string
	}{
		{
			name: "measured with health",
			r: result{
				id: "6", name: "held calls", target: "< 512MiB", measured: true,
				m:      measurement{cpu: 1234 * time.Millisecond, peak: 669_400_000, growth: 649_000_000, logs: 3},
				answer: "300 of 300\ncalls open", health: 297 * time.Millisecond, hasHealth: true,
			},
			want: "row 6 held calls: cpu=1.234s peak_rss=669MB growth=649MB answer=300 of 300 calls open logs=3 health_max=297ms FAIL (target: < 512MiB)",
		},
		{
			name: "cut short",
			r: result{
				id: "1", name: "device", target: "< 100ms", measured: true,
				m:      measurement{cpu: 3920 * time.Millisecond, peak: 2_000_000_000, growth: 1_990_000_000, atLeast: true, aborted: true, lastLog: "finished call OK", logs: 1},
				answer: "DeadlineExceeded",
			},
			want: `row 1 device: cpu=>=3.920s peak_rss=>=2000MB growth=>=1990MB answer=DeadlineExceeded logs=1 health_max=- FAIL (target: < 100ms) last_log="finished call OK"`,
		},
		{
			name: "not measured, passed",
			r:    result{id: "1@1.0KB", name: "scaling", target: "<= 3x", answer: "1.2x", pass: true},
			want: "row 1@1.0KB scaling: cpu=- peak_rss=- growth=- answer=1.2x logs=- health_max=- PASS (target: <= 3x)",
		},
		{
			name: "harness error",
			r:    result{id: "11", name: "panic", target: "all answered", err: errors.New("no build")},
			want: "row 11 panic: cpu=- peak_rss=- growth=- answer=- logs=- health_max=- ERROR (target: all answered) harness error: no build",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := tt.r.line(); got != tt.want {
				t.Errorf("line() =\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

func TestOneLineBoundsAnswers(t *testing.T) {
	t.Parallel()
	got := oneLine(strings.Repeat("a ", 200))
	if len(got) != maxAnswer+len("...") || !strings.HasSuffix(got, "...") {
		t.Errorf("oneLine of a long answer = %q", got)
	}
}

func TestSummaryAndMarkdown(t *testing.T) {
	t.Parallel()
	results := []result{
		{id: "1", name: "device", class: "one hostile event", target: "< 100ms | CPU", figure: "3.9s CPU", answer: "DeadlineExceeded", pass: false, measured: true},
		{id: "10", name: "shutdown", class: "shutdown bound", target: "2.5s", figure: "exit after 2.1s", pass: true},
		{id: "11", name: "panic", class: "faults stay local", target: "all", err: errors.New("no build")},
	}
	var sum strings.Builder
	failed, broken := summary(&sum, results)
	if failed != 1 || broken != 1 {
		t.Errorf("summary() = %d failed, %d broken, want 1, 1", failed, broken)
	}
	if want := "summary: 1 passed, 1 failed, 1 harness errors, 3 rows\n"; sum.String() != want {
		t.Errorf("summary printed %q, want %q", sum.String(), want)
	}
	var md strings.Builder
	info := runInfo{date: time.Date(2026, 1, 2, 3, 4, 0, 0, time.UTC), goMemLimit: "536870912", manifest: "deploy/kubernetes/deployment.yaml", cpus: 2, load: "1.00", commit: "abc1234"}
	if err := markdown(&md, info, results); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"GOMEMLIMIT=536870912 (from deploy/kubernetes/deployment.yaml)",
		"| row | attack class | bound (target) | measured | pass |",
		`| 1 | one hostile event | < 100ms \| CPU | 3.9s CPU; answer: DeadlineExceeded | FAIL |`,
		"| 10 | shutdown bound | 2.5s | exit after 2.1s | PASS |",
		"| 11 | faults stay local | all | harness error: no build | ERROR |",
		"row 10 shutdown: cpu=- ",
	} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("markdown lacks %q:\n%s", want, md.String())
		}
	}
}

func TestSelectRows(t *testing.T) {
	t.Parallel()
	all := selectRows("")
	some := selectRows("1,4a")
	for _, tt := range []struct {
		row       string
		all, some bool
	}{{"1", true, true}, {"4a", true, true}, {"4", true, false}, {"12", true, false}} {
		if all(tt.row) != tt.all || some(tt.row) != tt.some {
			t.Errorf("row %s: all %t some %t, want %t %t", tt.row, all(tt.row), some(tt.row), tt.all, tt.some)
		}
	}
}
