package main

import (
	"encoding/json"
	"sync"
	"syscall"
	"time"

	"github.com/cio-transformer/cio-transformer/internal/procstat"
)

// probe measures the server process over one row: CPU time, peak RSS over
// the idle baseline, and log lines. A watchdog kills the server when its
// RSS passes the abort limit, so that an attack that would exhaust the
// machine's memory stops at a known figure.
type probe struct {
	s        *server
	cpu0     time.Duration
	base     procstat.Memory
	logs0    int
	abortRSS int64

	stopWatch chan struct{}
	watchDone chan struct{}
	mu        sync.Mutex
	sampled   int64
	aborted   bool
}

// measurement is what a probe found.
type measurement struct {
	cpu time.Duration
	// peak is VmHWM over the row; growth is peak minus the idle RSS at its
	// start.
	peak, growth int64
	// atLeast marks figures cut short: the server was killed at the RSS
	// limit or the row's time ran out while it still worked.
	atLeast bool
	// busy is set when the server was still using CPU when the row ended.
	busy    bool
	aborted bool
	logs    int
	// lastLog is the message of the server's last log line in the row.
	lastLog string
}

// watchPeriod is how often the watchdog samples RSS.
const watchPeriod = 20 * time.Millisecond

// begin waits for the server to be idle, resets its peak RSS and starts
// measuring.
func begin(s *server, abortRSS int64) (*probe, error) {
	settle(s, 3*time.Second)
	if err := procstat.ResetPeak(s.pid()); err != nil {
		return nil, err
	}
	base, err := procstat.ReadMemory(s.pid())
	if err != nil {
		return nil, err
	}
	cpu, err := procstat.CPU(s.pid())
	if err != nil {
		return nil, err
	}
	p := &probe{
		s: s, cpu0: cpu, base: base, logs0: s.logs.count(), abortRSS: abortRSS,
		stopWatch: make(chan struct{}), watchDone: make(chan struct{}), sampled: base.RSS,
	}
	go p.watch()
	return p, nil
}

func (p *probe) watch() {
	defer close(p.watchDone)
	t := time.NewTicker(watchPeriod)
	defer t.Stop()
	for {
		select {
		case <-p.stopWatch:
			return
		case <-p.s.done:
			return
		case <-t.C:
		}
		m, err := procstat.ReadMemory(p.s.pid())
		if err != nil {
			continue
		}
		p.mu.Lock()
		p.sampled = max(p.sampled, m.RSS, m.Peak)
		over := p.abortRSS > 0 && m.RSS > p.abortRSS
		if over {
			p.aborted = true
		}
		p.mu.Unlock()
		if over {
			_ = p.s.cmd.Process.Kill()
			return
		}
	}
}

// end waits up to settleMax for the server's CPU to go quiet, reads the
// figures, then kills the server so that its log is complete.
func (p *probe) end(settleMax time.Duration) measurement {
	var m measurement
	if !p.s.exited() {
		m.busy = !settle(p.s, settleMax)
	}
	close(p.stopWatch)
	<-p.watchDone
	cpu, cpuErr := procstat.CPU(p.s.pid())
	mem, memErr := procstat.ReadMemory(p.s.pid())
	p.s.kill()
	if cpuErr != nil {
		cpu = exitedCPU(p.s)
	}
	p.mu.Lock()
	m.aborted = p.aborted
	peak := p.sampled
	p.mu.Unlock()
	if memErr == nil {
		peak = max(peak, mem.Peak)
	}
	m.cpu = cpu - p.cpu0
	m.peak = peak
	m.growth = peak - p.base.RSS
	m.atLeast = m.aborted || m.busy
	m.logs = p.s.logs.count() - p.logs0
	if m.logs > 0 {
		m.lastLog = logMessage(p.s.logs.last())
	}
	return m
}

// exitedCPU is the CPU time of an ended server, from its rusage.
func exitedCPU(s *server) time.Duration {
	<-s.done
	if s.cmd.ProcessState == nil {
		return 0
	}
	ru, ok := s.cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// quietTicks is how little CPU (in /proc ticks) a server may use over
// quietSpan to count as idle: the Go runtime's background work costs a
// tick now and then.
const (
	quietTicks = 1
	quietSpan  = 300 * time.Millisecond
)

// settle waits until the server has used at most quietTicks of CPU per
// poll, with no thread running or runnable at any poll, over quietSpan, or
// limit passes; it reports whether the server went quiet.
func settle(s *server, limit time.Duration) bool {
	deadline := time.Now().Add(limit)
	last, err := procstat.CPU(s.pid())
	if err != nil {
		return true
	}
	quietSince := time.Now()
	for time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
		cpu, err := procstat.CPU(s.pid())
		if err != nil {
			return true
		}
		runnable, _ := procstat.Runnable(s.pid())
		if runnable || cpu-last > quietTicks*procstat.Tick {
			quietSince = time.Now()
		}
		last = cpu
		if time.Since(quietSince) >= quietSpan {
			return true
		}
	}
	return false
}

// logMessage is the msg and, if any, the grpc.code of a JSON log line,
// never its other fields.
func logMessage(line string) string {
	var l struct {
		Msg  string `json:"msg"`
		Code string `json:"grpc.code"`
	}
	if err := json.Unmarshal([]byte(line), &l); err != nil {
		return "(not JSON)"
	}
	if l.Code != "" {
		return l.Msg + " " + l.Code
	}
	return l.Msg
}
