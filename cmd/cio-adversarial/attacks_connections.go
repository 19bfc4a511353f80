package main

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"google.golang.org/grpc"

	"github.com/cio-transformer/cio-transformer/internal/procstat"
)

// Bounds of rows 6, 7 and 9.
const (
	connectionPeakBound = 512 << 20
	healthBound         = time.Second
	rapidResetLogBound  = 100
)

// Sizes of the connection attacks, as first measured.
const (
	heldConns          = 3
	heldStreamsPerConn = 100
	heldMessage        = 2 << 20
	heldSendLimit      = 20 * time.Second
	heldHold           = 3 * time.Second

	stuckConns          = 4
	stuckStreamsPerConn = 100
	stuckMessages       = 3
	stuckJobs           = 2000
	stuckSendLimit      = 20 * time.Second
	stuckHold           = 2 * time.Second

	rapidResetFor    = 8 * time.Second
	rapidResetSettle = 20 * time.Second
)

// connectionResult fills the parts rows 6, 7 and 9 share.
func connectionResult(r *result, m measurement, health time.Duration, answer string, err error) {
	r.m, r.health, r.answer, r.err = m, health, answer, err
	r.measured, r.hasHealth = true, true
	r.pass = err == nil && !m.aborted && m.peak < connectionPeakBound && health < healthBound
	r.figure = fmt.Sprintf("%s%s peak RSS, slowest health check %dms", atLeast(m.aborted), megabytes(m.peak), health.Milliseconds())
}

// heldMessagesRow opens unary calls without the token whose message lacks
// its last byte, and holds them open.
func (h *harness) heldMessagesRow(ctx context.Context) result {
	r := result{
		id: "6", name: fmt.Sprintf("%d connections x %d unary calls without token, each 2 MiB minus its last byte", heldConns, heldStreamsPerConn),
		class:  "slow or incomplete senders: memory held",
		target: "< 512MiB peak RSS, health answering within 1s",
	}
	body := make([]byte, heldMessage-1)
	frame := append(grpcHeader(heldMessage), body...)
	m, health, answer, err := h.attack(ctx, attackSpec{server: serverOptions{token: testToken}, health: true, settle: time.Second}, func(ctx context.Context, s *server) (string, error) {
		var conns []*h2Conn
		defer func() {
			for _, c := range conns {
				c.close()
			}
		}()
		dialFailed := 0
		var wg sync.WaitGroup
		var sendErrs sync.Map
		deadline := time.Now().Add(heldSendLimit)
		for range heldConns {
			c, err := dialH2(s.addr)
			if err != nil {
				dialFailed++
				continue
			}
			conns = append(conns, c)
			for range heldStreamsPerConn {
				id, err := c.openStream(transformPath, "", false, true)
				if err != nil {
					sendErrs.Store(err.Error(), true)
					break
				}
				wg.Go(func() {
					if err := c.sendData(id, frame, false, deadline); err != nil && err != errStreamAnswered {
						sendErrs.Store(firstWords(err.Error(), 6), true)
					}
				})
			}
		}
		wg.Wait()
		time.Sleep(heldHold)
		counts := map[string]int{}
		open := 0
		for _, c := range conns {
			open += c.tally(counts)
		}
		mem, _ := procstat.ReadMemory(s.pid())
		ans := fmt.Sprintf("%d of %d calls still open after %s; ended: %s; rss at the end %s",
			open, heldConns*heldStreamsPerConn, heldHold, countsText(counts), megabytes(mem.RSS))
		if dialFailed > 0 {
			ans += fmt.Sprintf("; %d connections refused", dialFailed)
		}
		if e := syncKeys(&sendErrs); e != "" {
			ans += "; send: " + e
		}
		return ans, nil
	})
	connectionResult(&r, m, health, answer, err)
	return r
}

