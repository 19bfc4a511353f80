package cli

import (
	"context"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// Command runs a command with its arguments (without the program name) and
// returns its exit code. ctx ends on SIGINT or SIGTERM.
type Command func(ctx context.Context, args []string, stdout, stderr io.Writer) int

// Main runs cmd with the process's arguments and standard streams, and
// exits with its code. SIGINT and SIGTERM cancel cmd's context rather than
// killing the process, so that cmd can stop gracefully.
func Main(cmd Command) {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	code := cmd(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
