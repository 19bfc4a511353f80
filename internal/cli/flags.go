package cli

import (
	"errors"
	"fmt"
	"io"
	"strings"

	flag "github.com/spf13/pflag"
)

// NewFlagSet returns an empty flag set of GNU-style --flags for the
// command name ("cio-transformer serve", "cio-verify"), listing its flags
// by name. Parse errors are left to ParseArgs to report.
func NewFlagSet(name string, out io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(out)
	return fs
}

// ParseArgs parses args into fs. For -h or --help it prints usage and the
// flags to stdout and returns 0; for a bad flag it prints the error and a
// hint to stderr and returns 2. ok is true when the command should go on.
func ParseArgs(fs *flag.FlagSet, args []string, usage string, stdout, stderr io.Writer) (code int, ok bool) {
	fs.SetOutput(io.Discard)
	err := fs.Parse(args)
	fs.SetOutput(stderr)
	switch {
	case err == nil:
		return 0, true
	case errors.Is(err, flag.ErrHelp):
		fmt.Fprint(stdout, usage)
		fmt.Fprint(stdout, fs.FlagUsagesWrapped(100))
		return 0, false
	default:
		return UsageError(stderr, fs.Name(), err), false
	}
}

// UsageError reports err of the command name to stderr, a line per line of
// err, with a pointer to its help, and returns exit code 2.
func UsageError(stderr io.Writer, name string, err error) int {
	for line := range strings.Lines(err.Error()) {
		fmt.Fprintf(stderr, "%s: %s", name, strings.TrimSuffix(line, "\n")+"\n")
	}
	fmt.Fprintf(stderr, "Run '%s --help' for usage.\n", name)
	return 2
}
