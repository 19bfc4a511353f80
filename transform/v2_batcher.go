package transform

import "math"

// V2Limits returns the limits of API mode v2 batches: MaxBatchBytes bytes
// per body, DefaultMaxEventBytes per event, and no cap on the number of
// objects, as upstream's batching
// framework has none for Customer.io. A Batcher with these limits chunks
// API mode v2 results as upstream does (an object that would take the body
// over the limit starts a new batch), and keeps each user's events in order
// (deviation D3) where upstream sorts its requests by their smallest job id.
func V2Limits() Limits {
	return Limits{MaxObjects: math.MaxInt, MaxBytes: MaxBatchBytes, MaxEventBytes: DefaultMaxEventBytes}
}

// unbatched returns r, a result of mapV2, as a request of its own: a
// batch holding only its object, as upstream sends a job whose metadata sets
// dontBatch. A Batcher passes it through like any request, after the open
// batch when that shares an ordering key with it. Errors are returned as
// they are; the type is kept.
func unbatched(dest *Destination, r Result) Result {
	if r.Err != nil || len(r.Object) == 0 {
		return r
	}
	return Result{Request: batchOfOne(dest, Result{Object: r.Object}), Keys: r.Keys, Type: r.Type}
}
