//go:build !linux

package main

import "syscall"

func childAttr() *syscall.SysProcAttr { return nil }
func loadAverage() float64            { return -1 }
func cpuModel() string                { return "unknown" }
func kernelRelease() string           { return "unknown" }
