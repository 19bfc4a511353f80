package httpapi

import (
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"runtime/debug"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/cio-transformer/cio-transformer/internal/jsvalue"
	"github.com/cio-transformer/cio-transformer/transform"
)

// destType is the destination type this service transforms, as it appears
// in paths and in the router's destType.
const destType = "customerio"

// Response headers rudder-server reads.
const (
	// apiVersionHeader must be "2" on every transform answer, or
	// rudder-server stops.
	apiVersionHeader = "apiVersion"
	apiVersion       = "2"
	contentTypeJSON  = "application/json; charset=utf-8"
)

// Routes, as metrics and logs name them.
const (
	routeProcessor = "processor"
	routeRouter    = "router"
	routeProxy     = "proxy"
	routeHealth    = "health"
	routeFeatures  = "features"
	routeFallback  = "fallback"
	routeUnknown   = "unknown"
)

// Handler serves rudder-transformer's HTTP protocol for customerio.
type Handler struct {
	cfg      Config
	mux      *http.ServeMux
	v2       v2Selector
	fallback *httputil.ReverseProxy
	metrics  *metrics
	// draining is set once the service is shutting down: /health then
	// answers 503 so that load balancers stop sending new requests.
	draining atomic.Bool
	// tokenSum is the SHA-256 of Config.AuthToken; comparing digests keeps
	// the check constant-time whatever the offered token's length.
	tokenSum [sha256.Size]byte
}

// New returns the Handler of cfg; zero fields take their defaults.
func New(cfg Config) (*Handler, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	m, err := newMetrics(cfg.Metrics)
	if err != nil {
		return nil, err
	}
	h := &Handler{cfg: cfg, v2: newV2Selector(cfg.V2Workspaces), metrics: m}
	if cfg.AuthToken != "" {
		h.tokenSum = sha256.Sum256([]byte(cfg.AuthToken))
	}
	if cfg.Fallback != nil {
		h.fallback = newFallbackProxy(cfg.Fallback, cfg.FallbackTimeout, cfg.Deliverer != nil, cfg.Logger)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v0/destinations/{dest}", h.processor)
	mux.HandleFunc("POST /routerTransform", h.router)
	mux.HandleFunc("POST /v1/destinations/{dest}/proxy", h.proxy)
	mux.HandleFunc("GET /health", h.health)
	mux.HandleFunc("GET /features", h.features)
	mux.HandleFunc("/", h.other)
	h.mux = mux
	return h, nil
}

// ServeHTTP checks the token, then serves the request, recovering from a
// panic with a 500 whose stack goes to the log.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rec := &recorder{ResponseWriter: w, status: http.StatusOK, route: routeUnknown, gzip: !h.cfg.PlainAnswers && acceptsGzip(r)}
	start := time.Now()
	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				panic(p)
			}
			h.cfg.Logger.Error("panic serving request", "route", rec.route, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			if !rec.wrote {
				h.fail(rec, http.StatusInternalServerError, "internal error")
			}
		}
		elapsed := time.Since(start)
		h.metrics.observe(rec.route, rec.status, elapsed, rec.jobs)
		h.cfg.Logger.Info("finished request", "method", r.Method, "route", rec.route,
			"status", rec.status, "jobs", rec.jobs, "duration_ms", float64(elapsed.Microseconds())/1000)
	}()
	if h.cfg.AuthToken != "" && !(r.Method == http.MethodGet && r.URL.Path == "/health") && !h.authorized(r) {
		rec.route = "auth"
		rec.Header().Set("WWW-Authenticate", "Bearer")
		h.fail(rec, http.StatusUnauthorized, "invalid auth token")
		return
	}
	h.mux.ServeHTTP(rec, r)
}

// authorized reports whether r carries "Authorization: Bearer <token>".
func (h *Handler) authorized(r *http.Request) bool {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return false
	}
	sum := sha256.Sum256([]byte(strings.TrimSpace(token)))
	return subtle.ConstantTimeCompare(sum[:], h.tokenSum[:]) == 1
}

// processor serves POST /v0/destinations/{dest}.
func (h *Handler) processor(w http.ResponseWriter, r *http.Request) {
	rec := w.(*recorder)
	if !strings.EqualFold(r.PathValue("dest"), destType) {
		h.notOurs(rec, r, r.PathValue("dest"))
		return
	}
	rec.route = routeProcessor
	body, release, done, ok := h.readMapped(rec, r)
	defer release()
	if !ok {
		return
	}
	buf := answerBuffer()
	out, err := h.processorAnswer(rec, r, body.data, *buf)
	defer releaseAnswer(buf, out)
	if !h.decoded(rec, err) {
		return
	}
	done()
	h.answer(rec, out)
}

