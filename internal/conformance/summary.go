package conformance

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

// Tally counts the cases of a run.
type Tally struct {
	Passed, Failed, Skipped int
}

// String is the summary line of a run, the last line cio-verify prints:
// "N passed, M failed", with ", K skipped" when some were.
func (t Tally) String() string {
	s := fmt.Sprintf("%d passed, %d failed", t.Passed, t.Failed)
	if t.Skipped > 0 {
		s += fmt.Sprintf(", %d skipped", t.Skipped)
	}
	return s
}

// summaryLine matches Tally's String.
var summaryLine = regexp.MustCompile(`^(\d+) passed, (\d+) failed(?:, (\d+) skipped)?$`)

// ParseSummary reads the Tally from the last non-empty line of out, the
// output of a run.
func ParseSummary(out string) (Tally, error) {
	out = strings.TrimSpace(out)
	last := out[strings.LastIndex(out, "\n")+1:]
	m := summaryLine.FindStringSubmatch(last)
	if m == nil {
		return Tally{}, fmt.Errorf("last line %q is not a summary", last)
	}
	var t Tally
	t.Passed, _ = strconv.Atoi(m[1])
	t.Failed, _ = strconv.Atoi(m[2])
	t.Skipped, _ = strconv.Atoi(m[3])
	return t, nil
}

// CorpusFiles returns the paths of the named files of the corpus in dir and
// how many cases they hold. A missing file's error wraps fs.ErrNotExist, so
// that a test without the corpus can skip.
func CorpusFiles(dir string, names ...string) (paths []string, cases int, err error) {
	for _, name := range names {
		p := filepath.Join(dir, name)
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, 0, err
		}
		cases += CaseCount(data)
		paths = append(paths, p)
	}
	return paths, cases, nil
}

// CaseCount is the number of cases in a conformance file: its non-blank
// lines, each of which a run counts once.
func CaseCount(data []byte) int {
	n := 0
	for range caseLines(data) {
		n++
	}
	return n
}
