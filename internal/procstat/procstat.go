package procstat

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// userHZ is the unit of the times in /proc/<pid>/stat. Linux fixes it at 100
// for user space whatever the kernel's own tick rate.
const userHZ = 100

// Tick is the resolution of CPU: the unit /proc counts CPU time in.
const Tick = time.Second / userHZ

// parseStatCPU returns utime plus stime from the text of /proc/<pid>/stat.
func parseStatCPU(data []byte) (time.Duration, error) {
	// The command name, field 2, may hold spaces and parentheses: the
	// fields that follow start after its last ')'.
	i := bytes.LastIndexByte(data, ')')
	if i < 0 {
		return 0, errors.New("stat: no command name")
	}
	fields := strings.Fields(string(data[i+1:]))
	// utime and stime are fields 14 and 15 of the file, 12 and 13 here.
	if len(fields) < 13 {
		return 0, fmt.Errorf("stat: %d fields after the command name", len(fields))
	}
	utime, err1 := strconv.ParseInt(fields[11], 10, 64)
	stime, err2 := strconv.ParseInt(fields[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, errors.New("stat: bad utime or stime")
	}
	return time.Duration(utime+stime) * time.Second / userHZ, nil
}

// parseStatState returns the state letter of the text of
// /proc/<pid>/stat or /proc/<pid>/task/<tid>/stat: R for running or
// runnable, S and D for waiting, and so on.
func parseStatState(data []byte) (byte, error) {
	i := bytes.LastIndexByte(data, ')')
	if i < 0 || i+2 >= len(data) {
		return 0, errors.New("stat: no state")
	}
	return data[i+2], nil
}

// Memory is a process's resident set size (VmRSS) and its peak since it
// started or since the last ResetPeak (VmHWM), in bytes.
type Memory struct {
	RSS  int64
	Peak int64
}

// parseStatusMemory returns VmRSS and VmHWM from the text of
// /proc/<pid>/status.
func parseStatusMemory(data []byte) (Memory, error) {
	var m Memory
	found := 0
	for line := range strings.SplitSeq(string(data), "\n") {
		name, value, ok := strings.Cut(line, ":")
		if !ok || (name != "VmRSS" && name != "VmHWM") {
			continue
		}
		kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(value), " kB"), 10, 64)
		if err != nil {
			return Memory{}, fmt.Errorf("status: bad %s %q", name, value)
		}
		if name == "VmRSS" {
			m.RSS = kb << 10
		} else {
			m.Peak = kb << 10
		}
		found++
	}
	if found != 2 {
		return Memory{}, errors.New("status: no VmRSS and VmHWM")
	}
	return m, nil
}

// CPU returns the user plus system CPU time pid has used so far.
func CPU(pid int) (time.Duration, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	return parseStatCPU(data)
}

// Runnable reports whether any thread of pid is running or waiting
// for a CPU. On a busy machine a working server may get so little CPU that
// its CPU time looks idle; its threads' states do not.
func Runnable(pid int) (bool, error) {
	dir := fmt.Sprintf("/proc/%d/task", pid)
	tasks, err := os.ReadDir(dir)
	if err != nil {
		return false, err
	}
	for _, t := range tasks {
		data, err := os.ReadFile(dir + "/" + t.Name() + "/stat")
		if err != nil {
			continue // the thread ended
		}
		if st, err := parseStatState(data); err == nil && st == 'R' {
			return true, nil
		}
	}
	return false, nil
}

// ReadMemory returns pid's resident set size and peak.
func ReadMemory(pid int) (Memory, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return Memory{}, err
	}
	return parseStatusMemory(data)
}

// ResetPeak makes pid's VmHWM start again from its current RSS, so that
// each phase of a measurement reports its own peak.
func ResetPeak(pid int) error {
	return os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", pid), []byte("5"), 0)
}
