package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/cio-transformer/cio-transformer/internal/eventmix"
	"github.com/cio-transformer/cio-transformer/internal/procstat"
)

// Sizes of row 13.
const (
	httpSenders  = 40
	httpStoppers = 40
	httpBody     = 3_900_000
	httpStopAt   = 1 << 20
	// httpAnswerLimit bounds the wait for every answer: a stopped body is
	// answered after --recv-timeout (10s by default).
	httpAnswerLimit = 40 * time.Second
)

// routerBody returns a router request body of about size bytes: jobs of
// the typical event mix for one Customer.io destination.
func routerBody(size int) ([]byte, error) {
	events := eventmix.Generate(1, 1000)
	return routerBodyOf(size, func(i int) []byte { return events[i%len(events)].JSON })
}

// deviceProperties is the length of the properties string of the device
// events of expandingBody.
const deviceProperties = 200

// expandingBody returns a router request body of about size bytes whose
// answer is several times longer: every other job is a device event whose
// properties are a string of deviceProperties characters, which the
// device's attributes take one key per character.
func expandingBody(size int) ([]byte, error) {
	events := eventmix.Generate(1, 1000)
	device := []byte(`{"type":"track","event":"Application Installed","userId":"user-1","messageId":"m-1",` +
		`"originalTimestamp":"2025-01-01T00:00:00.000Z","context":{"device":{"token":"token-1","type":"ios"}},"properties":"` +
		strings.Repeat("p", deviceProperties) + `"}`)
	return routerBodyOf(size, func(i int) []byte {
		if i%2 == 1 {
			return device
		}
		return events[i%len(events)].JSON
	})
}

// routerBodyOf returns a router request body of about size bytes whose
// i-th job's message is event(i), for one Customer.io destination.
func routerBodyOf(size int, event func(i int) []byte) ([]byte, error) {
	dest := json.RawMessage(`{"ID":"dest-1","Config":{"siteID":"site-1","apiKey":"api-key-1"}}`)
	var b bytes.Buffer
	b.WriteString(`{"destType":"customerio","input":[`)
	for i := 0; b.Len() < size-2048; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		job, err := json.Marshal(map[string]any{
			"message":     json.RawMessage(event(i)),
			"metadata":    map[string]any{"jobId": i + 1, "userId": "u", "sourceId": "s1", "destinationId": "dest-1", "workspaceId": "w1"},
			"destination": dest,
		})
		if err != nil {
			return nil, err
		}
		b.Write(job)
	}
	b.WriteString(`]}`)
	return b.Bytes(), nil
}

// httpBodiesRow posts large router bodies to the HTTP face at once, half of
// them whole and half stopping after their first megabyte: the bodies the
// server holds are bounded by the in-flight budget (503 past it) and the
// body timeout (408), whatever the clients send.
func (h *harness) httpBodiesRow(ctx context.Context) result {
	r := result{
		id:     "13",
		name:   fmt.Sprintf("HTTP: %d clients posting %s router bodies at once, %d more stopping after %s of theirs", httpSenders, megabytes(httpBody), httpStoppers, megabytes(httpStopAt)),
		class:  "HTTP clients holding bodies: memory held",
		target: "< 512MiB peak RSS, every request answered (200, 503 or 408), health answering within 1s",
	}
	body, err := routerBody(httpBody)
	if err != nil {
		r.err = err
		return r
	}
	answers := newAnswerTally("200", "503", "408")
	m, health, answer, err := h.attack(ctx, attackSpec{server: serverOptions{http: true}, health: true, settle: time.Second}, func(ctx context.Context, s *server) (string, error) {
		ctx, cancel := context.WithTimeout(ctx, httpAnswerLimit)
		defer cancel()
		var wg sync.WaitGroup
		for range httpSenders {
			wg.Go(func() { answers.note(postWhole(ctx, s.httpAddr, body)) })
		}
		for range httpStoppers {
			wg.Go(func() { answers.note(postStopping(ctx, s.httpAddr, body[:httpStopAt], len(body))) })
		}
		wg.Wait()
		mem, _ := procstat.ReadMemory(s.pid())
		return fmt.Sprintf("%s; rss at the end %s", answers, megabytes(mem.RSS)), nil
	})
	connectionResult(&r, m, health, answer, err)
	r.pass = r.pass && answers.all()
	return r
}

