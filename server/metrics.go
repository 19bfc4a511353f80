package server

import (
	"strconv"
	"time"

	"github.com/cio-transformer/cio-transformer/transform"
	"github.com/prometheus/client_golang/prometheus"
	"google.golang.org/grpc"
)

// Names of the service's own metrics. The gRPC server metrics keep the
// provider's standard grpc_server_* names, which dashboards expect.
const (
	metricJobs           = "cio_transformer_jobs_total"
	metricBatchObjects   = "cio_transformer_batch_objects"
	metricBatchBytes     = "cio_transformer_batch_bytes"
	metricMappingTime    = "cio_transformer_mapping_seconds"
	metricRefusedCalls   = "cio_transformer_refused_calls_total"
	metricPanics         = "cio_transformer_job_panics_total"
	metricInflightBytes  = "cio_transformer_inflight_bytes"
	successStatusCode    = "200"
	badInputStatusCode   = 400
	methodTransform      = "Transform"
	methodTransformBatch = "TransformBatch"
)

// numEventTypes is the number of event_type label values, one per
// transform.EventType.
const numEventTypes = transform.NumEventTypes

// jobOutcome indexes the per-message tally of jobs.
type jobOutcome uint8

const (
	outcomeSuccess jobOutcome = iota
	outcomeBatched
	outcomeBadInput
	numOutcomes
)

// metrics are the server's Prometheus metrics. A nil *metrics records
// nothing, which is how a server without a registry runs.
type metrics struct {
	reg prometheus.Registerer
	rpc *rpcMetrics
	// jobVec counts jobs by event_type, outcome and status_code; jobs holds
	// its children for the common label sets, resolved once, so that
	// counting costs no hashing or allocation.
	jobVec *prometheus.CounterVec
	jobs   [numEventTypes][numOutcomes]prometheus.Counter
	// batchObjects and batchBytes observe every /api/v2/batch request built.
	batchObjects prometheus.Observer
	batchBytes   prometheus.Observer
	// mapping observes the mapping time of a request message, by method.
	mappingTransform, mappingBatch prometheus.Observer
	// refusedCalls counts calls refused at admission, by reason, indexed
	// like refusedReasons.
	refusedCalls [numRefusedReasons]prometheus.Counter
	// panics counts jobs whose mapping panicked.
	panics prometheus.Counter
}

// newMetrics creates the metrics and registers them with reg; a nil reg
// gives nil metrics.
func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	if reg == nil {
		return nil, nil
	}
	m := &metrics{
		reg: reg,
		rpc: newRPCMetrics([]float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}),
		jobVec: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: metricJobs,
			Help: "Jobs mapped, by event type and outcome: success (its own request), batched (a group object placed in a /api/v2/batch request) or error; status_code is the job's result code (200, or the per-job error's code).",
		}, []string{"event_type", "outcome", "status_code"}),
	}
	batchObjects := prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    metricBatchObjects,
		Help:    "Objects in each /api/v2/batch request built (at most 1000).",
		Buckets: []float64{1, 2, 5, 10, 25, 50, 100, 250, 500, 1000},
	})
	batchBytes := prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    metricBatchBytes,
		Help:    "Body size in bytes of each /api/v2/batch request built (at most 500,000).",
		Buckets: []float64{256, 1024, 4096, 16384, 65536, 131072, 262144, 500000},
	})
	mapping := prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: metricMappingTime,
		Help: "Time to map one request message: a Transform call's job, or a TransformBatch request message's jobs until its last response is handed to gRPC.",
		Buckets: []float64{.00001, .000025, .00005, .0001, .00025, .0005, .001, .0025, .005, .01,
			.025, .05, .1, .25, .5, 1},
	}, []string{"method"})
	refused := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: metricRefusedCalls,
		Help: "Calls refused before any of their messages was read, and TransformBatch request messages refused in band: unauthenticated (no or wrong token), inflight_budget (the server holds --max-inflight-bytes), recv_timeout (a request message not received within --recv-timeout).",
	}, []string{"reason"})
	m.panics = prometheus.NewCounter(prometheus.CounterOpts{
		Name: metricPanics,
		Help: "Jobs whose mapping panicked (a bug): each was answered with a 500 job error and the call went on.",
	})
	for _, c := range append(m.rpc.collectors(), m.jobVec, batchObjects, batchBytes, mapping, refused, m.panics) {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	for t := range numEventTypes {
		name := t.String()
		m.jobs[t][outcomeSuccess] = m.jobVec.WithLabelValues(name, "success", successStatusCode)
		m.jobs[t][outcomeBatched] = m.jobVec.WithLabelValues(name, "batched", successStatusCode)
		m.jobs[t][outcomeBadInput] = m.jobVec.WithLabelValues(name, "error", strconv.Itoa(badInputStatusCode))
	}
	for i, r := range refusedReasons {
		m.refusedCalls[i] = refused.WithLabelValues(r)
	}
	m.batchObjects, m.batchBytes = batchObjects, batchBytes
	m.mappingTransform = mapping.WithLabelValues(methodTransform)
	m.mappingBatch = mapping.WithLabelValues(methodTransformBatch)
	return m, nil
}

