package server

import (
	ciotransformerv1 "github.com/cio-transformer/cio-transformer/gen/ciotransformer/v1"
	"github.com/cio-transformer/cio-transformer/internal/jsvalue"
	"github.com/cio-transformer/cio-transformer/transform"
)

// dontBatchKey is the job metadata key with which RudderStack asks for a job
// to be sent in a request of its own.
const dontBatchKey = "dontBatch"

// v2Batch reports whether the destination selects API mode v2, where every
// job becomes an object of a /api/v2/batch request.
func v2Batch(d *ciotransformerv1.Destination) bool {
	return d.GetApiMode() == ciotransformerv1.ApiMode_API_MODE_V2_BATCH
}

// batchLimits returns the limits of the batches of the destination's API
// mode.
func batchLimits(d *ciotransformerv1.Destination) transform.Limits {
	return Mode{V2: v2Batch(d)}.Limits()
}

// mapEvent maps a job's event in the API mode v2 selects (see Mode.Map);
// no event produces more than maxEventBytes (zero is the default).
func mapEvent(job *ciotransformerv1.Job, ev jsvalue.Value, dest *transform.Destination, v2 bool, maxEventBytes int) transform.Result {
	m := Mode{V2: v2, MaxEventBytes: maxEventBytes}
	if !v2 {
		return m.Map(ev, jsvalue.Undefined(), false, dest)
	}
	return m.Map(ev, connectionValue(job.GetConnection()), dontBatch(job), dest)
}

// dontBatch reports whether the job's metadata has dontBatch set to true,
// the one value upstream honours.
func dontBatch(job *ciotransformerv1.Job) bool {
	v, ok := job.GetMetadata().GetFields()[dontBatchKey]
	return ok && v.GetBoolValue()
}

// connectionValue converts a job's connection to the part of RudderStack's
// connection object the mapping reads, {"config": ...}; undefined when the
// job has none.
func connectionValue(c *ciotransformerv1.Connection) jsvalue.Value {
	if c == nil {
		return jsvalue.Undefined()
	}
	v := jsvalue.NewObject(1)
	if cfg := c.GetConfig(); cfg != nil {
		v.Set("config", structValue(cfg))
	}
	return v
}
