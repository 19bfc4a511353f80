// Package server serves the TransformerService over gRPC: it decodes jobs,
// runs them through package transform, batches group objects and answers
// with per-job results.
//
// New builds the whole server (interceptor chain, health, reflection) from a
// Config, so the binary and the tests run the same stack. The interceptor
// chain is, outermost first: call accounting, logging (one line per finished
// call, never payloads or credentials), recovery (a panic becomes Internal,
// its stack goes to the log) and envelope validation (InvalidArgument with
// field violations). Problems with an event's content are never RPC errors:
// they are per-job results.
package server