// answerTally counts the answers of a row's requests by what answered
// them (see httpStatusText), for any number of goroutines at once, and
// notes those the row does not accept.
type answerTally struct {
	accept []string
	mu     sync.Mutex
	counts map[string]int
	// others counts the requests answered otherwise than the row accepts,
	// or not at all.
	others int
}

// newAnswerTally returns a tally of a row that accepts the answers accept.
func newAnswerTally(accept ...string) *answerTally {
	return &answerTally{accept: accept, counts: map[string]int{}}
}

// note counts one request answered k.
func (a *answerTally) note(k string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.counts[k]++
	if !slices.Contains(a.accept, k) {
		a.others++
	}
}

// all reports whether every request was answered as the row accepts.
func (a *answerTally) all() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.others == 0
}

// String lists the answers for the row's report.
func (a *answerTally) String() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return "answers: " + countsText(a.counts)
}

// postWhole posts body to the router transform on a connection of its
// own and returns what answered it: its status, or the error.
func postWhole(ctx context.Context, addr string, body []byte) string {
	return postTo(ctx, addr, "/routerTransform", body)
}

// postTo posts body to path on a connection of its own and returns what
// answered it: its status, or the error.
func postTo(ctx context.Context, addr, path string, body []byte) string {
	return postWith(ctx, addr, path, body, nil)
}

// postWith is postTo with headers besides the content type.
func postWith(ctx context.Context, addr, path string, body []byte, header http.Header) string {
	tr := &http.Transport{DisableKeepAlives: true}
	defer tr.CloseIdleConnections()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+addr+path, bytes.NewReader(body))
	if err != nil {
		return "error " + err.Error()
	}
	for k, v := range header {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		return "error " + firstWords(err.Error(), 6)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return httpStatusText(resp.StatusCode)
}

// postStopping sends the headers of a body of length bytes and its first
// part, then nothing, and returns what answered it.
func postStopping(ctx context.Context, addr string, part []byte, length int) string {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return "error " + firstWords(err.Error(), 6)
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	head := "POST /routerTransform HTTP/1.1\r\nHost: cio\r\nContent-Type: application/json\r\nContent-Length: " + strconv.Itoa(length) + "\r\n\r\n"
	if _, err := conn.Write(append([]byte(head), part...)); err != nil {
		// The server may answer and close before taking all of it.
		if resp, rerr := http.ReadResponse(bufio.NewReader(conn), nil); rerr == nil {
			resp.Body.Close()
			return httpStatusText(resp.StatusCode)
		}
		return "error " + firstWords(err.Error(), 6)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		return "error " + firstWords(err.Error(), 6)
	}
	resp.Body.Close()
	return httpStatusText(resp.StatusCode)
}

// httpStatusText names an HTTP status the rows accept (200, 503, 408, 413) as
// its number, and any other as "status N", which the row counts as
// unanswered.
func httpStatusText(code int) string {
	switch code {
	case http.StatusOK, http.StatusServiceUnavailable, http.StatusRequestTimeout, http.StatusRequestEntityTooLarge:
		return strconv.Itoa(code)
	}
	return "status " + strconv.Itoa(code)
}

// Sizes of row 14.
const (
	httpBusyClients = 40
	httpBusyBody    = 256 << 10
	httpBusyFor     = 10 * time.Second
)