// processorAnswer parses a processor body and maps its jobs into the
// answer. The body's document is handed back before it returns, so that
// no answer is written, however slowly it is read, while it is held.
func (h *Handler) processorAnswer(rec *recorder, r *http.Request, data, dst []byte) ([]byte, error) {
	doc, lease, err := parseBody(data)
	if err != nil {
		return nil, err
	}
	defer lease.Release()
	jobs, err := h.jobsOf(r, doc, doc)
	if err != nil {
		return nil, err
	}
	rec.jobs = len(jobs)
	tally := h.metrics.tally(routeProcessor)
	out := appendProcessorResponse(slices.Grow(dst, 512*len(jobs)+2), jobs, transform.Mode{MaxEventBytes: h.cfg.MaxEventBytes}, &tally)
	tally.flush()
	return out, nil
}

// router serves POST /routerTransform.
func (h *Handler) router(w http.ResponseWriter, r *http.Request) {
	rec := w.(*recorder)
	body, release, done, ok := h.readMapped(rec, r)
	defer release()
	if !ok {
		return
	}
	buf := answerBuffer()
	out, dt, err := h.routerAnswer(rec, r, body.data, *buf)
	defer releaseAnswer(buf, out)
	switch {
	case err == nil && !strings.EqualFold(dt, destType):
		done()
		h.notOursBuffered(rec, r, dt, body.raw)
		return
	case err != nil && !tooLarge(err) && !errors.Is(err, errBudgetSpent) && h.fallback != nil:
		// Not readable here, so perhaps not for customerio: the upstream
		// answers it.
		done()
		h.notOursBuffered(rec, r, dt, body.raw)
		return
	}
	rec.route = routeRouter
	if !h.decoded(rec, err) {
		return
	}
	done()
	h.answer(rec, out)
}

// routerAnswer parses a router body and reads its destType, and when the
// body is for this destination maps its jobs into the answer. The body's
// document is handed back before it returns, as processorAnswer hands
// back its own.
func (h *Handler) routerAnswer(rec *recorder, r *http.Request, data, dst []byte) (out []byte, dt string, err error) {
	doc, lease, err := parseBody(data)
	if err != nil {
		return nil, "", err
	}
	defer lease.Release()
	if dt, err = routerDestType(doc); err != nil || !strings.EqualFold(dt, destType) {
		return nil, dt, err
	}
	input := doc.Get("input")
	if noEventArray(input, r.Header.Get(contentFormatHeader) == compactedV1) {
		return appendInvalidEventArray(dst, dt), dt, nil
	}
	jobs, err := h.jobsOf(r, doc, input)
	if err != nil {
		return nil, dt, err
	}
	rec.jobs = len(jobs)
	if r.Header.Get(contentFormatHeader) == compactedV1 && !rec.charge.add(echoedBytes(jobs)) {
		// The body's charge covers what a plain body's answer echoes of
		// it; a compacted body's answer echoes its destinations once for
		// each job.
		return nil, dt, errBudgetSpent
	}
	mode := transform.Mode{MaxEventBytes: h.cfg.MaxEventBytes}
	tally := h.metrics.tally(routeRouter)
	out, err = appendRouterResponse(slices.Grow(dst, 512*len(jobs)+16), jobs, mode, h.v2, &tally, h.cfg.MaxBodyBytes)
	tally.flush()
	return out, dt, err
}

// readMapped reads r's body as read does, then holds a mapping slot for
// its decoding and mapping as holdMapping does. release gives back both,
// the body's charge and the slot, when the request is done; done gives
// back the slot alone, at most once, before anything that may block while
// the body is still held (writing the answer, forwarding the body).
func (h *Handler) readMapped(rec *recorder, r *http.Request) (body requestBody, release, done func(), ok bool) {
	body, free, ok := h.read(rec, r)
	if !ok {
		return body, free, func() {}, false
	}
	done, ok = h.holdMapping(rec, r)
	return body, func() { done(); free() }, done, ok
}

// jobsOf reads the jobs of a request body, doc, in the format r's header
// names: compacted, from the body itself, or plain, from input.
func (h *Handler) jobsOf(r *http.Request, doc, input jsvalue.Value) ([]job, error) {
	if r.Header.Get(contentFormatHeader) == compactedV1 {
		return decodeCompactedJobs(doc, h.cfg.MaxJobsPerRequest, h.cfg.MaxBodyBytes)
	}
	return decodePlainJobs(input, h.cfg.MaxJobsPerRequest)
}

