package conformance

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestReadLines(t *testing.T) {
	t.Parallel()
	text := strings.Join([]string{
		`{"message":{"type":"identify"},"expected":{"statusCode":200}}`,
		``,
		"  \r",
		`{"variant":"legacy","input":[{"metadata":{"jobId":1.50}}]}` + "\r",
		`{"feature":"dataDelivery"}`,
		``,
	}, "\n")
	path := filepath.Join(t.TempDir(), "corpus.jsonl")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := ReadLines(path)
	if err != nil {
		t.Fatal(err)
	}
	want := []Line{
		{Number: 1, Value: map[string]any{"message": map[string]any{"type": "identify"}, "expected": map[string]any{"statusCode": json.Number("200")}}},
		{Number: 4, Value: map[string]any{"variant": "legacy", "input": []any{map[string]any{"metadata": map[string]any{"jobId": json.Number("1.50")}}}}},
		{Number: 5, Value: map[string]any{"feature": "dataDelivery"}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ReadLines mismatch (-want +got):\n%s", diff)
	}
	if n := CaseCount([]byte(text)); n != len(want) {
		t.Errorf("CaseCount = %d, want %d", n, len(want))
	}
}

func TestReadLinesErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, text, want string
	}{
		{"not JSON", "{}\n{\"a\":", ":2: "},
		{"not an object", "{}\n\n[1]", ":3: not a JSON object"},
		{"two values", `{} {}`, ":1: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "corpus.jsonl")
			if err := os.WriteFile(path, []byte(tt.text), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := ReadLines(path)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ReadLines error = %v, want one containing %q", err, tt.want)
			}
		})
	}
	if _, err := ReadLines(filepath.Join(t.TempDir(), "missing.jsonl")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("ReadLines of a missing file = %v, want not exist", err)
	}
}
