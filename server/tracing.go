package server

import (
	"context"
	"strings"

	ciotransformerv1 "github.com/cio-transformer/cio-transformer/gen/ciotransformer/v1"
	"go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc"
	"google.golang.org/grpc/stats"
)

// Tracing: with Config.TracerProvider set, every call but health checks and
// reflection gets one server span from otelgrpc's stats handler.
//
//   - Its parent is the W3C trace context ("traceparent", "tracestate") the
//     client sends in the call's gRPC metadata, when there is one.
//   - A call carries jobs of many events, each possibly from its own trace
//     (rudder-server puts a "traceparent" in each job's metadata). A span has
//     only one parent, so those become links of the call's span, one per
//     distinct trace context, at most maxJobLinks per call.
//   - The span's attribute JobsAttribute counts the jobs the call handled.
//
// Spans carry the method, status code and peer address that otelgrpc
// records, and message sizes: never a payload, metadata value or secret.

// JobsAttribute is the span attribute holding the number of jobs a call
// handled.
const JobsAttribute = attribute.Key("cio.jobs")

// maxJobLinks bounds the links one call's span gets from job metadata: the
// OpenTelemetry SDK keeps 128 links per span by default and drops the rest,
// so reading further traceparents would be work for nothing.
const maxJobLinks = 128

// tracePropagator reads the W3C trace context and baggage of a call's
// metadata.
var tracePropagator = propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{})

// tracingHandler is the stats handler that traces calls with tp, or nil
// when tp is nil.
func tracingHandler(tp trace.TracerProvider) stats.Handler {
	if tp == nil {
		return nil
	}
	return otelgrpc.NewServerHandler(
		otelgrpc.WithTracerProvider(tp),
		otelgrpc.WithPropagators(tracePropagator),
		otelgrpc.WithFilter(func(info *stats.RPCTagInfo) bool {
			return !strings.HasPrefix(info.FullMethodName, "/grpc.health.v1.") &&
				!strings.HasPrefix(info.FullMethodName, "/grpc.reflection.")
		}),
	)
}

// linkUnary links the job of a unary call's request to the call's span and
// returns the span, for recordJobs once the call is done, or nil when the
// span does not record.
func linkUnary(ctx context.Context, req any) trace.Span {
	span := trace.SpanFromContext(ctx)
	if !span.IsRecording() {
		return nil
	}
	l := jobLinker{span: span}
	if r, ok := req.(*ciotransformerv1.TransformRequest); ok {
		l.link(r.GetJob())
	}
	return span
}

// traceStream records a stream's jobs on its span. It must run inside
// streamCallStats. It is nil when tracing is off.
func traceStream(tp trace.TracerProvider) grpc.StreamServerInterceptor {
	if tp == nil {
		return nil
	}
	return func(srv any, ss grpc.ServerStream, _ *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
		ctx := ss.Context()
		span := trace.SpanFromContext(ctx)
		if !span.IsRecording() {
			return handler(srv, ss)
		}
		defer recordJobs(ctx, span)
		return handler(srv, &linkingStream{ServerStream: ss, linker: jobLinker{span: span}})
	}
}

// recordJobs sets the number of jobs ctx's call handled on span.
func recordJobs(ctx context.Context, span trace.Span) {
	if c := callStatsFrom(ctx); c != nil {
		span.SetAttributes(JobsAttribute.Int64(c.jobs.Load()))
	}
}

// linkingStream links the jobs of every request message it receives.
type linkingStream struct {
	grpc.ServerStream
	linker jobLinker
}

// RecvMsg receives a message and links its jobs' trace contexts.
func (s *linkingStream) RecvMsg(m any) error {
	if err := s.ServerStream.RecvMsg(m); err != nil {
		return err
	}
	if r, ok := m.(*ciotransformerv1.TransformBatchRequest); ok {
		for _, j := range r.GetJobs() {
			if !s.linker.link(j) {
				break
			}
		}
	}
	return nil
}

// jobLinker adds the trace contexts of jobs' metadata to a span as links,
// each distinct one once, up to maxJobLinks. A stream receives messages one
// at a time, so it needs no lock.
type jobLinker struct {
	span trace.Span
	seen map[spanKey]struct{}
}

// spanKey identifies a span context; trace.SpanContext itself is not
// comparable.
type spanKey struct {
	trace trace.TraceID
	span  trace.SpanID
}

// link adds the trace context of j's metadata "traceparent" (and
// "tracestate") as a link. It reports whether more links may be added.
func (l *jobLinker) link(j *ciotransformerv1.Job) bool {
	if len(l.seen) >= maxJobLinks {
		return false
	}
	fields := j.GetMetadata().GetFields()
	tp := fields["traceparent"].GetStringValue()
	if tp == "" {
		return true
	}
	carrier := propagation.MapCarrier{"traceparent": tp}
	if ts := fields["tracestate"].GetStringValue(); ts != "" {
		carrier["tracestate"] = ts
	}
	sc := trace.SpanContextFromContext(propagation.TraceContext{}.Extract(context.Background(), carrier))
	if !sc.IsValid() {
		return true
	}
	key := spanKey{trace: sc.TraceID(), span: sc.SpanID()}
	if _, dup := l.seen[key]; dup {
		return true
	}
	if l.seen == nil {
		l.seen = map[spanKey]struct{}{}
	}
	l.seen[key] = struct{}{}
	l.span.AddLink(trace.Link{SpanContext: sc})
	return true
}