// holdMapping holds one of the mapping slots (Config.Mapping) for the
// decoding and mapping of r's body, and returns the function that gives it
// back, at most once: before the response is written, which may wait on
// the client, or a request forwarded. When r ends while it waits, r is
// answered 503 and ok is false.
func (h *Handler) holdMapping(rec *recorder, r *http.Request) (done func(), ok bool) {
	if err := h.cfg.Mapping.Acquire(r.Context()); err != nil {
		h.fail(rec, http.StatusServiceUnavailable, "the request ended while it waited to be mapped")
		return func() {}, false
	}
	held := true
	return func() {
		if held {
			held = false
			h.cfg.Mapping.Release()
		}
	}, true
}

// health serves GET /health: 200 while serving, 503 once draining.
func (h *Handler) health(w http.ResponseWriter, _ *http.Request) {
	rec := w.(*recorder)
	rec.route = routeHealth
	if h.draining.Load() {
		rec.Header().Set("Content-Type", contentTypeJSON)
		rec.WriteHeader(http.StatusServiceUnavailable)
		_, _ = rec.Write([]byte(`{"service":"DRAINING"}`))
		return
	}
	h.answer(rec, []byte(`{"service":"UP"}`))
}

// Drain makes /health answer 503 from now on, while requests are still
// served: call it when shutdown starts, before the server stops
// accepting connections.
func (h *Handler) Drain() { h.draining.Store(true) }

// other serves every other path: forwarded, or 404.
func (h *Handler) other(w http.ResponseWriter, r *http.Request) {
	rec := w.(*recorder)
	if h.fallback != nil {
		h.forward(rec, r)
		return
	}
	rec.route = routeUnknown
	h.fail(rec, http.StatusNotFound, "Not Found")
}

// read reads the body within the limit and the body timeout, charged to
// the in-flight budget as it is read, answering 503, 413, 408 or 400 when
// it cannot. The charge is held until the request's answer is written:
// the caller defers the release, which is set whatever read reports.
func (h *Handler) read(rec *recorder, r *http.Request) (body requestBody, release func(), ok bool) {
	c := &bodyCharge{budget: h.cfg.Budget}
	release = c.release
	rec.charge = c
	rc := http.NewResponseController(rec.ResponseWriter)
	// Not every connection supports deadlines (a test's recorder); those
	// bodies are read without one.
	timed := h.cfg.BodyTimeout > 0 && rc.SetReadDeadline(time.Now().Add(h.cfg.BodyTimeout)) == nil
	if h.cfg.Budget.Spent() {
		h.discardBody(r, rc, timed)
		h.budgetSpent(rec)
		return body, release, false
	}
	body, err := readBody(r, h.cfg.MaxBodyBytes, c)
	if timed && err == nil {
		// The body is all read: the connection is the client's again. After
		// an error the deadline stays, so that the server's attempt to
		// read what is left of a small body before it answers fails at
		// once and the connection is closed after the answer.
		_ = rc.SetReadDeadline(time.Time{})
	}
	var ne net.Error
	switch {
	case err == nil:
		return body, release, true
	case errors.Is(err, errBudgetSpent):
		h.discardBody(r, rc, timed)
		h.budgetSpent(rec)
	case errors.Is(err, errTooLarge):
		h.fail(rec, http.StatusRequestEntityTooLarge, fmt.Sprintf("request body is larger than %d bytes", h.cfg.MaxBodyBytes))
	case errors.As(err, &ne) && ne.Timeout():
		h.fail(rec, http.StatusRequestTimeout, fmt.Sprintf("request body did not arrive within %s", h.cfg.BodyTimeout))
	default:
		h.fail(rec, http.StatusBadRequest, "cannot read request body: "+err.Error())
	}
	return body, release, false
}

// discardBody reads what is left of the body of r, which the budget has no
// room for, without keeping it: at most Config.MaxBodyBytes, and only
// while the body's read deadline runs (timed). The server closes a
// connection whose request body it left unread, and a client still sending
// may then find it reset before it reads the 503. A body read to its end
// leaves the connection to the client's next request.
func (h *Handler) discardBody(r *http.Request, rc *http.ResponseController, timed bool) {
	if !timed {
		return
	}
	n, err := io.Copy(io.Discard, io.LimitReader(r.Body, int64(h.cfg.MaxBodyBytes)+1))
	if err == nil && n <= int64(h.cfg.MaxBodyBytes) {
		_ = rc.SetReadDeadline(time.Time{})
	}
}

// budgetSpent answers a request whose body does not fit in the in-flight
// budget: 503, which rudder-server retries, after a second.
func (h *Handler) budgetSpent(rec *recorder) {
	rec.Header().Set("Retry-After", "1")
	h.fail(rec, http.StatusServiceUnavailable, "the server holds as many request bytes as its in-flight budget allows: resend later or to another server")
}

