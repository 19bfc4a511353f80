package main

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
)

// version and revision, when not empty, override what the Go build info
// says. Builds without VCS information (a Docker build context has no .git)
// set them with
//
//	go build -ldflags "-X main.version=v1.2.3 -X main.revision=<commit>"
var version, revision string

// buildInfo says which build of the program runs.
type buildInfo struct {
	// Version is the module version: a release tag, a pseudo-version
	// derived from the commit ("+dirty" when modified), or "(devel)".
	Version string
	// Revision is the VCS commit the binary was built from, or "unknown".
	Revision string
	// Time is the commit time (RFC 3339), or empty.
	Time string
	// Modified reports uncommitted changes in the build's checkout.
	Modified bool
	// GoVersion is the Go toolchain that built the binary.
	GoVersion string
}

// readBuildInfo reads the build information the Go toolchain stamps into
// the binary: go build in a git checkout records the module version and the
// commit.
func readBuildInfo() buildInfo {
	b := buildInfo{Version: "(devel)", Revision: "unknown", GoVersion: runtime.Version()}
	if bi, ok := debug.ReadBuildInfo(); ok {
		if bi.Main.Version != "" {
			b.Version = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				b.Revision = s.Value
			case "vcs.time":
				b.Time = s.Value
			case "vcs.modified":
				b.Modified = s.Value == "true"
			}
		}
	}
	if version != "" {
		b.Version = version
	}
	if revision != "" {
		b.Revision = revision
	}
	return b
}

// printVersion writes the build information, one field a line.
func printVersion(w io.Writer) {
	b := readBuildInfo()
	fmt.Fprintf(w, "cio-transformer %s\n", b.Version)
	fmt.Fprintf(w, "  revision: %s\n", b.Revision)
	if b.Time != "" {
		fmt.Fprintf(w, "  time:     %s\n", b.Time)
	}
	fmt.Fprintf(w, "  modified: %t\n", b.Modified)
	fmt.Fprintf(w, "  go:       %s %s/%s\n", b.GoVersion, runtime.GOOS, runtime.GOARCH)
}
