package main

import (
	"context"
	"sync"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

// healthPeriod is how often the poller asks, and healthTimeout how long
// one check may take before it counts as unanswered.
const (
	healthPeriod  = 100 * time.Millisecond
	healthTimeout = 5 * time.Second
)

// healthPoller calls grpc.health.v1 Check on its own connection, opened
// before the attack, every healthPeriod and keeps the slowest answer.
type healthPoller struct {
	conn   *grpc.ClientConn
	cancel context.CancelFunc
	done   chan struct{}

	mu     sync.Mutex
	worst  time.Duration
	checks int
	failed int
	// since is when the check in flight started; zero between checks.
	since time.Time
}

// pollHealth connects to addr, checks once so that the connection exists
// before any attack, and polls until stop.
func pollHealth(ctx context.Context, addr string) (*healthPoller, error) {
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return nil, err
	}
	client := healthpb.NewHealthClient(conn)
	first, cancelFirst := context.WithTimeout(ctx, healthTimeout)
	_, err = client.Check(first, &healthpb.HealthCheckRequest{})
	cancelFirst()
	if err != nil {
		conn.Close()
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	h := &healthPoller{conn: conn, cancel: cancel, done: make(chan struct{})}
	go h.run(ctx, client)
	return h, nil
}

func (h *healthPoller) run(ctx context.Context, client healthpb.HealthClient) {
	defer close(h.done)
	t := time.NewTicker(healthPeriod)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		callCtx, cancel := context.WithTimeout(ctx, healthTimeout)
		start := time.Now()
		h.mu.Lock()
		h.since = start
		h.mu.Unlock()
		resp, err := client.Check(callCtx, &healthpb.HealthCheckRequest{})
		took := time.Since(start)
		cancel()
		if ctx.Err() != nil {
			return
		}
		h.mu.Lock()
		h.since = time.Time{}
		h.checks++
		if err != nil || resp.GetStatus() != healthpb.HealthCheckResponse_SERVING {
			h.failed++
		}
		h.worst = max(h.worst, took)
		h.mu.Unlock()
	}
}

// stop ends the polling and returns the slowest check, the number of
// checks and how many failed.
func (h *healthPoller) stop() (worst time.Duration, checks, failed int) {
	// A check still waiting when the attack ends counts with the time it
	// has waited so far.
	h.mu.Lock()
	if !h.since.IsZero() {
		h.worst = max(h.worst, time.Since(h.since))
	}
	h.mu.Unlock()
	h.cancel()
	<-h.done
	h.conn.Close()
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.worst, h.checks, h.failed
}