// httpBusyRow has many clients post router bodies of the typical mix to
// the HTTP face over and over, each a new request as soon as the last is
// answered: the decoding and mapping of all of them at once must not
// starve the health checks of CPU (the mapping slots the HTTP face shares
// with gRPC bound the requests mapped at once).
func (h *harness) httpBusyRow(ctx context.Context) result {
	r := result{
		id:     "14",
		name:   fmt.Sprintf("HTTP: %d clients posting %s router bodies of the typical mix, one after another, for %s", httpBusyClients, sizeText(httpBusyBody), httpBusyFor),
		class:  "HTTP clients keeping every CPU busy",
		target: "< 512MiB peak RSS, every request answered (200 or 503), health answering within 1s",
	}
	body, err := routerBody(httpBusyBody)
	if err != nil {
		r.err = err
		return r
	}
	answers := newAnswerTally("200", "503")
	m, health, answer, err := h.attack(ctx, attackSpec{server: serverOptions{http: true}, health: true, settle: time.Second}, func(ctx context.Context, s *server) (string, error) {
		ctx, cancel := context.WithTimeout(ctx, httpBusyFor+httpAnswerLimit)
		defer cancel()
		end := time.Now().Add(httpBusyFor)
		var wg sync.WaitGroup
		for range httpBusyClients {
			wg.Go(func() {
				for time.Now().Before(end) && ctx.Err() == nil {
					answers.note(postWhole(ctx, s.httpAddr, body))
				}
			})
		}
		wg.Wait()
		return answers.String(), nil
	})
	connectionResult(&r, m, health, answer, err)
	r.pass = r.pass && answers.all()
	return r
}

// Sizes of row 15.
const (
	httpUnreadClients = 30
	httpUnreadBody    = 3_900_000
	// httpUnreadWatch is how long the row probes the HTTP face with a
	// well-behaved client while the answers stay unread.
	httpUnreadWatch = 45 * time.Second
	// httpUnreadBound is how soon the probe must be answered 200.
	httpUnreadBound = 40 * time.Second
	httpProbeEvery  = 250 * time.Millisecond
	// httpUnreadSettle is how long the row waits, once the bodies are
	// sent, before it probes.
	httpUnreadSettle = 3 * time.Second
)

// httpUnreadRow has many clients post router bodies and never read their
// answers, keeping their connections open, while a well-behaved client
// posts bodies as large, one every httpProbeEvery: what the unread answers hold
// of the in-flight budget, which both faces share, must not keep the
// well-behaved client out for long. Each unread answer is larger than a
// socket's buffers hold, so that writing it blocks.
func (h *harness) httpUnreadRow(ctx context.Context) result {
	r := result{
		id:     "15",
		name:   fmt.Sprintf("HTTP: %d clients posting %s router bodies and never reading the answers, a client posting bodies as large one after another beside them", httpUnreadClients, megabytes(httpUnreadBody)),
		class:  "HTTP clients that never read: budget held",
		target: fmt.Sprintf("< 512MiB peak RSS, the other client answered 200 within %s, health answering within 1s", httpUnreadBound),
	}
	body, err := expandingBody(httpUnreadBody)
	if err != nil {
		r.err = err
		return r
	}
	// The well-behaved client's bodies are as large, of the typical mix.
	probe, err := routerBody(httpUnreadBody)
	if err != nil {
		r.err = err
		return r
	}
	var firstOK time.Duration
	m, health, answer, err := h.attack(ctx, attackSpec{server: serverOptions{http: true}, health: true, settle: time.Second}, func(ctx context.Context, s *server) (string, error) {
		ctx, cancel := context.WithTimeout(ctx, httpUnreadWatch+httpAnswerLimit)
		defer cancel()
		answerLen, err := answerLength(ctx, s.httpAddr, body)
		if err != nil {
			return "", err
		}
		var conns []net.Conn
		defer func() {
			for _, c := range conns {
				c.Close()
			}
		}()
		head := "POST /routerTransform HTTP/1.1\r\nHost: cio\r\nContent-Type: application/json\r\nContent-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n"
		var wg sync.WaitGroup
		for range httpUnreadClients {
			// A receive buffer set before the connection is made keeps
			// the window the client offers small.
			d := net.Dialer{Control: func(_, _ string, c syscall.RawConn) error {
				return c.Control(func(fd uintptr) { _ = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096) })
			}}
			conn, err := d.DialContext(ctx, "tcp", s.httpAddr)
			if err != nil {
				return "", err
			}
			conns = append(conns, conn)
			wg.Go(func() { _, _ = conn.Write(append([]byte(head), body...)) })
		}
		wg.Wait()
		// The bodies are sent; the server reads and maps them, and starts
		// their answers, before the probe begins.
		time.Sleep(httpUnreadSettle)
		start := time.Now()
		counts := map[string]int{}
		for time.Since(start) < httpUnreadWatch && ctx.Err() == nil {
			k := postWhole(ctx, s.httpAddr, probe)
			counts[k]++
			if k == "200" {
				firstOK = time.Since(start)
				break
			}
			time.Sleep(httpProbeEvery)
		}
		first := "never"
		if firstOK > 0 {
			first = fmt.Sprintf("after %.1fs", firstOK.Seconds())
		}
		return fmt.Sprintf("each unread answer %s; the other client answered 200 %s; its answers: %s", megabytes(answerLen), first, countsText(counts)), nil
	})
	connectionResult(&r, m, health, answer, err)
	r.pass = r.pass && firstOK > 0 && firstOK <= httpUnreadBound
	return r
}

