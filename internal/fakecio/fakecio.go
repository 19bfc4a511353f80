package fakecio

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
)

// KeyHeader selects the scripted response, as RudderStack's delivery tests
// select their mocks.
const KeyHeader = "test-dest-response-key"

// Response is one scripted answer.
type Response struct {
	// Status is the HTTP status; zero is 200.
	Status int
	// Body is the response body.
	Body string
	// Header holds extra response headers, for example Retry-After or
	// Location.
	Header map[string]string
	// BodyBytes, when positive, replaces Body with that many bytes of JSON
	// text, streamed.
	BodyBytes int
	// Hang never answers: the handler waits until the client goes away.
	Hang bool
	// Reset closes the connection abruptly without answering.
	Reset bool
}

// Request is what the fake received.
type Request struct {
	// Path is the decoded path; EscapedPath is as it was sent.
	Method, Path, EscapedPath, RawQuery string
	Header                              http.Header
	Body                                string
}

// Server is a running fake.
type Server struct {
	// URL is the fake's base URL, http://127.0.0.1:port.
	URL string

	srv      *httptest.Server
	mu       sync.Mutex
	script   map[string]Response
	byPath   map[string]Response
	fallback Response
	received []Request
}

// Start serves the fake on a free loopback port.
func Start(script map[string]Response, fallback Response) *Server {
	s := newServer(script, fallback)
	s.srv = httptest.NewServer(s)
	s.URL = s.srv.URL
	return s
}

// Listen serves the fake on lis (for a fixed address).
func Listen(lis net.Listener, script map[string]Response, fallback Response) *Server {
	s := newServer(script, fallback)
	s.srv = httptest.NewUnstartedServer(s)
	_ = s.srv.Listener.Close()
	s.srv.Listener = lis
	s.srv.Start()
	s.URL = s.srv.URL
	return s
}

func newServer(script map[string]Response, fallback Response) *Server {
	if script == nil {
		script = map[string]Response{}
	}
	return &Server{script: script, fallback: fallback}
}

// Close stops the fake, ending hanging requests.
func (s *Server) Close() {
	s.srv.CloseClientConnections()
	s.srv.Close()
}

// Set scripts the response for key.
func (s *Server) Set(key string, r Response) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.script[key] = r
}

// SetPath scripts the response for requests to path that carry no
// scripted key.
func (s *Server) SetPath(path string, r Response) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.byPath == nil {
		s.byPath = map[string]Response{}
	}
	s.byPath[path] = r
}

// Requests returns what the fake received so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.received...)
}

// ServeHTTP answers with the scripted response.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 8<<20))
	s.mu.Lock()
	s.received = append(s.received, Request{Method: r.Method, Path: r.URL.Path, EscapedPath: r.URL.EscapedPath(), RawQuery: r.URL.RawQuery, Header: r.Header.Clone(), Body: string(body)})
	resp, ok := s.script[r.Header.Get(KeyHeader)]
	if !ok {
		resp, ok = s.byPath[r.URL.Path]
	}
	if !ok {
		resp = s.fallback
	}
	s.mu.Unlock()
	switch {
	case resp.Hang:
		<-r.Context().Done()
		return
	case resp.Reset:
		reset(w)
		return
	}
	for k, v := range resp.Header {
		w.Header().Set(k, v)
	}
	w.Header().Set("Content-Type", "application/json")
	status := resp.Status
	if status == 0 {
		status = http.StatusOK
	}
	w.WriteHeader(status)
	if resp.BodyBytes > 0 {
		bw := bufio.NewWriter(w)
		_, _ = bw.WriteString(`"`)
		chunk := strings.Repeat("x", 4096)
		for n := resp.BodyBytes - 2; n > 0; n -= len(chunk) {
			if _, err := bw.WriteString(chunk[:min(n, len(chunk))]); err != nil {
				return
			}
		}
		_, _ = bw.WriteString(`"`)
		_ = bw.Flush()
		return
	}
	_, _ = io.WriteString(w, resp.Body)
}

// reset closes the connection with a TCP reset.
func reset(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler)
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		return
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}
