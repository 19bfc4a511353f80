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
	"net/http"
	"os"
	"os/exec"
	"runtime/pprof"
	"strings"
	"syscall"
	"time"

	ciotransformerv1 "github.com/cio-transformer/cio-transformer/gen/ciotransformer/v1"
	"github.com/cio-transformer/cio-transformer/server"
	"github.com/cio-transformer/cio-transformer/server/httpapi"
	"google.golang.org/grpc"
)

// childCommand is the hidden subcommand a server child runs.
const childCommand = "serve-child"

// Server kinds.
const (
	kindTransform = "transform"
	kindEcho      = "echo"
	// kindHTTP is the service's HTTP face (rudder-transformer's protocol),
	// sharing the in-flight budget and mapping slots of a gRPC server as
	// the serve command's does.
	kindHTTP = "http"
)

// serveChild serves one kind of server on 127.0.0.1:0, prints its address
// on stdout and serves until ctx ends.
func serveChild(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet(childCommand, flag.ContinueOnError)
	fs.SetOutput(stderr)
	kind := fs.String("kind", kindTransform, "transform, echo or http")
	profiles := fs.Bool("profile-control", false, "take CPU profile commands on standard input (see profileCommands)")
	if err := fs.Parse(args); err != nil {
		return 2
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
	if *profiles {
		go profileCommands(os.Stdin, stdout, stderr)
	}
	select {
	case err := <-done:
		return errorf(stderr, "%s server stopped: %v", *kind, err)
	case <-ctx.Done():
	}
	stop()
	<-done
	return 0
}

// Commands of a child's profile control, one a line on its standard input;
// the child answers each with a line on its standard output, "ok" or the
// error.
const (
	// profileStart PATH starts a CPU profile written to PATH.
	profileStart = "start"
	// profileStop stops the profile started last and closes its file.
	profileStop = "stop"
)

// profileCommands runs the profile commands read from in, so that the
// parent profiles exactly the measured time of each phase.
func profileCommands(in io.Reader, out, stderr io.Writer) {
	var file *os.File
	sc := bufio.NewScanner(in)
	for sc.Scan() {
		cmd, arg, _ := strings.Cut(sc.Text(), " ")
		var err error
		switch {
		case cmd == profileStart && file == nil:
			if file, err = os.Create(arg); err == nil {
				if err = pprof.StartCPUProfile(file); err != nil {
					_ = file.Close()
					file = nil
				}
			}
		case cmd == profileStop && file != nil:
			pprof.StopCPUProfile()
			err = file.Close()
			file = nil
		default:
			err = fmt.Errorf("unexpected profile command %q", sc.Text())
		}
		if err != nil {
			fmt.Fprintf(stderr, "cio-bench child: %v\n", err)
			fmt.Fprintln(out, err.Error())
			continue
		}
		fmt.Fprintln(out, "ok")
	}
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
	case kindHTTP:
		logger := slog.New(slog.NewJSONHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelInfo}))
		srv, err := server.New(server.Config{Logger: logger})
		if err != nil {
			return nil, nil, err
		}
		h, err := httpapi.New(httpapi.Config{Logger: logger, Budget: srv.Budget(), Mapping: srv.Mapping()})
		if err != nil {
			return nil, nil, err
		}
		hs := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
		return hs.Serve, func() { _ = hs.Close() }, nil
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
	// control writes profile commands; replies receives the child's
	// answers. Both are nil without profile control.
	control io.WriteCloser
	replies chan string
}

// childOptions are how a server child runs.
type childOptions struct {
	// profiles makes the child take profile commands (see
	// profileCommands).
	profiles bool
	// goMemLimit, when not empty, is the child's GOMEMLIMIT.
	goMemLimit string
}

// startChild starts a server of kind as a child process and waits for its
// address.
func startChild(kind string, opts childOptions, stderr io.Writer) (*child, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	args := []string{childCommand, "--kind", kind}
	profiles := opts.profiles
	if profiles {
		args = append(args, "--profile-control")
	}
	cmd := exec.Command(exe, args...)
	if opts.goMemLimit != "" {
		cmd.Env = append(os.Environ(), "GOMEMLIMIT="+opts.goMemLimit)
	}
	cmd.Stderr = stderr
	cmd.SysProcAttr = childAttr()
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	c := &child{kind: kind, cmd: cmd, done: make(chan error, 1)}
	if profiles {
		if c.control, err = cmd.StdinPipe(); err != nil {
			return nil, err
		}
		c.replies = make(chan string, 1)
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	addr := make(chan string, 1)
	go func() {
		r := bufio.NewReader(out)
		line, _ := r.ReadString('\n')
		addr <- strings.TrimSpace(line)
		for c.replies != nil {
			line, err := r.ReadString('\n')
			if err != nil {
				break
			}
			c.replies <- strings.TrimSpace(line)
		}
		_, _ = io.Copy(io.Discard, r)
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

// profile sends a profile command and waits for the child's answer.
func (c *child) profile(command string) error {
	if c.control == nil {
		return nil
	}
	if _, err := fmt.Fprintln(c.control, command); err != nil {
		return err
	}
	select {
	case reply := <-c.replies:
		if reply != "ok" {
			return fmt.Errorf("%s server: profile: %s", c.kind, reply)
		}
		return nil
	case <-time.After(10 * time.Second):
		return fmt.Errorf("%s server did not answer the profile command within 10s", c.kind)
	}
}

// startProfile starts a CPU profile of the child written to path, when
// path is set, and returns what stops it: stop reports the child's
// answer, and is safe to call when no profile was started.
func (c *child) startProfile(path string) (stop func() error, err error) {
	if path == "" {
		return func() error { return nil }, nil
	}
	if err := c.profile(profileStart + " " + path); err != nil {
		return nil, err
	}
	return func() error { return c.profile(profileStop) }, nil
}

// pid returns the child's process id.
func (c *child) pid() int { return c.cmd.Process.Pid }

// stop asks the child to stop, so that it writes its profile, and kills it
// if it takes more than 10s.
func (c *child) stop() error {
	if c.control != nil {
		_ = c.control.Close()
	}
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
