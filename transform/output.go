package transform

import (
	"strconv"
	"strings"
)

// RequestOutputFactor is how many times the bytes of its events the jobs
// of one request may produce together, beyond the per-event cap (see
// Output).
const RequestOutputFactor = 8

// Output bounds what the events of one request produce together: the
// per-event cap (Limits.MaxEventBytes), which a request of one event may
// always spend, and RequestOutputFactor times the bytes of each event
// mapped. An event is mapped with its cap lowered to what is left, so
// that a request of many small events, each of which expands to the
// per-event cap (thousands of in-bound array indexes from a few bytes of
// key paths), fails its later events early and cheaply rather than
// producing a thousand times its size. Events produce about their own
// size, so no request of events Customer.io would take comes near it.
//
// The zero Output bounds nothing.
type Output struct {
	left    int
	bounded bool
}

// NewOutput returns the bound of one request's events mapped in mode m.
func (m Mode) NewOutput() Output {
	return Output{left: m.eventCap(), bounded: true}
}

// eventCap returns the per-event cap of mode m.
func (m Mode) eventCap() int {
	if m.MaxEventBytes > 0 {
		return m.MaxEventBytes
	}
	return DefaultMaxEventBytes
}

// MapIn maps job as m.MapIn does, within what the request may still
// produce, and counts what it produced. size is the bytes the event took
// in its request; when it is zero they are read from job.Raw or the text
// of job.Event.
func (o *Output) MapIn(m Mode, a *Arena, job Job, dest *Destination, size int) Result {
	if !o.bounded {
		return m.MapIn(a, job, dest)
	}
	if size == 0 {
		size = job.size()
	}
	o.left += RequestOutputFactor * size
	limit := m.eventCap()
	short := o.left < limit
	if short {
		limit = max(o.left, 1)
		m.MaxEventBytes = limit
	}
	r := m.MapIn(a, job, dest)
	if r.Err == nil || !overCap(r.Err, limit) {
		o.left -= outputBytes(r)
		return r
	}
	// An event over its cap built about as much before it failed: it
	// spends what it was given, so that events failing one after another
	// cost no more than the bound, and the next event has its own share.
	o.left = max(o.left-limit, 0)
	if short {
		r.Err = requestOutputError(limit)
	}
	return r
}

// overCap reports whether e is the error of an event over a cap of limit
// bytes.
func overCap(e *Error, limit int) bool {
	return strings.HasPrefix(e.Message, overCapPrefix) && e.Message == eventTooLargeError(limit).Message
}

// size returns the bytes of the job's event: its raw JSON, or the text
// of its value; zero when neither tells.
func (j Job) size() int {
	if j.Raw != nil {
		return len(j.Raw)
	}
	if text, ok := j.Event.SourceText(); ok {
		return len(text)
	}
	return 0
}

// outputBytes returns what r produced, as the per-event cap counts it:
// its request body or its batch object.
func outputBytes(r Result) int {
	if r.Request != nil {
		return len(r.Request.Body)
	}
	return len(r.Object)
}

// requestOutputError is the error of an event over what its request may
// still produce, left bytes.
func requestOutputError(left int) *Error {
	return instrumentationError(overCapPrefix + strconv.Itoa(left) +
		" bytes, what is left of its request's output limit (the per-event limit and " +
		strconv.Itoa(RequestOutputFactor) + " times the size of the request's events): send it in a request of its own")
}
