package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"
	"time"

	ciotransformerv1 "github.com/cio-transformer/cio-transformer/gen/ciotransformer/v1"
)

// Settings of row 10.
const (
	shutdownGrace = 2 * time.Second
	// shutdownSlack is how much past the grace the process may take to
	// exit.
	shutdownSlack = 500 * time.Millisecond
	shutdownWait  = 15 * time.Second
)

// shutdownRow sends SIGTERM while a /metrics scrape hangs half-sent and
// times the exit.
func (h *harness) shutdownRow(ctx context.Context) result {
	r := result{
		id: "10", name: "SIGTERM while a /metrics scrape hangs, --shutdown-grace 2s", class: "shutdown bound",
		target: fmt.Sprintf("exit within grace + %s (%s)", shutdownSlack, shutdownGrace+shutdownSlack), measured: true,
	}
	s, err := h.env.start(ctx, serverOptions{shutdownGrace: shutdownGrace})
	if err != nil {
		r.err = err
		return r
	}
	defer s.kill()
	if err := warmUp(ctx, s.addr, ""); err != nil {
		r.err = fmt.Errorf("warm-up: %w", err)
		return r
	}
	p, err := begin(s, h.abortRSS)
	if err != nil {
		r.err = err
		return r
	}
	scrape, err := net.DialTimeout("tcp", s.metricsAddr, 5*time.Second)
	if err != nil {
		p.end(0)
		r.err = err
		return r
	}
	defer scrape.Close()
	// A request line and one header, never the blank line that ends them.
	if _, err := io.WriteString(scrape, "GET /metrics HTTP/1.1\r\nHost: "+s.metricsAddr+"\r\n"); err != nil {
		p.end(0)
		r.err = err
		return r
	}
	time.Sleep(200 * time.Millisecond)
	start := time.Now()
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		p.end(0)
		r.err = err
		return r
	}
	var took time.Duration
	exited := true
	select {
	case <-s.done:
		took = time.Since(start)
	case <-time.After(shutdownWait):
		took = time.Since(start)
		exited = false
	}
	m := p.end(0)
	r.m = m
	code := -1
	if s.cmd.ProcessState != nil {
		code = s.cmd.ProcessState.ExitCode()
	}
	if exited {
		r.answer = fmt.Sprintf("exit code %d after %s", code, took.Round(10*time.Millisecond))
	} else {
		r.answer = fmt.Sprintf("still running %s after SIGTERM; killed", shutdownWait)
	}
	r.pass = exited && took <= shutdownGrace+shutdownSlack
	r.figure = fmt.Sprintf("%sexit after %.2fs", atLeast(!exited), took.Seconds())
	return r
}

// Settings of rows 11 and 12.
const (
	streamJobs = 50
	// panicJobID is the job the fault-injection build panics on.
	panicJobID = 7777
)

// faultStreamRow pipelines three request messages on one TransformBatch
// stream, the middle one faulty (built by bad), reads every answer, then
// sends a fourth message to show the stream is alive and closes it.
// Every job but those of skip must be answered exactly once.
func (h *harness) faultStreamRow(ctx context.Context, r result, o serverOptions, bad []*ciotransformerv1.Job, skip []jobKey) result {
	r.measured = true
	var verdict tally
	alive := false
	m, _, answer, err := h.attack(ctx, attackSpec{server: o, settle: time.Second}, func(ctx context.Context, s *server) (string, error) {
		conn, err := dial(s.addr)
		if err != nil {
			return "", err
		}
		defer conn.Close()
		ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		st, err := batchStream(ctx, conn)
		if err != nil {
			return "", err
		}
		l := newLedger()
		messages := [][]*ciotransformerv1.Job{typicalJobs(streamJobs, 1), bad, typicalJobs(streamJobs, 1)}
		for i, jobs := range messages {
			msg, err := batchMessage(uint64(i+1), jobs)
			if err != nil {
				return "", err
			}
			l.expect(uint64(i+1), jobs)
			if err := st.SendMsg(msg); err != nil {
				break
			}
		}
		// Responses up to the final ones of messages 1 and 3, or the end of
		// the stream.
		var streamErr error
		for !l.finals[1] || !l.finals[3] {
			resp, err := st.Recv()
			if err != nil {
				streamErr = err
				break
			}
			l.record(resp)
		}
		ended := "alive"
		if streamErr == nil {
			fourth := typicalJobs(10, 1)
			l.expect(4, fourth)
			msg, err := batchMessage(4, fourth)
			if err != nil {
				return "", err
			}
			if err := st.SendMsg(msg); err == nil {
				_ = st.CloseSend()
			}
			for {
				resp, err := st.Recv()
				if err != nil {
					if !errors.Is(err, io.EOF) {
						streamErr = err
					}
					break
				}
				l.record(resp)
			}
			alive = streamErr == nil && l.finals[4]
		}
		if streamErr != nil {
			ended = "stream ended " + statusText(streamErr)
		}
		verdict = l.verdict(skip...)
		ans := fmt.Sprintf("%s; %s", verdict, ended)
		if e := l.inBand[2]; e != "" {
			ans += fmt.Sprintf("; message 2 answered in band: %s", e)
		}
		if len(skip) > 0 {
			ans += "; " + l.describeErrors(skip...)
		}
		return ans, nil
	})
	r.m, r.answer, r.err = m, answer, err
	r.pass = err == nil && verdict.ok() && alive
	r.figure = fmt.Sprintf("%s, stream alive: %t", verdict, alive)
	return r
}

// panicRow is row 11: a panic while mapping one job.
func (h *harness) panicRow(ctx context.Context) result {
	r := result{
		id: "11", name: "a panic while mapping one job (fault-injection build)", class: "faults stay local",
		target: "every other job answered exactly once, the stream alive",
	}
	if h.env.faultBin == "" {
		r.err = errors.New("no fault-injection build")
		return r
	}
	bad := typicalJobs(streamJobs, 1)
	bad[len(bad)/2].JobId = panicJobID
	return h.faultStreamRow(ctx, r, serverOptions{panicJobID: panicJobID}, bad, []jobKey{{2, panicJobID}})
}

// badMessageRow is row 12: a request message with duplicate job ids
// pipelined between good ones.
func (h *harness) badMessageRow(ctx context.Context) result {
	r := result{
		id: "12", name: "a request message with duplicate job ids between good ones", class: "faults stay local",
		target: "every other job answered exactly once, the stream alive",
	}
	bad := typicalJobs(2, 1)
	bad[1].JobId = bad[0].JobId
	r = h.faultStreamRow(ctx, r, serverOptions{}, bad, []jobKey{{2, bad[0].JobId}})
	return r
}
