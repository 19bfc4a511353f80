// Package streamtest is a pipelining TransformBatch client for tests and
// tools: it sends its request messages without waiting for answers, as a
// router does, receives every response until the stream ends, and checks
// the stream's contract on the way (answers only to sent request ids, in
// request order, nothing after a final response, every job of an answered
// request exactly once).
package streamtest