// answerLength posts body to the router transform and returns the length
// of its answer, which it reads.
func answerLength(ctx context.Context, addr string, body []byte) (int64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+addr+"/routerTransform", bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	tr := &http.Transport{DisableKeepAlives: true, DisableCompression: true}
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("the router transform answered %d", resp.StatusCode)
	}
	return io.Copy(io.Discard, resp.Body)
}

// Sizes of row 16.
const (
	h2cConns   = 100
	h2cStreams = 250
	// h2cHold is how long the requests are held open once all are opened.
	h2cHold = 5 * time.Second
	// h2cRamp is the time between two connections' start.
	h2cRamp = 30 * time.Millisecond
)

// h2cStreamsRow opens HTTP/2 (h2c) connections to the HTTP face and, on
// each, as many router requests as net/http's HTTP/2
// server takes by default, each stopping after its first bytes: every
// request the server takes open is a goroutine, so what it takes per
// connection bounds the memory they hold.
func (h *harness) h2cStreamsRow(ctx context.Context) result {
	r := result{
		id:     "16",
		name:   fmt.Sprintf("HTTP/2 (h2c): %d connections each opening %d router requests that stop after their first bytes, held %s", h2cConns, h2cStreams, h2cHold),
		class:  "HTTP/2 clients holding requests open: memory held",
		target: "< 512MiB peak RSS, health answering within 1s",
	}
	m, health, answer, err := h.attack(ctx, attackSpec{server: serverOptions{http: true}, health: true, settle: time.Second}, func(ctx context.Context, s *server) (string, error) {
		ctx, cancel := context.WithTimeout(ctx, h2cConns*h2cRamp+h2cHold)
		defer cancel()
		var wg sync.WaitGroup
		var mu sync.Mutex
		counts := map[string]int{}
		for i := range h2cConns {
			if i > 0 {
				// Connections come one after another over a few seconds,
				// so that the clients' own start does not starve the
				// health checks of this process.
				time.Sleep(h2cRamp)
			}
			// One connection each, whose requests past what the server
			// takes wait in the client.
			protocols := new(http.Protocols)
			protocols.SetUnencryptedHTTP2(true)
			tr := &http.Transport{Protocols: protocols, HTTP2: &http.HTTP2Config{StrictMaxConcurrentRequests: true}, MaxConnsPerHost: 1}
			defer tr.CloseIdleConnections()
			client := &http.Client{Transport: tr}
			for range h2cStreams {
				wg.Go(func() {
					pr, pw := io.Pipe()
					defer pw.Close()
					go func() { _, _ = io.WriteString(pw, `{"destType":"customerio","input":[`) }()
					req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+s.httpAddr+"/routerTransform", pr)
					if err != nil {
						return
					}
					req.ContentLength = 1 << 20
					k := "held until the row ended"
					if resp, err := client.Do(req); err == nil {
						resp.Body.Close()
						k = httpStatusText(resp.StatusCode)
					} else if ctx.Err() == nil {
						k = "error " + firstWords(err.Error(), 6)
					}
					mu.Lock()
					counts[k]++
					mu.Unlock()
				})
			}
		}
		wg.Wait()
		return "requests: " + countsText(counts), nil
	})
	connectionResult(&r, m, health, answer, err)
	return r
}

