package conformance

import (
	"bytes"
	"strings"
	"testing"
)

func TestCompareJSON(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		want, got string
		paths     []string // the paths of the differences, in order
	}{
		{name: "equal objects in any key order", want: `{"a":1,"b":[true,null]}`, got: `{"b":[true,null],"a":1}`},
		{name: "absent on both sides is undefined on both", want: `{"a":1}`, got: `{"a":1}`},
		{name: "key only in got", want: `{"a":1}`, got: `{"a":1,"b":2}`, paths: []string{"b"}},
		{name: "key only in want", want: `{"a":1,"b":2}`, got: `{"a":1}`, paths: []string{"b"}},
		{name: "null differs from absent", want: `{"a":null}`, got: `{}`, paths: []string{"a"}},
		{name: "absent differs from null", want: `{}`, got: `{"a":null}`, paths: []string{"a"}},
		{name: "null equals null", want: `{"a":null}`, got: `{"a":null}`},
		{name: "1 equals 1.0", want: `{"n":1}`, got: `{"n":1.0}`},
		{name: "exponent equals plain", want: `[1e3, 0.5]`, got: `[1000, 5e-1]`},
		{name: "number differs from its string", want: `{"n":1}`, got: `{"n":"1"}`, paths: []string{"n"}},
		{name: "different numbers", want: `{"n":1}`, got: `{"n":1.5}`, paths: []string{"n"}},
		{name: "empty string differs from null", want: `""`, got: `null`, paths: []string{""}},
		{name: "false differs from 0", want: `false`, got: `0`, paths: []string{""}},
		{name: "object differs from array", want: `{"a":{}}`, got: `{"a":[]}`, paths: []string{"a"}},
		{
			name:  "nested paths",
			want:  `{"a":{"b":[{"c":1},{"c":2}]},"x.y":{"k":"v"}}`,
			got:   `{"a":{"b":[{"c":1},{"c":3}]},"x.y":{"k":"w"}}`,
			paths: []string{"a.b[1].c", `["x.y"].k`},
		},
		{name: "array too short", want: `[1,2,3]`, got: `[1]`, paths: []string{"[1]", "[2]"}},
		{name: "array too long", want: `[1]`, got: `[1,2]`, paths: []string{"[1]"}},
		{name: "array order matters", want: `[1,2]`, got: `[2,1]`, paths: []string{"[0]", "[1]"}},
		{name: "non-identifier keys are quoted", want: `{"a b":1,"0":1}`, got: `{"a b":2,"0":2}`, paths: []string{`["0"]`, `["a b"]`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			want := mustDecode(t, tt.want)
			got := mustDecode(t, tt.got)
			var diffs []difference
			compareJSON("", want, got, &diffs)
			var paths []string
			for _, d := range diffs {
				paths = append(paths, d.path)
			}
			if strings.Join(paths, "|") != strings.Join(tt.paths, "|") {
				t.Errorf("difference paths = %q, want %q", paths, tt.paths)
			}
			if eq := equalJSON(want, got); eq != (len(tt.paths) == 0) {
				t.Errorf("equalJSON = %v, want %v", eq, !eq)
			}
		})
	}
}

func TestCompareJSONReportsAbsence(t *testing.T) {
	t.Parallel()
	var diffs []difference
	compareJSON("", mustDecode(t, `{"a":null}`), mustDecode(t, `{}`), &diffs)
	if len(diffs) != 1 {
		t.Fatalf("got %d differences, want 1", len(diffs))
	}
	lines := diffLines(diffs[0])
	want := []string{"a", "  want: null", "  got:  <absent>"}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("diffLines = %q, want %q", lines, want)
	}
}

func TestWriteDiffsCapsLines(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		diffs     int
		wantLines int
		wantMore  bool
	}{
		{name: "one", diffs: 1, wantLines: 3},
		{name: "six fit", diffs: 6, wantLines: 18},
		{name: "seven are cut", diffs: 7, wantLines: 19, wantMore: true},
		{name: "many are cut", diffs: 100, wantLines: 19, wantMore: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var diffs []difference
			for range tt.diffs {
				diffs = append(diffs, difference{path: "p", want: "a", got: "b"})
			}
			var buf bytes.Buffer
			writeDiffs(&buf, diffs)
			lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
			if len(lines) != tt.wantLines || len(lines) > maxReportLines {
				t.Errorf("%d lines, want %d (at most %d):\n%s", len(lines), tt.wantLines, maxReportLines, buf.String())
			}
			if more := strings.Contains(buf.String(), "more difference"); more != tt.wantMore {
				t.Errorf("more notice = %v, want %v", more, tt.wantMore)
			}
		})
	}
}

func TestRenderValueTruncates(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("é", 200)
	s := renderValue(long, false)
	if len(s) > maxValueBytes+40 || !strings.Contains(s, "bytes)") {
		t.Errorf("renderValue of a long string = %q", s)
	}
	if got := renderValue(nil, true); got != "<absent>" {
		t.Errorf("renderValue(absent) = %q", got)
	}
	if got := renderValue("<&>", false); got != `"<&>"` {
		t.Errorf("renderValue escapes HTML: %q", got)
	}
}

func TestProcessorWant(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, expected, want string
	}{
		{
			name:     "success is kept whole",
			expected: `{"statusCode":200,"output":{"method":"PUT"},"metadata":{"jobId":1}}`,
			want:     `{"statusCode":200,"output":{"method":"PUT"},"metadata":{"jobId":1}}`,
		},
		{
			name:     "nested error keeps status, message and error category and type",
			expected: `{"error":{"statusCode":400,"message":"m","statTags":{"destType":"CUSTOMERIO","errorCategory":"dataValidation","errorType":"configuration","feature":"processor"}},"metadata":{"jobId":1}}`,
			want:     `{"error":{"statusCode":400,"message":"m","statTags":{"errorCategory":"dataValidation","errorType":"configuration"}},"metadata":{"jobId":1}}`,
		},
		{
			name:     "upstream's flat error element",
			expected: `{"error":"m","statusCode":500,"statTags":{"errorCategory":"transformation"}}`,
			want:     `{"error":{"statusCode":500,"message":"m","statTags":{"errorCategory":"transformation"}}}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := processorWant(mustDecode(t, tt.expected).(map[string]any))
			var diffs []difference
			compareJSON("", mustDecode(t, tt.want), got, &diffs)
			for _, d := range diffs {
				t.Errorf("%s", strings.Join(diffLines(d), " "))
			}
		})
	}
}

// mustDecode decodes JSON text or fails the test.
func mustDecode(t *testing.T, s string) any {
	t.Helper()
	v, err := decodeJSON([]byte(s))
	if err != nil {
		t.Fatalf("decode %s: %v", s, err)
	}
	return v
}
