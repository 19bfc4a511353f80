package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
)

// summaryHeader names the columns of the summary table.
var summaryHeader = []string{"workload", "server", "events/s", "p50 ms", "p99 ms", "server CPU s/M events", "server peak RSS MB", "client CPU s/M events"}

// summaryCells returns a summary row as table cells.
func summaryCells(r summaryRow) []string {
	return []string{
		r.Workload,
		r.Server,
		fmt.Sprintf("%.0f", r.EventsPerSec),
		fmt.Sprintf("%.2f", r.P50Millis),
		fmt.Sprintf("%.2f", r.P99Millis),
		fmt.Sprintf("%.2f", r.serverCPUPerMillion()),
		megabytes(r.PeakRSSBytes),
		fmt.Sprintf("%.2f", r.clientCPUPerMillion()),
	}
}

// phaseHeader names the columns of the per-phase table.
var phaseHeader = []string{"round", "workload", "server", "events/s", "p50 ms", "p99 ms", "server CPU s/M events", "server peak RSS MB"}

// phaseCells returns a phase as table cells.
func phaseCells(p phaseResult) []string {
	return []string{
		fmt.Sprint(p.Round),
		p.Workload,
		p.Server,
		fmt.Sprintf("%.0f", p.EventsPerSec),
		fmt.Sprintf("%.2f", p.P50Millis),
		fmt.Sprintf("%.2f", p.P99Millis),
		fmt.Sprintf("%.2f", p.serverCPUPerMillion()),
		megabytes(p.PeakRSSBytes),
	}
}

// ratioHeader names the columns of the ratio table.
var ratioHeader = []string{"workload", "throughput transform/echo", "server CPU per event transform/echo"}

// ratioCells returns a workload's ratios as table cells.
func ratioCells(r workloadRate) []string {
	return []string{r.Workload, ratioText(r.Ratio), ratioText(r.CPURatio)}
}

// ratioLine is the last line of a comparison run.
func ratioLine(rs []workloadRate) string {
	var b strings.Builder
	b.WriteString("ratio")
	for _, r := range rs {
		fmt.Fprintf(&b, " %s=%s", r.Workload, ratioText(r.Ratio))
	}
	return b.String()
}

// floorHeader names the columns of the floor table.
var floorHeader = []string{"workload", "server CPU µs/event", "floor µs/event", "multiple of the floor"}

// floorCells returns a workload's floor multiple as table cells.
func floorCells(r workloadRate, rows []summaryRow, floorMicros float64) []string {
	cpu := "n/a"
	for _, row := range rows {
		if row.Workload == r.Workload && row.Server == kindTransform {
			cpu = fmt.Sprintf("%.2f", row.serverCPUPerMillion())
		}
	}
	return []string{r.Workload, cpu, fmt.Sprintf("%.2f", floorMicros), ratioText(r.Ratio)}
}

// floorLine is the last line of a comparison run: every workload's server
// CPU per event as a multiple of the floor (lower is better).
func floorLine(rs []workloadRate) string {
	var b strings.Builder
	b.WriteString("floor")
	for _, r := range rs {
		fmt.Fprintf(&b, " %s=%s", r.Workload, ratioText(r.Ratio))
	}
	return b.String()
}

// ratioText formats a ratio, "n/a" when it was not measured.
func ratioText(r float64) string {
	if r == 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.2f", r)
}

// megabytes formats a byte count in MiB.
func megabytes(n int64) string { return fmt.Sprintf("%.1f", float64(n)/(1<<20)) }

// writeTable writes rows as aligned text columns.
func writeTable(w io.Writer, header []string, rows [][]string) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, strings.Join(header, "\t")+"\t")
	for _, r := range rows {
		fmt.Fprintln(tw, strings.Join(r, "\t")+"\t")
	}
	_ = tw.Flush()
}

// writeMarkdownTable writes rows as a Markdown table.
func writeMarkdownTable(w io.Writer, header []string, rows [][]string) {
	fmt.Fprintln(w, "| "+strings.Join(header, " | ")+" |")
	seps := make([]string, len(header))
	for i := range seps {
		seps[i] = "---"
		// Numbers align right, as in the printed tables.
		if len(rows) > 0 && i < len(rows[0]) && isNumber(rows[0][i]) {
			seps[i] = "---:"
		}
	}
	fmt.Fprintln(w, "| "+strings.Join(seps, " | ")+" |")
	for _, r := range rows {
		fmt.Fprintln(w, "| "+strings.Join(r, " | ")+" |")
	}
}

// isNumber reports whether a cell holds a number.
func isNumber(cell string) bool {
	_, err := strconv.ParseFloat(cell, 64)
	return err == nil
}

// printRun prints a comparison run's tables; the ratio line and the floor
// line are last.
func printRun(w io.Writer, res *runResult) {
	fmt.Fprintln(w)
	fmt.Fprintln(w, "per phase:")
	var rows [][]string
	for _, p := range res.Phases {
		rows = append(rows, phaseCells(p))
	}
	writeTable(w, phaseHeader, rows)
	fmt.Fprintln(w)
	fmt.Fprintf(w, "summary (%d round(s) of %s per workload and server):\n", res.Settings.Rounds, res.Settings.Duration)
	rows = rows[:0]
	for _, r := range res.Summary {
		rows = append(rows, summaryCells(r))
	}
	writeTable(w, summaryHeader, rows)
	fmt.Fprintln(w)
	rows = rows[:0]
	for _, r := range res.Ratios {
		rows = append(rows, ratioCells(r))
	}
	writeTable(w, ratioHeader, rows)
	fmt.Fprintln(w)
	fmt.Fprintf(w, "floor: encoding/json.Valid over the same events, one core, %.2f µs/event (median of %d trials)\n", res.Floor.MicrosPerEvent, len(res.Floor.TrialMicros))
	rows = rows[:0]
	for _, r := range res.Floors {
		rows = append(rows, floorCells(r, res.Summary, res.Floor.MicrosPerEvent))
	}
	writeTable(w, floorHeader, rows)
	fmt.Fprintln(w)
	fmt.Fprintln(w, res.RatioLine)
	fmt.Fprintln(w, res.FloorLine)
}
