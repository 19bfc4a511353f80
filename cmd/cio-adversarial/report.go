package main

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// result is one row's outcome.
type result struct {
	// id is the row's number in the attack table ("2a", "1@10KB").
	id string
	// name is a short name of the attack.
	name string
	// class is the attack class of the report's table.
	class string
	// target is the bound the row must hold, in words.
	target string
	// m holds the server's figures; measured is false for rows without.
	m        measurement
	measured bool
	// answer is what the server answered.
	answer string
	// health is the slowest health check during the attack; hasHealth is
	// false for rows that do not poll.
	health    time.Duration
	hasHealth bool
	// figure is the measured figure the target is about, for the table.
	figure string
	pass   bool
	// err is set when the harness itself could not run the row.
	err error
}

// megabytes formats n bytes in MB (10^6).
func megabytes(n int64) string {
	return fmt.Sprintf("%dMB", (n+500_000)/1_000_000)
}

// atLeast prefixes a figure that is a lower bound.
func atLeast(cut bool) string {
	if cut {
		return ">="
	}
	return ""
}

// line is the row's one-line report.
func (r result) line() string {
	var b strings.Builder
	fmt.Fprintf(&b, "row %s %s:", r.id, r.name)
	if r.measured {
		cut := atLeast(r.m.atLeast)
		fmt.Fprintf(&b, " cpu=%s%.3fs peak_rss=%s%s growth=%s%s", cut, r.m.cpu.Seconds(),
			atLeast(r.m.aborted), megabytes(r.m.peak), atLeast(r.m.aborted), megabytes(r.m.growth))
	} else {
		b.WriteString(" cpu=- peak_rss=- growth=-")
	}
	fmt.Fprintf(&b, " answer=%s", oneLine(r.answer))
	if r.measured {
		fmt.Fprintf(&b, " logs=%d", r.m.logs)
	} else {
		b.WriteString(" logs=-")
	}
	if r.hasHealth {
		fmt.Fprintf(&b, " health_max=%dms", r.health.Milliseconds())
	} else {
		b.WriteString(" health_max=-")
	}
	fmt.Fprintf(&b, " %s (target: %s)", r.verdict(), r.target)
	if r.measured && r.m.lastLog != "" {
		fmt.Fprintf(&b, " last_log=%q", oneLine(r.m.lastLog))
	}
	if r.err != nil {
		fmt.Fprintf(&b, " harness error: %v", r.err)
	}
	return b.String()
}

// verdict is PASS, FAIL or ERROR (the harness could not run the row).
func (r result) verdict() string {
	switch {
	case r.err != nil:
		return "ERROR"
	case r.pass:
		return "PASS"
	}
	return "FAIL"
}

// maxAnswer bounds an answer in the report: server messages may be long.
const maxAnswer = 160

// oneLine makes s fit one line of the report.
func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if s == "" {
		s = "-"
	}
	if len(s) > maxAnswer {
		s = s[:maxAnswer] + "..."
	}
	return s
}

// summary prints the count of passed, failed and broken rows.
func summary(w io.Writer, results []result) (failed, broken int) {
	passed := 0
	for _, r := range results {
		switch r.verdict() {
		case "PASS":
			passed++
		case "FAIL":
			failed++
		default:
			broken++
		}
	}
	fmt.Fprintf(w, "summary: %d passed, %d failed, %d harness errors, %d rows\n", passed, failed, broken, len(results))
	return failed, broken
}

// runInfo describes the run for the report's header.
type runInfo struct {
	date       time.Time
	goMemLimit string
	manifest   string
	cpus       int
	load       string
	commit     string
}

// markdown writes the report: a header and a table of attack class, target,
// measured figure and verdict, then the raw lines.
func markdown(w io.Writer, info runInfo, results []result) error {
	var b strings.Builder
	b.WriteString("# Adversarial inputs: measured bounds\n\n")
	b.WriteString("Written by `make adversarial` (`cmd/cio-adversarial`), which starts the real\n")
	b.WriteString("`cio-transformer serve` binary on loopback with its default flags and the\n")
	b.WriteString("`GOMEMLIMIT` the Kubernetes manifests set, attacks it one row at a time (a\n")
	b.WriteString("fresh process per row) and reads the server's CPU time and peak RSS from\n")
	b.WriteString("`/proc`. Figures come from one run on a shared machine: they are noisy, and\n")
	b.WriteString("a figure marked `>=` was cut short (the row's time ran out while the server\n")
	b.WriteString("still worked, or its RSS passed the harness's safety limit).\n\n")
	fmt.Fprintf(&b, "Run: %s, commit %s, %d CPUs, load %s, GOMEMLIMIT=%s (from %s).\n\n",
		info.date.UTC().Format("2006-01-02 15:04 MST"), info.commit, info.cpus, info.load, info.goMemLimit, info.manifest)
	b.WriteString("| row | attack class | bound (target) | measured | pass |\n")
	b.WriteString("|---|---|---|---|---|\n")
	for _, r := range results {
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", r.id, cell(r.class), cell(r.target), cell(r.tableFigure()), r.verdict())
	}
	b.WriteString("\n## Raw lines\n\n```\n")
	for _, r := range results {
		b.WriteString(r.line())
		b.WriteByte('\n')
	}
	b.WriteString("```\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// tableFigure is the measured figure of the table: the row's own figure,
// then its answer.
func (r result) tableFigure() string {
	parts := []string{}
	if r.figure != "" {
		parts = append(parts, r.figure)
	}
	if r.answer != "" {
		parts = append(parts, "answer: "+oneLine(r.answer))
	}
	if r.err != nil {
		parts = append(parts, "harness error: "+r.err.Error())
	}
	return strings.Join(parts, "; ")
}

// cell escapes s for a markdown table cell.
func cell(s string) string {
	s = strings.ReplaceAll(s, "|", `\|`)
	return strings.ReplaceAll(s, "\n", " ")
}