// Sizes of row 17.
const (
	httpDenseClients = 40
	httpDenseBody    = 3_900_000
)

// httpDenseRow has many clients post processor bodies of nothing but empty
// objects at once: the densest JSON there is, each object a container of
// the parsed document for three bytes of text. Parsing one body allocates
// about 60 times its size; the requests parsed at once must stay few.
func (h *harness) httpDenseRow(ctx context.Context) result {
	r := result{
		id:     "17",
		name:   fmt.Sprintf("HTTP: %d clients posting %s processor bodies of empty objects at once", httpDenseClients, megabytes(httpDenseBody)),
		class:  "HTTP bodies that parse to many times their size",
		target: "< 512MiB peak RSS, every request answered (413 or 503), health answering within 1s",
	}
	body := []byte("[" + strings.Repeat("{},", (httpDenseBody-2)/3) + "{}]")
	answers := newAnswerTally("413", "503")
	m, health, answer, err := h.attack(ctx, attackSpec{server: serverOptions{http: true}, health: true, settle: time.Second}, func(ctx context.Context, s *server) (string, error) {
		ctx, cancel := context.WithTimeout(ctx, httpAnswerLimit)
		defer cancel()
		var wg sync.WaitGroup
		for range httpDenseClients {
			wg.Go(func() { answers.note(postTo(ctx, s.httpAddr, "/v0/destinations/customerio", body)) })
		}
		wg.Wait()
		return answers.String(), nil
	})
	connectionResult(&r, m, health, answer, err)
	r.pass = r.pass && answers.all()
	return r
}

// Sizes of row 18.
const (
	echoJobs        = 3000
	echoDestination = 1_000_000
	// echoWithin is how many jobs of row 18's second request share its
	// destination: written out once for each, within the 4 MiB body limit.
	echoWithin = 4
)

// compactedEchoRow posts compacted router requests whose jobs share one
// large destination: the answer echoes a job's destination with each
// entry, so a request of small jobs would be answered with many times its
// size (3,000 jobs of a 1.4 MB body, 3 GB). The first request's
// destinations come to more than a plain body may carry; the second's do
// not.
func (h *harness) compactedEchoRow(ctx context.Context) result {
	r := result{
		id:       "18",
		name:     fmt.Sprintf("HTTP: compacted router requests of %d and %d jobs sharing one %s destination", echoJobs, echoWithin, megabytes(echoDestination)),
		class:    "HTTP answers that echo a shared destination for every job",
		target:   "< 100ms server CPU, < 64MB peak growth, answered 413 then 200",
		measured: true,
	}
	header := http.Header{"X-Content-Format": {"json+compactedv1"}}
	m, _, answer, err := h.attack(ctx, attackSpec{server: serverOptions{http: true}, settle: time.Second}, func(ctx context.Context, s *server) (string, error) {
		ctx, cancel := context.WithTimeout(ctx, httpAnswerLimit)
		defer cancel()
		over := postWith(ctx, s.httpAddr, "/routerTransform", compactedEchoBody(echoJobs), header)
		within := postWith(ctx, s.httpAddr, "/routerTransform", compactedEchoBody(echoWithin), header)
		return fmt.Sprintf("%d jobs: %s; %d jobs: %s", echoJobs, over, echoWithin, within), nil
	})
	costResult(&r, m, answer, err, eventCPUBound, messageGrowthBound)
	r.pass = r.pass && answer == fmt.Sprintf("%d jobs: 413; %d jobs: 200", echoJobs, echoWithin)
	return r
}

