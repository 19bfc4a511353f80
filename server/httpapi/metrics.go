package httpapi

import (
	"errors"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the HTTP face's Prometheus metrics; a nil *metrics records
// nothing.
type metrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	jobs     *prometheus.CounterVec
}

// newMetrics registers the metrics on reg; nil records none. Metrics
// already registered (a second Handler on one registry) are shared.
func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	if reg == nil {
		return nil, nil
	}
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "cio_http_requests_total",
			Help: "HTTP requests answered, by route and status code.",
		}, []string{"route", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "cio_http_request_duration_seconds",
			Help:    "Time from the start of an HTTP request to the end of its answer, by route.",
			Buckets: prometheus.ExponentialBuckets(0.0005, 4, 10),
		}, []string{"route"}),
		jobs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "cio_http_jobs_total",
			Help: "Jobs transformed over HTTP, by route and outcome (request or error).",
		}, []string{"route", "outcome"}),
	}
	var err error
	if m.requests, err = register(reg, m.requests); err != nil {
		return nil, err
	}
	if m.duration, err = register(reg, m.duration); err != nil {
		return nil, err
	}
	if m.jobs, err = register(reg, m.jobs); err != nil {
		return nil, err
	}
	return m, nil
}

// register registers c, or returns the collector already registered under
// its name.
func register[C prometheus.Collector](reg prometheus.Registerer, c C) (C, error) {
	if err := reg.Register(c); err != nil {
		var are prometheus.AlreadyRegisteredError
		if errors.As(err, &are) {
			if existing, ok := are.ExistingCollector.(C); ok {
				return existing, nil
			}
		}
		return c, err
	}
	return c, nil
}

// observe records one finished request.
func (m *metrics) observe(route string, status int, elapsed time.Duration, _ int) {
	if m == nil {
		return
	}
	m.requests.WithLabelValues(route, strconv.Itoa(status)).Inc()
	m.duration.WithLabelValues(route).Observe(elapsed.Seconds())
}

// tally returns a job counter for one request on route.
func (m *metrics) tally(route string) jobTally {
	return jobTally{m: m, route: route}
}

// jobTally counts one request's job outcomes and records them at once.
type jobTally struct {
	m          *metrics
	route      string
	ok, failed int
}

// add counts one job.
func (t *jobTally) add(ok bool) {
	if ok {
		t.ok++
	} else {
		t.failed++
	}
}

// flush records the counts.
func (t *jobTally) flush() {
	if t.m == nil {
		return
	}
	if t.ok > 0 {
		t.m.jobs.WithLabelValues(t.route, "request").Add(float64(t.ok))
	}
	if t.failed > 0 {
		t.m.jobs.WithLabelValues(t.route, "error").Add(float64(t.failed))
	}
}
