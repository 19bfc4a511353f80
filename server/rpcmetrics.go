package server

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// rpcMetrics are the gRPC server metrics, grpc_server_*, with the names,
// help, labels, buckets and semantics of go-grpc-middleware's Prometheus
// provider, which dashboards expect. The provider looks up (hashes) the
// label children of a call on every call and message; rpcMetrics resolves
// those of each of the server's methods once, in initialize, so that a
// call costs a map read and atomic additions.
type rpcMetrics struct {
	started, handled, received, sent *prometheus.CounterVec
	handling                         *prometheus.HistogramVec
	// methods holds the children of the server's methods by full name. It
	// is filled by initialize, before the server serves, and only read
	// afterwards.
	methods map[string]*methodMetrics
}

// Values of the grpc_type label, as the provider has them.
const (
	grpcTypeUnary        = "unary"
	grpcTypeClientStream = "client_stream"
	grpcTypeServerStream = "server_stream"
	grpcTypeBidiStream   = "bidi_stream"
)

// numCodes is the number of gRPC status codes, OK to Unauthenticated.
const numCodes = int(codes.Unauthenticated) + 1

// methodMetrics are the label children of one method.
type methodMetrics struct {
	started, received, sent prometheus.Counter
	handling                prometheus.Observer
	handled                 [numCodes]prometheus.Counter
	// labels are the method's grpc_type, grpc_service and grpc_method, for
	// a code outside handled.
	labels [3]string
	vecs   *rpcMetrics
}

// newRPCMetrics returns the gRPC server metrics, their handling time
// histogram with buckets.
func newRPCMetrics(buckets []float64) *rpcMetrics {
	labels := []string{"grpc_type", "grpc_service", "grpc_method"}
	return &rpcMetrics{
		started: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "grpc_server_started_total",
			Help: "Total number of RPCs started on the server.",
		}, labels),
		handled: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "grpc_server_handled_total",
			Help: "Total number of RPCs completed on the server, regardless of success or failure.",
		}, append(labels[:3:3], "grpc_code")),
		received: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "grpc_server_msg_received_total",
			Help: "Total number of RPC stream messages received on the server.",
		}, labels),
		sent: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "grpc_server_msg_sent_total",
			Help: "Total number of gRPC stream messages sent by the server.",
		}, labels),
		handling: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "grpc_server_handling_seconds",
			Help:    "Histogram of response latency (seconds) of gRPC that had been application-level handled by the server.",
			Buckets: buckets,
		}, labels),
		methods: map[string]*methodMetrics{},
	}
}

// collectors returns the metrics to register.
func (r *rpcMetrics) collectors() []prometheus.Collector {
	return []prometheus.Collector{r.started, r.handled, r.received, r.sent, r.handling}
}

// initialize resolves the children of g's methods, which creates their
// series at zero (the handled counter for every code), so that rates exist
// before the first call, as the provider's InitializeMetrics does.
func (r *rpcMetrics) initialize(g *grpc.Server) {
	for svc, info := range g.GetServiceInfo() {
		for _, mi := range info.Methods {
			mm := r.resolve(methodType(mi.IsClientStream, mi.IsServerStream), svc, mi.Name)
			for c := range mm.handled {
				mm.handled[c] = r.handled.WithLabelValues(mm.labels[0], svc, mi.Name, codes.Code(c).String())
			}
			r.methods["/"+svc+"/"+mi.Name] = mm
		}
	}
}

// resolve returns the children of a method, but for its handled counters.
func (r *rpcMetrics) resolve(typ, service, method string) *methodMetrics {
	return &methodMetrics{
		started:  r.started.WithLabelValues(typ, service, method),
		received: r.received.WithLabelValues(typ, service, method),
		sent:     r.sent.WithLabelValues(typ, service, method),
		handling: r.handling.WithLabelValues(typ, service, method),
		labels:   [3]string{typ, service, method},
		vecs:     r,
	}
}

// method returns the children of the method fullMethod of type typ: the
// resolved ones of a method of the server, or ones looked up for this call.
func (r *rpcMetrics) method(fullMethod, typ string) *methodMetrics {
	if mm, ok := r.methods[fullMethod]; ok && mm.labels[0] == typ {
		return mm
	}
	service, method := splitMethod(fullMethod)
	return r.resolve(typ, service, method)
}

// methodType is the grpc_type of a method whose client and server stream
// as given.
func methodType(clientStream, serverStream bool) string {
	switch {
	case clientStream && serverStream:
		return grpcTypeBidiStream
	case clientStream:
		return grpcTypeClientStream
	case serverStream:
		return grpcTypeServerStream
	default:
		return grpcTypeUnary
	}
}

// unaryStarted records the start of a unary call: as the provider's
// interceptor has it, its request message counts as received.
func (mm *methodMetrics) unaryStarted() {
	mm.started.Inc()
	mm.received.Inc()
}

// unaryFinished records a unary call that ended with err after d: its
// response message counts as sent when the call succeeds.
func (mm *methodMetrics) unaryFinished(err error, d time.Duration) {
	if err == nil {
		mm.sent.Inc()
	}
	mm.finished(err, d)
}

// finished records a call that ended with err after d: its code and its
// handling time.
func (mm *methodMetrics) finished(err error, d time.Duration) {
	// The provider's code of an error: its status, or that of a context
	// error, as grpc-go itself reports it.
	s, ok := status.FromError(err)
	if !ok {
		s = status.FromContextError(err)
	}
	code := s.Code()
	if int(code) < numCodes && mm.handled[code] != nil {
		mm.handled[code].Inc()
	} else {
		mm.vecs.handled.WithLabelValues(mm.labels[0], mm.labels[1], mm.labels[2], code.String()).Inc()
	}
	mm.handling.Observe(d.Seconds())
}

// stream is the stream interceptor: the provider's, with the children
// resolved once per stream rather than per message.
func (r *rpcMetrics) stream(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
	start := time.Now()
	mm := r.method(info.FullMethod, methodType(info.IsClientStream, info.IsServerStream))
	mm.started.Inc()
	err := handler(srv, &countingStream{ServerStream: ss, m: mm})
	mm.finished(err, time.Since(start))
	return err
}

// countingStream counts the messages a stream receives and sends.
type countingStream struct {
	grpc.ServerStream
	m *methodMetrics
}

// SendMsg sends m and counts it when sent.
func (s *countingStream) SendMsg(m any) error {
	err := s.ServerStream.SendMsg(m)
	if err == nil {
		s.m.sent.Inc()
	}
	return err
}

// RecvMsg receives m and counts it when received.
func (s *countingStream) RecvMsg(m any) error {
	err := s.ServerStream.RecvMsg(m)
	if err == nil {
		s.m.received.Inc()
	}
	return err
}
