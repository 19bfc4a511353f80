// Package procstat reads another process's CPU time, thread states and
// memory from Linux's /proc, for the tools that measure a server running as
// a child process (cio-bench, cio-adversarial): what the server alone costs,
// without the measuring process's own share. Elsewhere every reader returns
// the error of the missing file.
package procstat
