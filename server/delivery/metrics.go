package delivery

import (
	"strconv"
	"time"

	"github.com/cio-transformer/cio-transformer/transform"
	"github.com/prometheus/client_golang/prometheus"
)

// Names of the delivery metrics.
const (
	metricDeliveries = "cio_transformer_deliveries_total"
	metricLatency    = "cio_transformer_delivery_seconds"
	metricJobs       = "cio_transformer_delivery_jobs_total"
)

// metrics are the delivery metrics; nil records nothing.
type metrics struct {
	deliveries *prometheus.CounterVec
	latency    prometheus.Histogram
	jobs       *prometheus.CounterVec
}

// newMetrics registers the metrics with reg; nil reg gives nil metrics.
func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	if reg == nil {
		return nil, nil
	}
	m := &metrics{
		deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: metricDeliveries,
			Help: "Requests delivered to Customer.io, by status class of the outcome: 2xx, 207, 3xx, 4xx, 429, 5xx, or failed (no usable answer: timeout, connection, oversized or unreadable body), throttled (the site's own rate limit), undeliverable (not a Customer.io URL).",
		}, []string{"status_class"}),
		latency: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    metricLatency,
			Help:    "Time of one delivery, rate-limit wait included, until the answer is read.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}),
		jobs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: metricJobs,
			Help: "Jobs answered by deliveries, by the job's status code.",
		}, []string{"status_code"}),
	}
	for _, c := range []prometheus.Collector{m.deliveries, m.latency, m.jobs} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// observe records one delivery.
func (m *metrics) observe(d transform.Delivery, a transform.Answer, elapsed time.Duration) {
	if m == nil {
		return
	}
	m.deliveries.WithLabelValues(statusClass(d, a)).Inc()
	m.latency.Observe(elapsed.Seconds())
	codes := map[int]int{}
	for _, j := range d.Jobs {
		codes[j.StatusCode]++
	}
	for code, n := range codes {
		m.jobs.WithLabelValues(strconv.Itoa(code)).Add(float64(n))
	}
}

// statusClass is the low-cardinality label of an outcome.
func statusClass(d transform.Delivery, a transform.Answer) string {
	if f := a.Failure; f != nil {
		switch f.Status {
		case 429:
			return "throttled"
		case 400:
			return "undeliverable"
		}
		return "failed"
	}
	switch s := a.Status; {
	case s == 207 && d.Status == 207:
		return "207"
	case s == 207:
		return "failed"
	case s == 429:
		return "429"
	case s >= 200 && s < 300:
		return "2xx"
	case s >= 300 && s < 400:
		return "3xx"
	case s >= 400 && s < 500:
		return "4xx"
	}
	return "5xx"
}
