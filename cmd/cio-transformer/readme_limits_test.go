package main

import (
	"github.com/spf13/pflag"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// limitAndSecurityFlags are the serve flags the README's "Limits and
// security" tables list.
var limitAndSecurityFlags = []string{
	"max-recv-msg-size", "max-jobs-per-request", "max-event-bytes", "max-concurrent-streams", "keepalive-min-time",
	"max-connection-age", "max-connection-age-grace", "shutdown-delay", "shutdown-grace",
	"tls-cert", "tls-key", "tls-client-ca", "auth-token-file",
	"max-inflight-bytes", "max-connections", "recv-timeout", "max-connection-idle",
}

var firstCode = regexp.MustCompile("`([^`]*)`")

// TestREADMELimitsTable checks that the README lists every limit and
// security flag with the default the binary has.
func TestREADMELimitsTable(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile(filepath.Join(repoRoot(), "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(data), "## Limits and security")
	if !ok {
		t.Fatal("README has no Limits and security section")
	}
	section, _, _ = strings.Cut(section, "\n## ")
	fs := newServeFlagSet(&serveFlags{}, io.Discard)
	for _, name := range limitAndSecurityFlags {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f := fs.Lookup(name)
			if f == nil {
				t.Fatalf("serve has no --%s flag", name)
			}
			var row string
			for line := range strings.Lines(section) {
				if cells := strings.Split(line, "|"); len(cells) > 3 && strings.Contains(cells[1], "`--"+name+"`") {
					row = line
				}
			}
			if row == "" {
				t.Fatalf("README's limits tables lack --%s", name)
			}
			def := strings.TrimSpace(strings.Split(row, "|")[2])
			if def == "none" {
				if f.DefValue != "" {
					t.Errorf("README says --%s has no default, the flag's is %q", name, f.DefValue)
				}
				return
			}
			m := firstCode.FindStringSubmatch(def)
			if m == nil || !sameDefault(f, m[1]) {
				t.Errorf("README gives --%s the default %q, the flag's is %q", name, def, f.DefValue)
			}
		})
	}
}

// sameDefault reports whether the README's text is f's default, durations
// compared by value.
func sameDefault(f *pflag.Flag, text string) bool {
	if text == f.DefValue {
		return true
	}
	want, err1 := time.ParseDuration(f.DefValue)
	got, err2 := time.ParseDuration(text)
	return err1 == nil && err2 == nil && want == got
}
