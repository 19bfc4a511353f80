//go:build !linux

package main

import (
	"errors"
	"syscall"
	"time"
)

// errNoProc is returned where /proc is needed and missing: cio-bench
// measures servers through Linux's /proc.
var errNoProc = errors.New("cio-bench measures servers through /proc and needs Linux")

func processCPU(int) (time.Duration, error)          { return 0, errNoProc }
func processMemory(int) (rss, peak int64, err error) { return 0, 0, errNoProc }
func resetPeakRSS(int) error                         { return errNoProc }
func childAttr() *syscall.SysProcAttr                { return nil }
func loadAverage() float64                           { return -1 }
func cpuModel() string                               { return "unknown" }
func kernelRelease() string                          { return "unknown" }
