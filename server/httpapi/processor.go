package httpapi

import (
	"sync"

	"github.com/cio-transformer/cio-transformer/internal/jsvalue"
	"github.com/cio-transformer/cio-transformer/transform"
)

// processJob maps one job as the processor transform does, into a, within
// what the request may still produce: in API mode v1, a group event's
// object sent as a batch of one (deviation D1). mode carries the per-event
// limits; its V2 is not read.
func processJob(j *job, mode transform.Mode, a *transform.Arena, produced *transform.Output) (*transform.Request, *transform.Error) {
	if j.err != nil {
		return nil, j.err
	}
	e := transform.Alone(j.dest.dest, produced.MapIn(mode, a, transform.Job{Event: j.message}, j.dest.dest, 0))
	return e.Request, e.Err
}

// appendProcessorResponse writes the processor transform's answer: an
// array with one element per job, in input order. It counts the outcomes
// in tally. Each job is mapped into one arena, reset once the job's
// element is written.
func appendProcessorResponse(dst []byte, jobs []job, mode transform.Mode, tally *jobTally) []byte {
	a := resultArenas.Get().(*transform.Arena)
	defer resultArenas.Put(a)
	// The request's events together produce at most the per-event cap and
	// a few times their size (see transform.Output).
	produced := mode.NewOutput()
	dst = append(dst, '[')
	for i := range jobs {
		if i > 0 {
			dst = append(dst, ',')
		}
		j := &jobs[i]
		req, err := processJob(j, mode, a, &produced)
		tally.add(err == nil)
		dst = append(dst, '{')
		if j.metadata != "" {
			dst = append(dst, `"metadata":`...)
			dst = append(dst, j.metadata...)
			dst = append(dst, ',')
		}
		if err != nil {
			dst = append(dst, `"statusCode":`...)
			dst = appendStatus(dst, err.StatusCode)
			dst = append(dst, `,"error":`...)
			dst = jsvalue.AppendJSONString(dst, err.Message)
			dst = append(dst, `,"statTags":`...)
			dst = appendStatTags(dst, err, featureProcessor, j.meta)
		} else {
			dst = append(dst, `"output":`...)
			dst = appendRequest(dst, req, processorUserID)
			dst = append(dst, `,"statusCode":200`...)
		}
		dst = append(dst, '}')
		a.Reset()
	}
	return append(dst, ']')
}

// resultArenas lends the arenas requests are mapped into (see
// transform.Arena): their results are done with once written into the
// answer.
var resultArenas = sync.Pool{New: func() any { return new(transform.Arena) }}
