package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	ciotransformerv1 "github.com/cio-transformer/cio-transformer/gen/ciotransformer/v1"

	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/structpb"
)

// Bounds of rows 4, 5 and 8.
const (
	messageGrowthBound = 64 << 20
	// responseBound is about the most bytes of a response besides its
	// largest result: ~1 MiB, with a tenth for the server's estimate.
	responseBound = 1<<20 + 1<<20/10
)

// hugeMessage is the size of the oversized request messages of rows 4-5:
// just under 16 MiB, the largest message the server accepted by default
// when the attacks were first measured.
const hugeMessage = 16<<20 - 64

// hugeMessageRow sends one huge request message on a TransformBatch stream
// and measures the server until it answers.
func (h *harness) hugeMessageRow(ctx context.Context, id, name string, msg *rawMessage) result {
	r := result{
		id: id, name: name, class: "one oversized request message: memory before the answer",
		target: "< 64MB peak growth", measured: true,
	}
	m, _, answer, err := h.attack(ctx, attackSpec{settle: 2 * time.Second}, func(ctx context.Context, s *server) (string, error) {
		conn, err := dial(s.addr)
		if err != nil {
			return "", err
		}
		defer conn.Close()
		ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
		defer cancel()
		start := time.Now()
		resps, err := exchange(ctx, conn, msg)
		took := time.Since(start).Round(time.Millisecond)
		if err != nil {
			return fmt.Sprintf("%s after %s (message %s)", statusText(err), took, sizeText(len(msg.wire))), nil
		}
		return fmt.Sprintf("OK, %d responses after %s (message %s)", len(resps), took, sizeText(len(msg.wire))), nil
	})
	r.m, r.answer, r.err = m, answer, err
	r.pass = err == nil && !m.atLeast && m.growth < messageGrowthBound
	r.figure = fmt.Sprintf("%s%s peak growth, %.3fs CPU", atLeast(m.aborted), megabytes(m.growth), m.cpu.Seconds())
	return r
}

// unauthenticatedRow sends a huge unary request without the token, first
// its header and 16 KiB, then, if the server has not answered within a
// second, the rest: an answer before the rest proves the body was not
// read.
func (h *harness) unauthenticatedRow(ctx context.Context) result {
	r := result{
		id: "5", name: "16 MiB unary call without the auth token", class: "unauthenticated caller: cost before refusal",
		target: "UNAUTHENTICATED before the body is read, < 64MB peak growth", measured: true,
	}
	msg := grpcFrame(emptyListUnaryMessage(hugeMessage))
	const head = 5 + 16<<10
	early := false
	var st h2Stream
	m, _, answer, err := h.attack(ctx, attackSpec{server: serverOptions{token: testToken}, settle: 2 * time.Second}, func(ctx context.Context, s *server) (string, error) {
		c, err := dialH2(s.addr)
		if err != nil {
			return "", err
		}
		defer c.close()
		id, err := c.openStream(transformPath, "", false, true)
		if err != nil {
			return "", err
		}
		start := time.Now()
		if err := c.sendData(id, msg[:head], false, start.Add(10*time.Second)); err != nil && err != errStreamAnswered {
			return "", err
		}
		st = c.waitAnswer(id, time.Now().Add(time.Second))
		if st.answered() {
			early = true
			return fmt.Sprintf("%s after %s of %s sent", streamText(st), sizeText(head), sizeText(len(msg))), nil
		}
		if err := c.sendData(id, msg[head:], true, time.Now().Add(60*time.Second)); err != nil && err != errStreamAnswered {
			return "", err
		}
		st = c.waitAnswer(id, time.Now().Add(60*time.Second))
		if !st.answered() {
			return "no answer within 60s of the whole body", nil
		}
		return fmt.Sprintf("%s after the whole body (%s), %s after the first byte", streamText(st), sizeText(len(msg)), st.answeredAt.Sub(start).Round(time.Millisecond)), nil
	})
	r.m, r.answer, r.err = m, answer, err
	r.pass = err == nil && early && st.grpcStatus == int(codes.Unauthenticated) && !m.atLeast && m.growth < messageGrowthBound
	read := "after reading the body"
	if early {
		read = "before reading the body"
	}
	r.figure = fmt.Sprintf("%s%s peak growth, %.3fs CPU, answered %s", atLeast(m.aborted), megabytes(m.growth), m.cpu.Seconds(), read)
	return r
}

