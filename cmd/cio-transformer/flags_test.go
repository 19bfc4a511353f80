package main

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"

	"github.com/spf13/pflag"
)

// TestCommandLine runs the command line as an operator would and checks
// the exit code and where the text goes: help on stdout, errors on stderr.
func TestCommandLine(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name       string
		args       []string
		code       int
		stdout     []string
		stderr     []string
		stdoutNone bool
	}{
		{name: "no command", args: nil, code: 2, stderr: []string{"usage:"}, stdoutNone: true},
		{name: "help", args: []string{"--help"}, code: 0, stdout: []string{"cio-transformer serve", "cio-transformer version"}},
		{name: "unknown command", args: []string{"serv"}, code: 2, stderr: []string{`unknown command "serv"`}, stdoutNone: true},
		{name: "version", args: []string{"version"}, code: 0, stdout: []string{"cio-transformer ", "revision: ", "go:       go1."}},
		{name: "--version", args: []string{"--version"}, code: 0, stdout: []string{"cio-transformer ", "revision: "}},
		{name: "version extra", args: []string{"version", "x"}, code: 2, stderr: []string{`unexpected argument "x"`}, stdoutNone: true},
		{name: "serve help", args: []string{"serve", "--help"}, code: 0, stdout: []string{"usage: cio-transformer serve", "--listen string", "(env CIO_LISTEN)", "--log-format"}},
		{name: "serve -h", args: []string{"serve", "-h"}, code: 0, stdout: []string{"--max-jobs-per-request"}},
		{name: "serve stray argument", args: []string{"serve", "extra-arg", "--listen", "127.0.0.1:0"}, code: 2,
			stderr: []string{`unexpected argument "extra-arg"`, "serve --help"}, stdoutNone: true},
		{name: "serve single-dash long flag", args: []string{"serve", "-listen", "127.0.0.1:0"}, code: 2, stderr: []string{"unknown shorthand flag"}, stdoutNone: true},
		{name: "serve unknown flag", args: []string{"serve", "--bogus"}, code: 2, stderr: []string{"unknown flag: --bogus"}, stdoutNone: true},
		{name: "serve bad value", args: []string{"serve", "--max-jobs-per-request", "abc"}, code: 2, stderr: []string{`"abc"`}, stdoutNone: true},
		{name: "serve bad log format", args: []string{"serve", "--log-format", "xml"}, code: 2, stderr: []string{`invalid log format "xml"`}, stdoutNone: true},
		// The conformance replay is cio-verify: the server binary only serves.
		{name: "verify is not a command", args: []string{"verify", "x.jsonl"}, code: 2, stderr: []string{`unknown command "verify"`}, stdoutNone: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), tc.args, &stdout, &stderr)
			if code != tc.code {
				t.Errorf("exit code %d, want %d; stderr:\n%s", code, tc.code, stderr.String())
			}
			for _, want := range tc.stdout {
				if !strings.Contains(stdout.String(), want) {
					t.Errorf("stdout lacks %q:\n%s", want, stdout.String())
				}
			}
			for _, want := range tc.stderr {
				if !strings.Contains(stderr.String(), want) {
					t.Errorf("stderr lacks %q:\n%s", want, stderr.String())
				}
			}
			if tc.stdoutNone && stdout.Len() > 0 {
				t.Errorf("stdout holds %q, want nothing", stdout.String())
			}
		})
	}
}

// TestApplyEnv checks how environment variables set serve flags: an
// explicit flag wins, a bad value is reported with the value, and an
// unknown CIO_ variable is an error naming it, while other variables are
// left alone.
func TestApplyEnv(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		args    []string
		environ []string
		errs    []string
		check   func(t *testing.T, f serveFlags)
	}{
		{name: "sets flags", environ: []string{"CIO_LISTEN=127.0.0.1:1", "CIO_MAX_JOBS_PER_REQUEST=7", "CIO_LOG_FORMAT=text", "PATH=/bin"},
			check: func(t *testing.T, f serveFlags) {
				if f.listen != "127.0.0.1:1" || f.maxJobsPerRequest != 7 || f.logFormat != "text" {
					t.Errorf("flags %+v", f)
				}
			}},
		{name: "flag wins", args: []string{"--listen", "127.0.0.1:2"}, environ: []string{"CIO_LISTEN=127.0.0.1:1"},
			check: func(t *testing.T, f serveFlags) {
				if f.listen != "127.0.0.1:2" {
					t.Errorf("listen %q, want the flag's", f.listen)
				}
			}},
		{name: "bad value shown", environ: []string{"CIO_MAX_JOBS_PER_REQUEST=abc"},
			errs: []string{`CIO_MAX_JOBS_PER_REQUEST="abc": invalid value for --max-jobs-per-request`}},
		{name: "misspelt", environ: []string{"CIO_LISTN=:1"}, errs: []string{"unknown environment variable CIO_LISTN (did you mean CIO_LISTEN?)"}},
		{name: "unknown", environ: []string{"CIO_SOMETHING_ELSE_ENTIRELY=1"}, errs: []string{"unknown environment variable CIO_SOMETHING_ELSE_ENTIRELY"}},
		{name: "all errors at once", environ: []string{"CIO_LISTN=:1", "CIO_SHUTDOWN_GRACE=5"},
			errs: []string{"CIO_LISTN", `CIO_SHUTDOWN_GRACE="5"`}},
		{name: "other prefixes ignored", environ: []string{"CIOX=1", "MY_CIO_LISTEN=1", "cio_listen=1", "OTEL_SERVICE_NAME=x"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var f serveFlags
			fs := newServeFlagSet(&f, io.Discard)
			if err := fs.Parse(tc.args); err != nil {
				t.Fatal(err)
			}
			err := applyEnv(fs, tc.environ)
			if len(tc.errs) == 0 && err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			for _, want := range tc.errs {
				if err == nil || !strings.Contains(err.Error(), want) {
					t.Errorf("error %v, want it to contain %q", err, want)
				}
			}
			if tc.check != nil {
				tc.check(t, f)
			}
		})
	}
}

// TestServeFlagsReadTheirEnv checks that every serve flag names the
// variable applyEnv reads for it, so that a flag added in one line gets
// its environment variable and documentation with it.
func TestServeFlagsReadTheirEnv(t *testing.T) {
	t.Parallel()
	var f serveFlags
	fs := newServeFlagSet(&f, io.Discard)
	var environ []string
	fs.VisitAll(func(fl *pflag.Flag) {
		if !strings.HasSuffix(fl.Usage, "(env "+envName(fl.Name)+")") {
			t.Errorf("--%s: usage %q does not end with (env %s)", fl.Name, fl.Usage, envName(fl.Name))
		}
		environ = append(environ, envName(fl.Name)+"="+fl.DefValue)
	})
	if err := applyEnv(fs, environ); err != nil {
		t.Errorf("every flag's own default through its variable: %v", err)
	}
}

// TestEditDistance checks the misspelling measure.
func TestEditDistance(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"a", "", 1}, {"CIO_LISTEN", "CIO_LISTN", 1}, {"kitten", "sitting", 3},
	} {
		if got := editDistance(tc.a, tc.b); got != tc.want {
			t.Errorf("editDistance(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}
