package main

import (
	"bytes"

	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

// serverOptions are the settings of one server process beyond the
// defaults.
type serverOptions struct {
	// token, when set, is required from every call but health checks.
	token string
	// faults runs the build with the fault-injection hook, panicking while
	// mapping the job with this id (zero: the production build).
	panicJobID uint64
	// shutdownGrace, when set, is passed as --shutdown-grace.
	shutdownGrace time.Duration
	// http serves rudder-transformer's HTTP protocol too (--http-listen),
	// at server.httpAddr.
	http bool
}

// testToken is the shared secret of the servers that require one.
const testToken = "adversarial-token"

// server is a running cio-transformer serve process.
type server struct {
	cmd         *exec.Cmd
	addr        string
	metricsAddr string
	httpAddr    string
	done        chan struct{}
	waitErr     error
	logs        *lineCounter
	dir         string
}

// env is what every server process is started with.
type env struct {
	bin, faultBin string
	goMemLimit    string
	tmp           string
}

// start runs a server with default flags and o's additions on loopback
// ports and waits until its health check answers SERVING.
func (e *env) start(ctx context.Context, o serverOptions) (*server, error) {
	addr, err := freePort()
	if err != nil {
		return nil, err
	}
	metricsAddr, err := freePort()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp(e.tmp, "server-")
	if err != nil {
		return nil, err
	}
	args := []string{"serve", "--listen", addr, "--metrics-listen", metricsAddr}
	if o.token != "" {
		f := filepath.Join(dir, "token")
		if err := os.WriteFile(f, []byte(o.token+"\n"), 0o600); err != nil {
			return nil, err
		}
		args = append(args, "--auth-token-file", f)
	}
	if o.shutdownGrace > 0 {
		args = append(args, "--shutdown-grace", o.shutdownGrace.String())
	}
	var httpAddr string
	if o.http {
		if httpAddr, err = freePort(); err != nil {
			return nil, err
		}
		args = append(args, "--http-listen", httpAddr)
	}
	bin := e.bin
	// Only the environment the harness means: no CIO_ variable of the
	// caller's changes a default.
	environ := []string{"GOMEMLIMIT=" + e.goMemLimit, "PATH=" + os.Getenv("PATH")}
	if o.panicJobID != 0 {
		bin = e.faultBin
		environ = append(environ, panicJobEnv+"="+strconv.FormatUint(o.panicJobID, 10))
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = environ
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s := &server{cmd: cmd, addr: addr, metricsAddr: metricsAddr, httpAddr: httpAddr, done: make(chan struct{}), logs: &lineCounter{}, dir: dir}
	go func() {
		_, _ = io.Copy(s.logs, stderr)
		s.waitErr = cmd.Wait()
		close(s.done)
	}()
	if err := s.waitServing(ctx, 30*time.Second); err != nil {
		s.kill()
		return nil, fmt.Errorf("server did not start: %w; last log: %s", err, s.logs.last())
	}
	return s, nil
}

// panicJobEnv names the job id the fault-injection build panics on.
const panicJobEnv = "ADVERSARIAL_PANIC_JOB_ID"

// pid is the server's process id.
func (s *server) pid() int { return s.cmd.Process.Pid }

// exited reports whether the server process has ended.
func (s *server) exited() bool {
	select {
	case <-s.done:
		return true
	default:
		return false
	}
}

// waitServing polls the health check until it answers SERVING.
func (s *server) waitServing(ctx context.Context, limit time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	conn, err := grpc.NewClient(s.addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return err
	}
	defer conn.Close()
	client := healthpb.NewHealthClient(conn)
	for {
		callCtx, callCancel := context.WithTimeout(ctx, time.Second)
		resp, err := client.Check(callCtx, &healthpb.HealthCheckRequest{})
		callCancel()
		if err == nil && resp.GetStatus() == healthpb.HealthCheckResponse_SERVING {
			return nil
		}
		select {
		case <-ctx.Done():
			if err == nil {
				err = ctx.Err()
			}
			return err
		case <-s.done:
			return errors.New("server exited")
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// kill ends the server at once and waits for it, so that its log is read
// to the end.
func (s *server) kill() {
	_ = s.cmd.Process.Kill()
	<-s.done
	_ = os.RemoveAll(s.dir)
}

// freePort returns a loopback address with a port nobody listens on now.
func freePort() (string, error) {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	addr := lis.Addr().String()
	return addr, lis.Close()
}

// lineCounter counts the lines written to it and keeps the last one, so
// that a flood of log lines costs the harness no memory.
type lineCounter struct {
	mu      sync.Mutex
	lines   int
	partial []byte
	lastOne []byte
}

// maxKeptLine bounds the copy kept of the last line.
const maxKeptLine = 4096

// Write counts the complete lines in p.
func (c *lineCounter) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := len(p)
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			c.partial = appendBounded(c.partial, p)
			break
		}
		c.partial = appendBounded(c.partial, p[:i])
		c.lines++
		c.lastOne = append(c.lastOne[:0], c.partial...)
		c.partial = c.partial[:0]
		p = p[i+1:]
	}
	return n, nil
}

func appendBounded(dst, p []byte) []byte {
	if room := maxKeptLine - len(dst); room < len(p) {
		p = p[:max(room, 0)]
	}
	return append(dst, p...)
}

// count returns the number of complete lines so far.
func (c *lineCounter) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lines
}

// last returns the last complete line.
func (c *lineCounter) last() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return string(c.lastOne)
}
