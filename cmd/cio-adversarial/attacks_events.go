package main

import (
	"context"
	"fmt"
	"time"

	ciotransformerv1 "github.com/cio-transformer/cio-transformer/gen/ciotransformer/v1"
	"google.golang.org/grpc/status"
)

// Bounds of rows 1-3, from the targets.
const (
	eventCPUBound    = 100 * time.Millisecond
	eventGrowthBound = 30 << 20
	// scalingBound is how many times the typical event's CPU per input
	// byte a large event may cost.
	scalingBound = 3.0
)

// eventDeadline is the client deadline of one hostile event, as a router
// would set it; the server may work on after it.
const eventDeadline = 5 * time.Second

// eventRow sends one hostile event as a Transform call and measures it.
func (h *harness) eventRow(ctx context.Context, id string, sh shape, size int) result {
	job := sh.job(1, size)
	r := result{
		id: id, name: sh.name, class: "one hostile event: CPU and memory",
		target:   "< 100ms server CPU, < 30MB peak growth",
		measured: true,
	}
	m, _, answer, err := h.attack(ctx, attackSpec{settle: 2 * time.Second}, func(ctx context.Context, s *server) (string, error) {
		conn, err := dial(s.addr)
		if err != nil {
			return "", err
		}
		defer conn.Close()
		ctx, cancel := context.WithTimeout(ctx, eventDeadline)
		defer cancel()
		start := time.Now()
		resp, err := ciotransformerv1.NewTransformerServiceClient(conn).Transform(ctx, &ciotransformerv1.TransformRequest{Destination: destination(), Job: job})
		took := time.Since(start).Round(time.Millisecond)
		if err != nil {
			return fmt.Sprintf("%s after %s (event %s)", statusText(err), took, sizeText(jobSize(job))), nil
		}
		return fmt.Sprintf("%s after %s (event %s)", describeResult(resp.GetResult()), took, sizeText(jobSize(job))), nil
	})
	costResult(&r, m, answer, err, eventCPUBound, eventGrowthBound)
	if m.busy {
		r.answer += "; the server still worked when the row ended"
	}
	return r
}

// statusText is a call error's code and message.
func statusText(err error) string {
	st := status.Convert(err)
	return fmt.Sprintf("%s %q", st.Code(), st.Message())
}

// describeResult says what a job's result is: the request's method,
// endpoint and body size, or the error.
func describeResult(r *ciotransformerv1.JobResult) string {
	if e := r.GetError(); e != nil {
		return fmt.Sprintf("job error %d %q", e.GetStatusCode(), e.GetMessage())
	}
	req := r.GetRequest()
	return fmt.Sprintf("request %s %s body=%s", req.GetMethod(), req.GetEndpointPath(), sizeText(len(req.GetBody())))
}

// jobSize is a job's encoded size.
func jobSize(j *ciotransformerv1.Job) int {
	if raw := j.GetRawEvent(); raw != nil {
		return len(raw)
	}
	return protoSize(j)
}

// sizeText formats n bytes in B, KB or MB (powers of ten).
func sizeText(n int) string {
	switch {
	case n >= 1_000_000:
		return fmt.Sprintf("%.1fMB", float64(n)/1e6)
	case n >= 1000:
		return fmt.Sprintf("%.1fKB", float64(n)/1e3)
	}
	return fmt.Sprintf("%dB", n)
}

// typicalBaseline measures the server's CPU per input byte over the typical
// event mix, sent in request messages of 1,000 jobs.
func (h *harness) typicalBaseline(ctx context.Context) (result, error) {
	r := result{id: "0", name: "typical event mix", class: "yardstick", target: "none: the yardstick of the scaling rows", pass: true}
	const perMessage = 1000
	jobs := typicalJobs(h.typicalEvents, 1)
	msgs, err := batchMessages(jobs, perMessage)
	if err != nil {
		return r, err
	}
	var bytes int
	m, _, _, err := h.attack(ctx, attackSpec{settle: 2 * time.Second}, func(ctx context.Context, s *server) (string, error) {
		conn, err := dial(s.addr)
		if err != nil {
			return "", err
		}
		defer conn.Close()
		for _, msg := range msgs {
			cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
			_, err := exchange(cctx, conn, msg)
			cancel()
			if err != nil {
				return "", err
			}
			bytes += len(msg.wire)
		}
		return "", nil
	})
	if err != nil {
		return r, err
	}
	if bytes == 0 || m.cpu <= 0 {
		return r, fmt.Errorf("typical mix: no CPU measured over %d bytes", bytes)
	}
	h.typicalNsPerByte = float64(m.cpu.Nanoseconds()) / float64(bytes)
	r.m, r.measured = m, true
	r.answer = fmt.Sprintf("%d events, %s in %d request messages: %.1f ns of CPU per input byte, %.1f µs per event",
		len(jobs), sizeText(bytes), len(msgs), h.typicalNsPerByte, float64(m.cpu.Microseconds())/float64(len(jobs)))
	r.figure = fmt.Sprintf("%.1f ns/B", h.typicalNsPerByte)
	return r, nil
}

// costResult records on r a row's figures bounded by the server's CPU and
// peak memory growth, and whether they stay within cpuBound and
// growthBound; a row with more to check adds it to r.pass.
func costResult(r *result, m measurement, answer string, err error, cpuBound time.Duration, growthBound int64) {
	r.m, r.answer, r.err = m, answer, err
	r.pass = err == nil && !m.atLeast && m.cpu < cpuBound && m.growth < growthBound
	r.figure = fmt.Sprintf("%s%.3fs CPU, %s%s peak growth", atLeast(m.atLeast), m.cpu.Seconds(), atLeast(m.aborted), megabytes(m.growth))
}
