package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	ciotransformerv1 "github.com/cio-transformer/cio-transformer/gen/ciotransformer/v1"
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
	_, err = roundTrip(ctx, conn, msg)
	return err
}

// batchStream opens a TransformBatch stream on conn.
func batchStream(ctx context.Context, conn *grpc.ClientConn) (grpc.BidiStreamingClient[ciotransformerv1.TransformBatchRequest, ciotransformerv1.TransformBatchResponse], error) {
	return ciotransformerv1.NewTransformerServiceClient(conn).TransformBatch(ctx)
}

// roundTrip sends one request message on a new stream and reads its
// responses up to the final one.
func roundTrip(ctx context.Context, conn *grpc.ClientConn, msg rawMessage) ([]*ciotransformerv1.TransformBatchResponse, error) {
	st, err := batchStream(ctx, conn)
	if err != nil {
		return nil, err
	}
	if err := st.SendMsg(msg); err != nil {
		return nil, err
	}
	if err := st.CloseSend(); err != nil {
		return nil, err
	}
	var out []*ciotransformerv1.TransformBatchResponse
	for {
		resp, err := st.Recv()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, resp)
	}
}