// compactedEchoBody is a compacted router body of jobs events of an
// unknown type, each its own answer entry, sharing one destination of
// about echoDestination bytes.
func compactedEchoBody(jobs int) []byte {
	var b bytes.Buffer
	b.WriteString(`{"destType":"customerio","input":[`)
	for i := range jobs {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"message":{"type":"unknown","userId":"u%d"},"metadata":{"jobId":%d,"sourceId":"s","destinationId":"d"}}`, i, i+1)
	}
	fmt.Fprintf(&b, `],"destinations":{"d":{"ID":"d","Config":{"siteID":"s","apiKey":"k","note":%q}}}}`, strings.Repeat("x", echoDestination))
	return b.Bytes()
}

// firstJobEchoRow posts a plain router request whose first job carries
// 1 MB of metadata ids, followed by small jobs of its destination that
// fail: each error's statTags name the group's first job's destinationId
// and workspaceId, as upstream's do, so the answer would repeat the
// megabyte for every job (3,000 jobs of a 1.5 MB body, 3 GB).
func (h *harness) firstJobEchoRow(ctx context.Context) result {
	r := result{
		id:       "20",
		name:     fmt.Sprintf("HTTP: a router request whose first job has a %s workspaceId, then %d failing jobs of its destination", megabytes(echoDestination), echoJobs),
		class:    "HTTP answers that echo a shared destination for every job",
		target:   "< 100ms server CPU, < 64MB peak growth, answered 413",
		measured: true,
	}
	var b bytes.Buffer
	const dest = `{"ID":"d","Config":{"siteID":"s","apiKey":"k"}}`
	fmt.Fprintf(&b, `{"destType":"customerio","input":[{"message":{"type":"identify","userId":"u"},"metadata":{"jobId":1,"destinationId":"d","workspaceId":%q},"destination":%s}`, strings.Repeat("w", echoDestination), dest)
	for i := range echoJobs {
		fmt.Fprintf(&b, `,{"message":{"type":"unknown","userId":"u%d"},"metadata":{"jobId":%d,"destinationId":"d"},"destination":%s}`, i, i+2, dest)
	}
	b.WriteString(`]}`)
	m, _, answer, err := h.attack(ctx, attackSpec{server: serverOptions{http: true}, settle: time.Second}, func(ctx context.Context, s *server) (string, error) {
		ctx, cancel := context.WithTimeout(ctx, httpAnswerLimit)
		defer cancel()
		return postTo(ctx, s.httpAddr, "/routerTransform", b.Bytes()), nil
	})
	costResult(&r, m, answer, err, eventCPUBound, messageGrowthBound)
	r.pass = r.pass && answer == "413"
	return r
}

// httpExpandingRow posts one processor body of events that each expand to
// nearly the per-event cap (see expandingRow): 3.6 MB that would be
// answered with 6 GB, built in memory before it is written.
func (h *harness) httpExpandingRow(ctx context.Context) result {
	r := result{
		id:       "22",
		name:     fmt.Sprintf("HTTP: a processor body of %d small events, each expanding to nearly the per-event cap", expandingEvents),
		class:    "requests whose events each expand to the per-event cap",
		target:   "< 500ms server CPU, < 64MB peak growth, answered 200",
		measured: true,
	}
	var b bytes.Buffer
	b.WriteByte('[')
	for i := range expandingEvents {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"message":%s,"metadata":{"jobId":%d},"destination":{"ID":"d","Config":{"siteID":"s","apiKey":"k"}}}`, expandingEvent(i), i+1)
	}
	b.WriteByte(']')
	m, _, answer, err := h.attack(ctx, attackSpec{server: serverOptions{http: true}, settle: time.Second}, func(ctx context.Context, s *server) (string, error) {
		ctx, cancel := context.WithTimeout(ctx, httpAnswerLimit)
		defer cancel()
		return postTo(ctx, s.httpAddr, "/v0/destinations/customerio", b.Bytes()), nil
	})
	costResult(&r, m, answer, err, expandingCPUBound, messageGrowthBound)
	r.pass = r.pass && answer == "200"
	return r
}