// transformPath is the HTTP/2 path of the unary Transform method.
const transformPath = "/ciotransformer.v1.TransformerService/Transform"

// streamText describes how the server ended a raw stream.
func streamText(s h2Stream) string {
	switch {
	case s.grpcStatus >= 0 && s.grpcMsg != "":
		return fmt.Sprintf("%s %q", codeName(s.grpcStatus), s.grpcMsg)
	case s.grpcStatus >= 0:
		return codeName(s.grpcStatus)
	case s.reset:
		return "RST_STREAM without a status"
	}
	return "no answer"
}

// metadataRow sends 500 jobs with 30 KB of metadata each and checks the
// size of every response.
func (h *harness) metadataRow(ctx context.Context) result {
	r := result{
		id: "8", name: "500 jobs with 30 KB of metadata each", class: "response size",
		target: "no response over ~1 MiB besides its largest result", measured: true,
	}
	blob := make([]byte, 30_000)
	for i := range blob {
		blob[i] = 'm'
	}
	meta := &structpb.Struct{Fields: map[string]*structpb.Value{"blob": structpb.NewStringValue(string(blob))}}
	jobs := typicalJobs(500, 1)
	for _, j := range jobs {
		j.Metadata = meta
	}
	worst, worstExcess := 0, 0
	pass := false
	m, _, answer, err := h.attack(ctx, attackSpec{settle: 2 * time.Second}, func(ctx context.Context, s *server) (string, error) {
		conn, err := dial(s.addr)
		if err != nil {
			return "", err
		}
		defer conn.Close()
		ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
		defer cancel()
		// Messages of 100 jobs (about 3 MB) fit the server's default
		// 4 MiB message limit, so that the row measures the responses
		// rather than the refusal of one 15 MB message.
		note := fmt.Sprintf("request messages of %d jobs", metadataJobsPerMessage)
		msgs, err := batchMessages(jobs, metadataJobsPerMessage)
		if err != nil {
			return "", err
		}
		resps, err := exchange(ctx, conn, msgs...)
		if err != nil {
			return statusText(err), nil
		}
		answered := 0
		for _, resp := range resps {
			size := proto.Size(resp)
			largest := 0
			for _, res := range resp.GetResults() {
				largest = max(largest, proto.Size(res))
				answered += len(res.GetJobs())
			}
			worst = max(worst, size)
			worstExcess = max(worstExcess, size-largest)
		}
		pass = answered == len(jobs) && worstExcess <= responseBound
		return fmt.Sprintf("%d responses for %d/%d jobs, largest %s, %s besides its largest result (%s)",
			len(resps), answered, len(jobs), sizeText(worst), sizeText(worstExcess), note), nil
	})
	r.m, r.answer, r.err = m, answer, err
	r.pass = err == nil && pass
	r.figure = fmt.Sprintf("largest response %s", sizeText(worst))
	return r
}

// metadataJobsPerMessage is how many of row 8's jobs go in one request
// message.
const metadataJobsPerMessage = 100

// Sizes of row 19.
const (
	headerJobs        = 2000
	headerCredentials = 1_000_000
)

