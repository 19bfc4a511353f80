package conformance

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"unicode/utf8"
)

// Limits of a failing case's report, so that one broken case cannot bury
// the others.
const (
	maxReportLines = 20
	maxValueBytes  = 160
)

// writeDiffs prints a case's differences, indented, in at most
// maxReportLines lines.
func writeDiffs(w io.Writer, diffs []difference) {
	lines := 0
	for i, d := range diffs {
		block := diffLines(d)
		// Keep one line for the "more" notice when anything follows.
		room := maxReportLines - lines
		if i < len(diffs)-1 {
			room--
		}
		if len(block) > room {
			fmt.Fprintf(w, "  ... and %d more difference(s)\n", len(diffs)-i)
			return
		}
		for _, l := range block {
			fmt.Fprintln(w, "  "+l)
		}
		lines += len(block)
	}
}

// diffLines renders one difference.
func diffLines(d difference) []string {
	path := d.path
	if path == "" {
		path = "(whole value)"
	}
	if d.note != "" {
		return []string{path + ": " + d.note}
	}
	return []string{
		path,
		"  want: " + renderValue(d.want, d.wantAbsent),
		"  got:  " + renderValue(d.got, d.gotAbsent),
	}
}

// renderValue prints a JSON value compactly, cut to maxValueBytes.
func renderValue(v any, absent bool) string {
	if absent {
		return "<absent>"
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Sprintf("%v", v)
	}
	s := string(bytes.TrimRight(buf.Bytes(), "\n"))
	if len(s) <= maxValueBytes {
		return s
	}
	cut := maxValueBytes
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return fmt.Sprintf("%s... (%d bytes)", s[:cut], len(s))
}
