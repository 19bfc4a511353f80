package main

import (
	"context"
	"fmt"
	"time"

	ciotransformerv1 "github.com/cio-transformer/cio-transformer/gen/ciotransformer/v1"
	"github.com/cio-transformer/cio-transformer/internal/procstat"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/proto"
)

// scalingSizes are the event sizes of the scaling rows.
var scalingSizes = []int{1_000, 10_000, 100_000, 1_000_000}

// Bounds of one size of a scaling row: enough input for a CPU figure well
// above /proc's 10 ms tick (half a second of CPU at the bound: a tick is
// 2% of it), but no more than a few seconds per size.
const (
	scalingBytes      = 32_000_000
	scalingWall       = 5 * time.Second
	scalingCallLimit  = 3 * time.Second
	scalingMessageMax = 3_000_000
)

// scalingRows sends events of sh at each scaling size, many copies each, to
// a fresh server, and compares the CPU per input byte with the typical
// event's. A size whose call overruns ends the run: the server is still
// busy with it, and larger sizes would take longer still.
func (h *harness) scalingRows(ctx context.Context, row string, sh shape) []result {
	results := make([]result, len(scalingSizes))
	for i, size := range scalingSizes {
		results[i] = result{
			id: fmt.Sprintf("%s@%s", row, sizeText(size)), name: sh.name + " at " + sizeText(size),
			class:  "CPU linear in the event's size",
			target: fmt.Sprintf("CPU per input byte <= %.0fx the typical event's", scalingBound),
		}
	}
	fail := func(from int, err error) []result {
		for i := from; i < len(results); i++ {
			results[i].err = err
		}
		return results
	}
	if h.typicalNsPerByte <= 0 {
		return fail(0, fmt.Errorf("no typical figure to compare with"))
	}
	s, err := h.env.start(ctx, serverOptions{})
	if err != nil {
		return fail(0, err)
	}
	defer s.kill()
	if err := warmUp(ctx, s.addr, ""); err != nil {
		return fail(0, err)
	}
	conn, err := dial(s.addr)
	if err != nil {
		return fail(0, err)
	}
	defer conn.Close()
	for i, size := range scalingSizes {
		r := &results[i]
		job := sh.job(1, size)
		settle(s, 2*time.Second)
		cpu0, err := procstat.CPU(s.pid())
		if err != nil {
			return fail(i, err)
		}
		bytes, events, overran, err := h.sendCopies(ctx, conn, job, size)
		if err != nil && !overran {
			return fail(i, err)
		}
		if !overran {
			settle(s, time.Second)
		}
		cpu1, err := procstat.CPU(s.pid())
		if err != nil {
			return fail(i, err)
		}
		cpu := cpu1 - cpu0
		ns := float64(cpu.Nanoseconds()) / float64(max(bytes, 1))
		ratio := ns / h.typicalNsPerByte
		r.answer = fmt.Sprintf("cpu=%s%.3fs over %s in %d events of %s: %s%.1f ns/B, %s%.2fx typical",
			atLeast(overran), cpu.Seconds(), sizeText(bytes), events, sizeText(jobSize(job)), atLeast(overran), ns, atLeast(overran), ratio)
		r.figure = fmt.Sprintf("%s%.2fx the typical CPU per byte", atLeast(overran), ratio)
		r.pass = !overran && ratio <= scalingBound
		if overran {
			r.answer += fmt.Sprintf("; a call overran %s", scalingCallLimit)
			for j := i + 1; j < len(results); j++ {
				results[j].answer = "not run: a smaller event overran its call"
				results[j].figure = "not run"
			}
			return results
		}
	}
	return results
}

// sendCopies sends copies of job in request messages of growing size
// until scalingBytes of input or scalingWall pass, one message at a time.
// It returns the bytes and events sent (an overrunning message counted),
// and whether a call overran scalingCallLimit.
func (h *harness) sendCopies(ctx context.Context, conn *grpc.ClientConn, job *ciotransformerv1.Job, size int) (bytes, events int, overran bool, err error) {
	perMessageMax := max(1, min(1000, scalingMessageMax/max(size, 1)))
	k := 1
	start := time.Now()
	for bytes < scalingBytes && time.Since(start) < scalingWall {
		jobs := make([]*ciotransformerv1.Job, k)
		for i := range jobs {
			jobs[i] = &ciotransformerv1.Job{JobId: uint64(i + 1), Payload: job.GetPayload()}
		}
		msg, err := batchMessage(uint64(events+1), jobs)
		if err != nil {
			return bytes, events, false, err
		}
		cctx, cancel := context.WithTimeout(ctx, scalingCallLimit)
		callStart := time.Now()
		_, err = exchange(cctx, conn, msg)
		took := time.Since(callStart)
		cancel()
		bytes += len(msg.wire)
		events += k
		if err != nil {
			return bytes, events, took >= scalingCallLimit || cctx.Err() != nil, err
		}
		if took < 250*time.Millisecond {
			k = min(2*k, perMessageMax)
		}
	}
	return bytes, events, false, nil
}

// protoSize is a message's encoded size.
func protoSize(m proto.Message) int { return proto.Size(m) }
