// Package cputime reads the CPU time the current process has used, for
// benchmarks that must hold up on a busy machine: wall-clock time stretches
// when other processes take the cores, CPU time much less.
package cputime
