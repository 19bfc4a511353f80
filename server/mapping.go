package server

import (
	"github.com/cio-transformer/cio-transformer/internal/jsvalue"
	"github.com/cio-transformer/cio-transformer/transform"
)

// Mode is how a request's jobs are mapped and batched: API mode v1
// (upstream's processor and legacy router) or API mode v2 (upstream's
// batching framework).
type Mode struct {
	// V2 selects API mode v2, where every job becomes an object of a
	// /api/v2/batch request.
	V2 bool
	// MaxEventBytes caps the bytes one event may produce; zero is
	// transform.DefaultMaxEventBytes.
	MaxEventBytes int
}

// Limits returns the limits of the batches of the mode.
func (m Mode) Limits() transform.Limits {
	if m.V2 {
		return transform.V2Limits()
	}
	return transform.DefaultLimits()
}

// Map maps one job's event in the mode: in API mode v2 as its
// /api/v2/batch object, or as a request of its own when dontBatch is set
// (the job's metadata asks for it); else as API mode v1 maps it.
// connection is the job's connection object ({"config": ...}) or undefined;
// only API mode v2 reads it. Every face of the service maps jobs here.
func (m Mode) Map(ev, connection jsvalue.Value, dontBatch bool, dest *transform.Destination) transform.Result {
	limits := transform.Limits{MaxEventBytes: m.MaxEventBytes}
	if !m.V2 {
		return limits.Transform(ev, dest)
	}
	r := limits.BatchPayload(ev, connection, dest)
	if dontBatch {
		r = transform.Unbatched(dest, r)
	}
	return r
}
