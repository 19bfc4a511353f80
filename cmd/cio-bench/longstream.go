package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/cio-transformer/cio-transformer/internal/procstat"
)

// longStreamResult is what a long-stream run measured.
type longStreamResult struct {
	Machine      machineInfo `json:"machine"`
	Jobs         int64       `json:"jobs"`
	Messages     int64       `json:"messages"`
	Batch        int         `json:"batch"`
	Window       int         `json:"window"`
	Seconds      float64     `json:"seconds"`
	EventsPerSec float64     `json:"events_per_sec"`
	// RSSStartBytes is the server's RSS before the stream, RSSEndBytes
	// after it, RSSPeakBytes the largest of the samples and of the kernel's
	// high-water mark (VmHWM) over the server's whole life.
	RSSStartBytes int64       `json:"rss_start_bytes"`
	RSSPeakBytes  int64       `json:"rss_peak_bytes"`
	RSSEndBytes   int64       `json:"rss_end_bytes"`
	LimitBytes    int64       `json:"limit_bytes"`
	OK            bool        `json:"ok"`
	Samples       []rssSample `json:"samples"`
	// Line is the summary line cio-bench printed.
	Line string `json:"line"`
}

// rssSample is the server's RSS at one second of the run.
type rssSample struct {
	Second   int   `json:"second"`
	Jobs     int64 `json:"jobs"`
	RSSBytes int64 `json:"rss_bytes"`
}

// longStream sends f.jobs jobs through one TransformBatch stream of the
// service, raw JSON, f.batch per request message and f.window in flight,
// and samples the server's RSS every second.
func longStream(ctx context.Context, f *benchFlags, stdout, stderr io.Writer) (*longStreamResult, error) {
	p, err := buildPayloads(f.seed, f.events, f.batch)
	if err != nil {
		return nil, err
	}
	t, err := startTarget(kindTransform, f, 1, stderr)
	if err != nil {
		return nil, err
	}
	defer func() { _ = t.close() }()
	pid := t.pid()
	messages := (f.jobs + f.batch - 1) / f.batch
	res := &longStreamResult{
		Machine:    machine(),
		Jobs:       int64(messages) * int64(f.batch),
		Messages:   int64(messages),
		Batch:      f.batch,
		Window:     f.window,
		LimitBytes: int64(f.maxRSSMB) << 20,
	}
	mem, err := procstat.ReadMemory(pid)
	if err != nil {
		return nil, err
	}
	res.RSSStartBytes = mem.RSS
	fmt.Fprintf(stdout, "longstream: %d jobs in %d request messages of %d over one TransformBatch stream, %d in flight; server RSS every second\n",
		res.Jobs, res.Messages, f.batch, f.window)
	fmt.Fprintf(stdout, "  start rss=%s MB\n", megabytes(res.RSSStartBytes))

	l := newLoad()
	l.startStream(ctx, t.conns[0], p.streamJSON, 0, p.jobsPerMessage, f.window, messages)
	done := l.done()
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	peak := res.RSSStartBytes
	for finished := false; !finished; {
		select {
		case <-done:
			finished = true
		case <-ctx.Done():
			_, _ = l.finish()
			return nil, ctx.Err()
		case <-tick.C:
			mem, err := procstat.ReadMemory(pid)
			if err != nil {
				_, _ = l.finish()
				return nil, err
			}
			rss := mem.RSS
			s := rssSample{Second: len(res.Samples) + 1, Jobs: l.events.Load(), RSSBytes: rss}
			res.Samples = append(res.Samples, s)
			peak = max(peak, rss)
			fmt.Fprintf(stdout, "  t=%3ds jobs=%d rss=%s MB\n", s.Second, s.Jobs, megabytes(rss))
		}
	}
	elapsed := time.Since(l.start)
	if _, err := l.finish(); err != nil {
		return nil, err
	}
	if got := l.events.Load(); got != res.Jobs {
		return nil, fmt.Errorf("%d jobs sent, %d answered", res.Jobs, got)
	}
	mem, err = procstat.ReadMemory(pid)
	if err != nil {
		return nil, err
	}
	res.RSSEndBytes = mem.RSS
	res.RSSPeakBytes = max(peak, mem.Peak, mem.RSS)
	res.Seconds = elapsed.Seconds()
	res.EventsPerSec = float64(res.Jobs) / res.Seconds
	res.OK = res.RSSPeakBytes <= res.LimitBytes
	res.Machine.LoadEnd = loadAverage()
	verdict := "ok"
	if !res.OK {
		verdict = "OVER LIMIT"
	}
	res.Line = fmt.Sprintf("longstream jobs=%d seconds=%.1f events/s=%.0f rss_start_mb=%s rss_peak_mb=%s rss_end_mb=%s limit_mb=%d %s",
		res.Jobs, res.Seconds, res.EventsPerSec, megabytes(res.RSSStartBytes), megabytes(res.RSSPeakBytes), megabytes(res.RSSEndBytes), f.maxRSSMB, verdict)
	fmt.Fprintln(stdout, res.Line)
	if !res.OK {
		return res, errors.New("the server's peak RSS passed the limit")
	}
	return res, nil
}