// tooManyJobs is a request over Config.MaxJobsPerRequest.
type tooManyJobs struct{ n, limit int }

func (e tooManyJobs) Error() string {
	return fmt.Sprintf("request carries %d jobs, more than the limit of %d", e.n, e.limit)
}

// destinationsTooLarge is a compacted request whose destinations and
// connections, written out once for each job, come to more than
// Config.MaxBodyBytes.
type destinationsTooLarge struct{ jobs, limit int }

func (e destinationsTooLarge) Error() string {
	return fmt.Sprintf("the destinations and connections of the %d jobs, written out once for each job as a plain request carries them, come to more than %d bytes, the limit of a request body: send fewer jobs per request, or smaller destinations", e.jobs, e.limit)
}

// tooLarge reports whether err refuses a request as too large for the
// service's limits, which no other server is asked to answer.
func tooLarge(err error) bool {
	var many tooManyJobs
	var dests destinationsTooLarge
	var echo echoTooLarge
	return errors.As(err, &many) || errors.As(err, &dests) || errors.As(err, &echo)
}

// decoded answers a request whose body could not be decoded or answered:
// 413 for one over the service's limits (see tooLarge), 503 when its
// answer does not fit in the in-flight budget, else 400. JSON decoding errors name offsets
// and types, never the data.
func (h *Handler) decoded(rec *recorder, err error) bool {
	switch {
	case err == nil:
		return true
	case errors.Is(err, errBudgetSpent):
		h.budgetSpent(rec)
	case tooLarge(err):
		h.fail(rec, http.StatusRequestEntityTooLarge, err.Error())
	default:
		h.fail(rec, http.StatusBadRequest, "invalid request body: "+err.Error())
	}
	return false
}

// answer writes a 200 JSON answer, gzip-compressed when the client asks
// for it and the answer is worth compressing.
func (h *Handler) answer(rec *recorder, body []byte) {
	h.answerStatus(rec, http.StatusOK, body)
}

// answerStatus writes a JSON answer with status, gzip-compressed as answer
// does.
func (h *Handler) answerStatus(rec *recorder, status int, body []byte) {
	rec.Header().Set("Content-Type", contentTypeJSON)
	rec.Header().Set(apiVersionHeader, apiVersion)
	if rec.gzip && len(body) >= minGzipBytes {
		if z, err := gzipBytes(body); err == nil {
			rec.Header().Set("Content-Encoding", "gzip")
			rec.Header().Add("Vary", "Accept-Encoding")
			body = z
		}
	}
	h.startAnswer(rec, len(body))
	rec.WriteHeader(status)
	_, _ = rec.Write(body)
}

// startAnswer bounds the writing of rec's answer of n bytes by
// Config.WriteTimeout, and charges the answer to the in-flight budget in
// place of its request's body, which is no longer needed, as the gRPC face
// charges a stream's last response: a client that does not take its
// answer holds what the answer takes, and not for longer than the
// timeout.
func (h *Handler) startAnswer(rec *recorder, n int) {
	if h.cfg.WriteTimeout > 0 {
		// Not every connection supports deadlines (a test's recorder).
		_ = http.NewResponseController(rec.ResponseWriter).SetWriteDeadline(time.Now().Add(h.cfg.WriteTimeout))
	}
	if rec.charge != nil {
		rec.charge.become(int64(n))
	}
}

// fail answers a whole-request failure with status and a plain-text
// message, which rudder-server records as each job's error.
func (h *Handler) fail(rec *recorder, status int, msg string) {
	rec.Header().Set("Content-Type", "text/plain; charset=utf-8")
	rec.Header().Set(apiVersionHeader, apiVersion)
	h.startAnswer(rec, len(msg))
	rec.WriteHeader(status)
	_, _ = rec.Write([]byte(msg))
}

// recorder notes what a request was answered, for logs and metrics.
type recorder struct {
	http.ResponseWriter
	status int
	wrote  bool
	route  string
	jobs   int
	// gzip is set when the client takes gzip-compressed answers.
	gzip bool
	// charge is what the request's body holds of the in-flight budget,
	// once it is read; nil before.
	charge *bodyCharge
}

// WriteHeader records the status.
func (r *recorder) WriteHeader(status int) {
	if !r.wrote {
		r.status = status
		r.wrote = true
	}
	r.ResponseWriter.WriteHeader(status)
}

// Write records that the answer started.
func (r *recorder) Write(p []byte) (int, error) {
	r.wrote = true
	return r.ResponseWriter.Write(p)
}

// Unwrap lets http.ResponseController reach the connection (the fallback
// proxy flushes through it).
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
