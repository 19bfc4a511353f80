package main

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// copyContract copies buf.yaml and the proto/ module into a new folder.
func copyContract(t *testing.T) string {
	t.Helper()
	root, dir := repoRoot(), t.TempDir()
	err := filepath.WalkDir(filepath.Join(root, "proto"), func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".proto") {
			return err
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, rel)), 0o755); err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, rel), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(root, "buf.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "buf.yaml"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestBreakingChangesFail checks the contract check make test runs: buf
// breaking against the committed baseline of the released contract must
// reject incompatible edits of the protos.
func TestBreakingChangesFail(t *testing.T) {
	if testing.Short() {
		t.Skip("runs buf, which the first time compiles for minutes")
	}
	t.Parallel()
	baseline := filepath.Join(repoRoot(), "proto", "baseline.binpb")
	for _, tc := range []struct {
		name, file, old, new, report string
	}{
		{"field type changed", "request.proto", "uint64 job_id = 1;", "string job_id = 1;", "job_id"},
		{"rpc deleted", "transformer_service.proto", "rpc Transform(TransformRequest) returns (TransformResponse);", "", "Transform"},
		{"field renumbered", "event.proto", "string user_id = 3;", "string user_id = 30;", "user_id"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := copyContract(t)
			path := filepath.Join(dir, "proto", "ciotransformer", "v1", tc.file)
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(data), tc.old) {
				t.Fatalf("%s no longer holds %q: update this test", tc.file, tc.old)
			}
			if err := os.WriteFile(path, []byte(strings.Replace(string(data), tc.old, tc.new, 1)), 0o644); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
			defer cancel()
			// make test names the buf it built; a plain go test builds it.
			args := []string{"tool", "-modfile=" + filepath.Join(repoRoot(), "tools", "go.mod"), "buf"}
			name := "go"
			if prebuilt := os.Getenv("BUF"); prebuilt != "" {
				name, args = prebuilt, nil
			}
			cmd := exec.CommandContext(ctx, name, append(args, "breaking", dir, "--against", baseline)...)
			cmd.Dir = repoRoot()
			out, err := cmd.CombinedOutput()
			var exit *exec.ExitError
			// buf breaking exits with 100 when it finds breaking changes.
			if !errors.As(err, &exit) || exit.ExitCode() != 100 {
				t.Fatalf("buf breaking: %v, want exit code 100\n%s", err, out)
			}
			if !strings.Contains(string(out), tc.report) {
				t.Errorf("buf breaking does not name %s:\n%s", tc.report, out)
			}
		})
	}
}
