package main

import (
	"context"
	"fmt"
	"io"
	"time"

	ciotransformerv1 "github.com/cio-transformer/cio-transformer/gen/ciotransformer/v1"
	"github.com/cio-transformer/cio-transformer/internal/streamtest"
	"google.golang.org/grpc"
)

// harness runs the rows against fresh server processes.
type harness struct {
	env      *env
	abortRSS int64
	out      io.Writer
	// typicalNsPerByte is the server's CPU per input byte on the typical
	// event mix, the yardstick of the scaling rows.
	typicalNsPerByte float64
	typicalEvents    int
}

// attackSpec is how one row runs.
type attackSpec struct {
	server serverOptions
	// health polls grpc.health.v1 during the attack.
	health bool
	// settle is how long the server may go on working after the attack
	// before its figures are read.
	settle time.Duration
}

// attackFunc runs one attack against s and returns the server's answer.
type attackFunc func(ctx context.Context, s *server) (string, error)

// attack starts a fresh server, warms it up, measures it over fn and
// stops it.
func (h *harness) attack(ctx context.Context, spec attackSpec, fn attackFunc) (m measurement, healthMax time.Duration, answer string, err error) {
	s, err := h.env.start(ctx, spec.server)
	if err != nil {
		return m, 0, "", err
	}
	defer s.kill()
	if err := warmUp(ctx, s.addr, spec.server.token); err != nil {
		return m, 0, "", fmt.Errorf("warm-up: %w", err)
	}
	p, err := begin(s, h.abortRSS)
	if err != nil {
		return m, 0, "", err
	}
	var hp *healthPoller
	if spec.health {
		if hp, err = pollHealth(ctx, s.addr); err != nil {
			p.end(0)
			return m, 0, "", fmt.Errorf("health: %w", err)
		}
	}
	answer, err = fn(ctx, s)
	if hp != nil {
		var checks, failed int
		healthMax, checks, failed = hp.stop()
		answer += fmt.Sprintf("; %d health checks, %d failed or not SERVING", checks, failed)
	}
	m = p.end(spec.settle)
	if m.aborted {
		answer = fmt.Sprintf("server killed at the harness's %s RSS limit; %s", megabytes(h.abortRSS), answer)
		err = nil
	}
	return m, healthMax, answer, err
}

// warmUp makes a few ordinary calls, so that a row measures the attack and
// not the server's first-call initialisation.
func warmUp(ctx context.Context, addr, token string) error {
	conn, err := dial(addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(withToken(ctx, token), 30*time.Second)
	defer cancel()
	jobs := typicalJobs(50, 1)
	client := ciotransformerv1.NewTransformerServiceClient(conn)
	if _, err := client.Transform(ctx, &ciotransformerv1.TransformRequest{Destination: destination(), Job: jobs[0]}); err != nil {
		return err
	}
	msg, err := batchMessage(1, jobs)
	if err != nil {
		return err
	}
	_, err = exchange(ctx, conn, msg)
	return err
}

// batchStream opens a TransformBatch stream on conn.
func batchStream(ctx context.Context, conn *grpc.ClientConn) (grpc.BidiStreamingClient[ciotransformerv1.TransformBatchRequest, ciotransformerv1.TransformBatchResponse], error) {
	return ciotransformerv1.NewTransformerServiceClient(conn).TransformBatch(ctx)
}

// exchange sends msgs on a new TransformBatch stream without waiting for
// answers, as a client pipelining its request messages does (one that sent
// everything before reading would wait on the server's flow control as the
// server waits on its own), and reads every response until the stream
// ends. Its error is the first of: a breach of the stream's contract, the
// status the server ended the stream with, a message left unanswered.
func exchange(ctx context.Context, conn *grpc.ClientConn, msgs ...*rawMessage) ([]*ciotransformerv1.TransformBatchResponse, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	st, err := batchStream(ctx, conn)
	if err != nil {
		return nil, err
	}
	var out []*ciotransformerv1.TransformBatchResponse
	p := streamtest.Start(&grpc.GenericClientStream[rawMessage, ciotransformerv1.TransformBatchResponse]{ClientStream: st},
		streamtest.Config[*rawMessage, *ciotransformerv1.TransformBatchResponse]{
			Requests: len(msgs),
			Request:  func(i int) *rawMessage { return msgs[i] },
			Received: func(resp *ciotransformerv1.TransformBatchResponse) { out = append(out, resp) },
		})
	err = p.Wait()
	if end := p.End(); end != nil && p.Violation() == nil {
		// The status as the server sent it, for the report.
		err = end
	}
	return out, err
}
