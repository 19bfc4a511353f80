// Package streamtest is the pipelining TransformBatch client of the tests
// and tools: it sends its request messages without waiting for answers, as
// a router does (all at once, or at most a window of them unanswered),
// receives every response until the stream ends, and checks the stream's
// contract on the way (answers only to sent request ids, in request order,
// nothing after a final response, every job of an answered request exactly
// once).
//
// A Pipeline runs over the generated client stream, or over a stream of a
// codec of the caller's own (a grpc.GenericClientStream) that sends frames
// encoded in advance and reads of each response only what it needs, as a
// load generator does to stay cheap.
package streamtest
