package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/cio-transformer/cio-transformer/internal/fakecio"
)

// binaries are the real cio-transformer, cio-verify and grpcurl, built
// once per test binary run.
var binaries struct {
	once      sync.Once
	dir       string
	server    string
	verify    string
	grpcurl   string
	buildErrs error
}

// buildBinaries builds the server, cio-verify and the pinned grpcurl into
// a temporary folder shared by the end-to-end tests.
func buildBinaries(t *testing.T) (server, grpcurl string) {
	t.Helper()
	binaries.once.Do(func() {
		dir, err := os.MkdirTemp("", "cio-e2e-")
		if err != nil {
			binaries.buildErrs = err
			return
		}
		binaries.dir = dir
		binaries.server = filepath.Join(dir, "cio-transformer")
		binaries.verify = filepath.Join(dir, "cio-verify")
		binaries.grpcurl = filepath.Join(dir, "grpcurl")
		root := repoRoot()
		builds := [][]string{slices.Concat([]string{"build"}, buildFlags, []string{"-o", dir + string(filepath.Separator), "./cmd/cio-transformer", "./cmd/cio-verify"})}
		// make test builds the pinned grpcurl beside buf, while go vet runs,
		// and names it here; a plain go test builds it.
		if prebuilt := os.Getenv("GRPCURL"); prebuilt != "" {
			binaries.grpcurl = prebuilt
		} else {
			builds = append(builds, []string{"build", "-modfile=tools/go.mod", "-o", binaries.grpcurl, "github.com/fullstorydev/grpcurl/cmd/grpcurl"})
		}
		for _, args := range builds {
			cmd := exec.Command("go", args...)
			cmd.Dir = root
			if out, err := cmd.CombinedOutput(); err != nil {
				binaries.buildErrs = fmt.Errorf("go %s: %v\n%s", strings.Join(args, " "), err, out)
				return
			}
		}
	})
	if binaries.buildErrs != nil {
		t.Fatal(binaries.buildErrs)
	}
	return binaries.server, binaries.grpcurl
}

// repoRoot is the module root, two levels above this package.
func repoRoot() string {
	wd, _ := os.Getwd()
	return filepath.Clean(filepath.Join(wd, "..", ".."))
}

// runningServer is a cio-transformer serve process.
type runningServer struct {
	cmd  *exec.Cmd
	addr string
	logs *syncBuffer
	done chan error
}

// startServer starts the real binary on a free loopback port and waits until
// it logs its address.
func startServer(t *testing.T, args ...string) *runningServer {
	t.Helper()
	return startServerEnv(t, nil, args...)
}

// startServerEnv is startServer with env ("KEY=value") added to the
// process's environment.
func startServerEnv(t *testing.T, env []string, args ...string) *runningServer {
	t.Helper()
	bin, _ := buildBinaries(t)
	cmd := exec.Command(bin, append([]string{"serve", "--listen", "127.0.0.1:0"}, args...)...)
	if env != nil {
		cmd.Env = append(os.Environ(), env...)
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &runningServer{cmd: cmd, logs: &syncBuffer{}, done: make(chan error, 1)}
	addrc := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			s.logs.WriteLine(line)
			var rec struct {
				Msg  string `json:"msg"`
				Addr string `json:"addr"`
			}
			if json.Unmarshal([]byte(line), &rec) == nil && rec.Msg == "serving" {
				addrc <- rec.Addr
			}
		}
		s.done <- cmd.Wait()
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-s.done:
		case <-time.After(15 * time.Second):
			_ = cmd.Process.Kill()
		}
	})
	select {
	case s.addr = <-addrc:
	case <-time.After(30 * time.Second):
		t.Fatalf("server did not start; logs:\n%s", s.logs.String())
	}
	return s
}

// syncBuffer collects log lines from the server process.
type syncBuffer struct {
	mu    sync.Mutex
	lines []string
}

// WriteLine appends one line.
func (b *syncBuffer) WriteLine(s string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.lines = append(b.lines, s)
}

// String returns the lines so far.
func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return strings.Join(b.lines, "\n")
}

// TestREADMEExamples runs every grpcurl command of the README, as written,
// against the real binary and compares the output with the README's.
func TestREADMEExamples(t *testing.T) {
	t.Parallel()
	// The Deliver example reaches a fake Customer.io that accepts the first
	// object of a batch and rejects the second, as the README says.
	fake := fakecio.Start(nil, fakecio.Response{Status: 207, Body: readmeFakeAnswer})
	t.Cleanup(fake.Close)
	srv := startServer(t, "--delivery-us-url", fake.URL)
	_, grpcurl := buildBinaries(t)
	examples := docExamples(t, "README.md", func(cmd string) bool { return strings.Contains(cmd, "grpcurl") })
	if len(examples) < 5 {
		t.Fatalf("README has %d grpcurl examples, want at least 5", len(examples))
	}
	for _, ex := range examples {
		t.Run(fmt.Sprintf("line%d", ex.line), func(t *testing.T) {
			script := strings.ReplaceAll(ex.command, "bin/grpcurl", grpcurl)
			ex.run(t, strings.ReplaceAll(script, "localhost:50051", srv.addr))
		})
	}
}

// readmeFakeAnswer is the fake Customer.io's answer in the README's Deliver
// example.
const readmeFakeAnswer = `{"errors":[{"batch_index":1,"reason":"invalid","field":"identifiers.object_id","message":"object not found"}]}`
