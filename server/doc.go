// Package server serves the TransformerService over gRPC: it decodes jobs,
// runs them through package transform, batches group objects and answers
// with per-job results. Deliver and DeliverBatch send the requests to
// Customer.io through package server/delivery and answer every job's
// outcome. Comments that cite "deviation Dn" mean the numbered entries of
// docs/DEVIATIONS.md.
//
// New builds the whole server (interceptor chain, health, reflection) from a
// Config, so the binary and the tests run the same stack. The interceptor
// chain is, outermost first: the gRPC Prometheus metrics (when
// Config.Metrics is set), call accounting, logging (one line per finished
// call, never payloads or credentials), recovery (a panic becomes Internal,
// its stack goes to the log), the bearer token check (when Config.AuthToken
// is set; health is exempt), the decoding check (a request message that is
// not valid protobuf is InvalidArgument, see requestCodec), envelope
// validation (InvalidArgument with field violations) and, for streams, the
// shutdown drain. Problems with an event's content are never RPC errors:
// they are per-job results.
package server
