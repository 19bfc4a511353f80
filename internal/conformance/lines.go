package conformance

import (
	"bytes"
	"fmt"
	"iter"
	"os"
)

// Line is one case of a conformance file, decoded as JSON.
type Line struct {
	// Number is the line's number in its file, counting from 1.
	Number int
	// Value is the line's JSON object, its numbers as json.Number so that
	// they keep their text.
	Value map[string]any
}

// ReadLines returns every case of the conformance file at path, processor,
// router and delivery alike, in file order.
func ReadLines(path string) ([]Line, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out []Line
	for n, text := range caseLines(data) {
		v, err := decodeJSON(text)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, n, err)
		}
		obj, ok := v.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("%s:%d: not a JSON object", path, n)
		}
		out = append(out, Line{Number: n, Value: obj})
	}
	return out, nil
}

// caseLines yields the cases of a conformance file, its non-blank lines,
// each with its line number counting from 1.
func caseLines(data []byte) iter.Seq2[int, []byte] {
	return func(yield func(int, []byte) bool) {
		n := 0
		for line := range bytes.SplitSeq(data, []byte("\n")) {
			n++
			if len(bytes.TrimSpace(line)) == 0 {
				continue
			}
			if !yield(n, line) {
				return
			}
		}
	}
}
