package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"runtime/pprof"
	"strings"
	"syscall"
	"time"

	ciotransformerv1 "github.com/cio-transformer/cio-transformer/gen/ciotransformer/v1"
	"github.com/cio-transformer/cio-transformer/server"
	"google.golang.org/grpc"
)

// childCommand is the hidden subcommand a server child runs.
const childCommand = "serve-child"

// Server kinds.
const (
	kindTransform = "transform"
	kindEcho      = "echo"
)

// serveChild serves one kind of server on 127.0.0.1:0, prints its address
// on stdout and serves until ctx ends.
func serveChild(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet(childCommand, flag.ContinueOnError)
	fs.SetOutput(stderr)
	kind := fs.String("kind", kindTransform, "transform or echo")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the server's whole life to this file")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return errorf(stderr, "%v", err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return errorf(stderr, "%v", err)
		}
		defer pprof.StopCPUProfile()
	}
	serve, stop, err := newChildServer(*kind)
	if err != nil {
		return errorf(stderr, "%v", err)
	}
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return errorf(stderr, "%v", err)
	}
	fmt.Fprintln(stdout, lis.Addr().String())
	done := make(chan error, 1)
	go func() { done <- serve(lis) }()
	select {
	case err := <-done:
		return errorf(stderr, "%s server stopped: %v", *kind, err)
	case <-ctx.Done():
	}
	stop()
	<-done
	return 0
}

// newChildServer builds the server of kind.
func newChildServer(kind string) (serve func(net.Listener) error, stop func(), err error) {
	switch kind {
	case kindTransform:
		// The production chain with the production log level; the lines are
		// formatted as in production and then dropped, so the figures hold
		// logging's CPU but not a terminal's speed.
		logger := slog.New(slog.NewJSONHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelInfo}))
		srv, err := server.New(server.Config{Logger: logger})
		if err != nil {
			return nil, nil, err
		}
		return srv.Serve, srv.Stop, nil
	case kindEcho:
		g := grpc.NewServer(echoServerOptions()...)
		ciotransformerv1.RegisterTransformerServiceServer(g, echoService{})
		return g.Serve, g.Stop, nil
	}
	return nil, nil, fmt.Errorf("unknown server kind %q", kind)
}

// child is a running server child process.
type child struct {
	kind string
	addr string
	cmd  *exec.Cmd
	done chan error
}

// startChild starts a server of kind as a child process and waits for its
// address. profile, when not empty, is the file of its CPU profile.
func startChild(kind, profile string, stderr io.Writer) (*child, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	args := []string{childCommand, "--kind", kind}
	if profile != "" {
		args = append(args, "--cpuprofile", profile)
	}
	cmd := exec.Command(exe, args...)
	cmd.Stderr = stderr
	cmd.SysProcAttr = childAttr()
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	c := &child{kind: kind, cmd: cmd, done: make(chan error, 1)}
	addr := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(out).ReadString('\n')
		addr <- strings.TrimSpace(line)
		_, _ = io.Copy(io.Discard, out)
		c.done <- cmd.Wait()
	}()
	select {
	case c.addr = <-addr:
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		return nil, fmt.Errorf("%s server did not start within 30s", kind)
	}
	if c.addr == "" {
		err := <-c.done
		return nil, fmt.Errorf("%s server exited before serving: %v", kind, err)
	}
	return c, nil
}

// pid returns the child's process id.
func (c *child) pid() int { return c.cmd.Process.Pid }

// stop asks the child to stop, so that it writes its profile, and kills it
// if it takes more than 10s.
func (c *child) stop() error {
	_ = c.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-c.done:
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return fmt.Errorf("%s server: %v", c.kind, err)
		}
		return err
	case <-time.After(10 * time.Second):
		_ = c.cmd.Process.Kill()
		<-c.done
		return fmt.Errorf("%s server did not stop within 10s", c.kind)
	}
}