// initialize pre-registers the gRPC metrics of g's methods at zero, so that
// rates exist before the first call.
func (m *metrics) initialize(g *grpc.Server) {
	if m != nil {
		m.rpc.initialize(g)
	}
}

// calls returns the gRPC server metrics, or nil without metrics.
func (m *metrics) calls() *rpcMetrics {
	if m == nil {
		return nil
	}
	return m.rpc
}

// streamRPC is the stream interceptor of the gRPC server metrics, or nil
// without metrics.
func (m *metrics) streamRPC() grpc.StreamServerInterceptor {
	if m == nil {
		return nil
	}
	return m.rpc.stream
}

// refused counts a call refused for reason, one of refusedReasons.
func (m *metrics) refused(reason string) {
	if m == nil {
		return
	}
	for i, r := range refusedReasons {
		if r == reason {
			m.refusedCalls[i].Inc()
		}
	}
}

// panicked counts a job whose mapping panicked.
func (m *metrics) panicked() {
	if m != nil {
		m.panics.Inc()
	}
}

// watchInflight exports the bytes charged to f as a gauge.
func (m *metrics) watchInflight(f *inflight) {
	if m == nil || f == nil {
		return
	}
	_ = m.reg.Register(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: metricInflightBytes,
		Help: "Bytes charged to the in-flight budget (--max-inflight-bytes): request messages received and not yet answered, at four times their estimated decoded size.",
	}, func() float64 { return float64(f.bytes()) }))
}

// withoutNil drops the interceptors that are off (nil).
func withoutNil[I any](in []I, isNil func(I) bool) []I {
	out := in[:0]
	for _, i := range in {
		if !isNil(i) {
			out = append(out, i)
		}
	}
	return out
}

// jobTally accumulates the metrics of one request message in plain
// integers and records them once, in flush: mapping a job then costs a few
// array increments rather than contended atomic updates, and nothing when
// metrics are off.
type jobTally struct {
	m      *metrics
	method prometheus.Observer
	start  time.Time
	counts [numEventTypes][numOutcomes]uint32
}

// tally starts the tally of a request message of the given method.
func (m *metrics) tally(method string) jobTally {
	if m == nil {
		return jobTally{}
	}
	obs := m.mappingBatch
	if method == methodTransform {
		obs = m.mappingTransform
	}
	return jobTally{m: m, method: obs, start: time.Now()}
}

// mapped counts one job whose mapping gave r.
func (t *jobTally) mapped(r transform.Result) {
	if t.m == nil {
		return
	}
	typ := r.Type
	switch r.Kind() {
	case transform.KindError:
		if r.Err.StatusCode != badInputStatusCode {
			// Other codes mean a bug (500): rare enough to count directly.
			t.m.jobVec.WithLabelValues(typ.String(), "error", strconv.Itoa(r.Err.StatusCode)).Inc()
			return
		}
		t.counts[typ][outcomeBadInput]++
	case transform.KindObject:
		t.counts[typ][outcomeBatched]++
	default:
		t.counts[typ][outcomeSuccess]++
	}
}

// entry observes the size of e when it is a /api/v2/batch request.
func (t *jobTally) entry(e transform.Entry) {
	if t.m == nil || e.Request == nil || !e.Request.IsBatch() {
		return
	}
	t.m.batchObjects.Observe(float64(len(e.Jobs)))
	t.m.batchBytes.Observe(float64(len(e.Request.Body)))
}

// flush records the tally and the message's mapping time.
func (t *jobTally) flush() {
	if t.m == nil {
		return
	}
	t.method.Observe(time.Since(t.start).Seconds())
	for typ := range t.counts {
		for o, n := range t.counts[typ] {
			if n != 0 {
				t.m.jobs[typ][o].Add(float64(n))
			}
		}
	}
	t.counts = [numEventTypes][numOutcomes]uint32{}
}