// repeatedHeaderRow sends one TransformBatch message of small jobs for a
// destination with long credentials: every job's request carries the
// destination's Authorization header, so the answer would be thousands of
// times the message (2,000 jobs of a 1.1 MB message, 2.7 GB).
func (h *harness) repeatedHeaderRow(ctx context.Context) result {
	r := result{
		id:       "19",
		name:     fmt.Sprintf("TransformBatch message of %d small jobs for a destination with %s of credentials", headerJobs, megabytes(headerCredentials)),
		class:    "answers that repeat a shared destination for every job",
		target:   "< 100ms server CPU, < 64MB peak growth, refused in band",
		measured: true,
	}
	dest := &ciotransformerv1.Destination{Id: "dest-1", SiteId: "site-1", ApiKey: strings.Repeat("k", headerCredentials)}
	jobs := make([]*ciotransformerv1.Job, headerJobs)
	for i := range jobs {
		jobs[i] = rawJob(uint64(i+1), fmt.Appendf(nil, `{"type":"identify","userId":"u%d"}`, i))
	}
	req := &ciotransformerv1.TransformBatchRequest{RequestId: 1, Destination: dest, Jobs: jobs}
	refused := false
	m, _, answer, err := h.attack(ctx, attackSpec{settle: time.Second}, func(ctx context.Context, s *server) (string, error) {
		conn, err := dial(s.addr)
		if err != nil {
			return "", err
		}
		defer conn.Close()
		ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
		defer cancel()
		stream, err := ciotransformerv1.NewTransformerServiceClient(conn).TransformBatch(ctx)
		if err != nil {
			return "", err
		}
		if err := stream.Send(req); err != nil {
			return "", err
		}
		_ = stream.CloseSend()
		results, bytes := 0, 0
		for {
			resp, err := stream.Recv()
			if err != nil {
				return fmt.Sprintf("%s after %d results, %s", statusText(err), results, sizeText(bytes)), nil
			}
			results += len(resp.GetResults())
			bytes += proto.Size(resp)
			if e := resp.GetError(); e != nil {
				refused = codes.Code(e.GetCode()) == codes.InvalidArgument
				return fmt.Sprintf("refused in band: %s %q (message %s)", codes.Code(e.GetCode()), firstWords(e.GetMessage(), 16), sizeText(proto.Size(req))), nil
			}
			if resp.GetFinal() {
				return fmt.Sprintf("answered: %d results, %s (message %s)", results, sizeText(bytes), sizeText(proto.Size(req))), nil
			}
		}
	})
	costResult(&r, m, answer, err, eventCPUBound, messageGrowthBound)
	r.pass = r.pass && refused
	return r
}

// Sizes and CPU bound of rows 21 and 22: small events that each expand to
// nearly the per-event cap, as many as fit in a request message or body of
// 3.6 MB.
const (
	expandingEvents   = 6000
	expandingKeys     = 30
	expandingCPUBound = 500 * time.Millisecond
)

// expandingEvent is an identify of about 600 bytes whose user properties
// spread key paths of the largest allowed array index: close to a megabyte
// of body, under the per-event cap.
func expandingEvent(user int) []byte {
	keys := make([]string, expandingKeys)
	for k := range keys {
		keys[k] = fmt.Sprintf(`"k%d.6553":1`, k)
	}
	return fmt.Appendf(nil, `{"type":"identify","userId":"u%d","user_properties":{%s}}`, user, strings.Join(keys, ","))
}

// expandingRow sends one request message of events that each expand to
// nearly the per-event cap: 3.6 MB that would be answered with 6 GB. The
// message's events together may produce the cap and a few times their
// size; the rest fail on their own.
func (h *harness) expandingRow(ctx context.Context) result {
	r := result{
		id:       "21",
		name:     fmt.Sprintf("TransformBatch message of %d small events, each expanding to nearly the per-event cap", expandingEvents),
		class:    "requests whose events each expand to the per-event cap",
		target:   "< 500ms server CPU, < 64MB peak growth, every job answered",
		measured: true,
	}
	jobs := make([]*ciotransformerv1.Job, expandingEvents)
	for i := range jobs {
		jobs[i] = rawJob(uint64(i+1), expandingEvent(i))
	}
	msg, err := batchMessage(1, jobs)
	if err != nil {
		r.err = err
		return r
	}
	answered := 0
	m, _, answer, err := h.attack(ctx, attackSpec{settle: time.Second}, func(ctx context.Context, s *server) (string, error) {
		conn, err := dial(s.addr)
		if err != nil {
			return "", err
		}
		defer conn.Close()
		ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
		defer cancel()
		start := time.Now()
		resps, err := exchange(ctx, conn, msg)
		took := time.Since(start).Round(time.Millisecond)
		if err != nil {
			return fmt.Sprintf("%s after %s", statusText(err), took), nil
		}
		ok, failed, bytes := 0, 0, 0
		for _, resp := range resps {
			bytes += proto.Size(resp)
			for _, res := range resp.GetResults() {
				n := max(len(res.GetJobs()), 1)
				if res.GetError() != nil {
					failed += n
				} else {
					ok += n
				}
			}
		}
		answered = ok + failed
		return fmt.Sprintf("%d mapped, %d failed, %s of responses after %s (message %s)", ok, failed, sizeText(bytes), took, sizeText(len(msg.wire))), nil
	})
	costResult(&r, m, answer, err, expandingCPUBound, messageGrowthBound)
	r.pass = r.pass && answered == expandingEvents
	return r
}