// stuckStreamsRow opens TransformBatch streams that send request messages
// and never read a response.
func (h *harness) stuckStreamsRow(ctx context.Context) result {
	r := result{
		id: "7", name: fmt.Sprintf("%d connections x %d streams sending %d messages of %d jobs, never reading", stuckConns, stuckStreamsPerConn, stuckMessages, stuckJobs),
		class:  "clients that never read: memory held",
		target: "< 512MiB peak RSS, health answering within 1s",
	}
	msg, err := batchMessage(1, typicalJobs(stuckJobs, 1))
	if err != nil {
		r.err = err
		return r
	}
	m, health, answer, err := h.attack(ctx, attackSpec{health: true, settle: time.Second}, func(ctx context.Context, s *server) (string, error) {
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		var sent, ended atomic.Int64
		var wg sync.WaitGroup
		stop := time.Now().Add(stuckSendLimit)
		sendCtx, sendCancel := context.WithDeadline(ctx, stop)
		defer sendCancel()
		for range stuckConns {
			// Fixed windows: the client's own buffers stay small while it
			// does not read.
			conn, err := dial(s.addr, grpc.WithInitialWindowSize(1<<16), grpc.WithInitialConnWindowSize(1<<16))
			if err != nil {
				return "", err
			}
			defer conn.Close()
			for range stuckStreamsPerConn {
				st, err := batchStream(ctx, conn)
				if err != nil {
					ended.Add(1)
					continue
				}
				wg.Go(func() {
					for range stuckMessages {
						done := make(chan error, 1)
						go func() { done <- st.SendMsg(msg) }()
						select {
						case err := <-done:
							if err != nil {
								ended.Add(1)
								return
							}
							sent.Add(1)
						case <-sendCtx.Done():
							return
						}
					}
				})
			}
		}
		wg.Wait()
		held := time.Now()
		time.Sleep(stuckHold)
		mem, _ := procstat.ReadMemory(s.pid())
		return fmt.Sprintf("%d of %d request messages sent (%s each), %d streams ended by the server, sending stopped after %s; rss at the end %s",
			sent.Load(), stuckConns*stuckStreamsPerConn*stuckMessages, sizeText(len(msg.wire)), ended.Load(),
			held.Sub(stop.Add(-stuckSendLimit)).Round(time.Millisecond), megabytes(mem.RSS)), nil
	})
	connectionResult(&r, m, health, answer, err)
	return r
}

// transformBatchPath is the HTTP/2 path of the TransformBatch method: a
// stream's interceptors run as it opens, before any message.
const transformBatchPath = "/ciotransformer.v1.TransformerService/TransformBatch"

// rapidResetRow opens TransformBatch streams without the token and resets
// each at once,
// as fast as the connection takes them, for rapidResetFor; a connection
// the server closes is replaced.
func (h *harness) rapidResetRow(ctx context.Context) result {
	r := result{
		id: "9", name: "HTTP/2 rapid reset (HEADERS + RST_STREAM) without token, 8s", class: "HTTP/2 rapid reset",
		target: "< 512MiB peak RSS, health answering within 1s, < 100 log lines",
	}
	// The server may take much longer than the attack to work through the
	// streams it was sent; its figures count only once it is done.
	spec := attackSpec{server: serverOptions{token: testToken}, health: true, settle: rapidResetSettle}
	m, health, answer, err := h.attack(ctx, spec, func(ctx context.Context, s *server) (string, error) {
		end := time.Now().Add(rapidResetFor)
		streams, conns, goAways, dialFailed := 0, 0, 0, 0
		for time.Now().Before(end) && ctx.Err() == nil {
			c, err := dialH2(s.addr)
			if err != nil {
				dialFailed++
				time.Sleep(10 * time.Millisecond)
				continue
			}
			conns++
			_ = c.conn.SetWriteDeadline(end)
			for time.Now().Before(end) {
				id, err := c.openStream(transformBatchPath, "", false, false)
				if err == nil {
					err = c.resetStream(id, false)
				}
				if err != nil {
					break
				}
				streams++
				if streams%64 == 0 {
					if c.flush() != nil || c.gotGoAway() {
						break
					}
				}
				if streams%4096 == 0 {
					c.dropStreams()
				}
				// Stream ids run out at 2^31.
				if id > 1<<31-200 {
					break
				}
			}
			_ = c.flush()
			if c.gotGoAway() {
				goAways++
			}
			c.close()
		}
		ans := fmt.Sprintf("%d streams opened and reset over %d connections in %s, GOAWAY on %d", streams, conns, rapidResetFor, goAways)
		if dialFailed > 0 {
			ans += fmt.Sprintf(", %d connections refused", dialFailed)
		}
		return ans, nil
	})
	connectionResult(&r, m, health, answer, err)
	r.pass = r.pass && !m.busy && m.logs < rapidResetLogBound
	r.figure += fmt.Sprintf(", %d log lines", m.logs)
	return r
}

// countsText lists counts by name, sorted.
func countsText(counts map[string]int) string {
	if len(counts) == 0 {
		return "none"
	}
	var parts []string
	for k, n := range counts {
		parts = append(parts, fmt.Sprintf("%s x%d", k, n))
	}
	sort.Strings(parts)
	return strings.Join(parts, ", ")
}

// syncKeys lists the keys of m, sorted.
func syncKeys(m *sync.Map) string {
	var keys []string
	m.Range(func(k, _ any) bool {
		keys = append(keys, k.(string))
		return true
	})
	sort.Strings(keys)
	return strings.Join(keys, "; ")
}

// firstWords keeps the first n words of s.
func firstWords(s string, n int) string {
	f := strings.Fields(s)
	if len(f) > n {
		f = f[:n]
	}
	return strings.Join(f, " ")
}
