package transform

import "github.com/cio-transformer/cio-transformer/internal/jsvalue"

// Mode is how the jobs of a destination are mapped and batched: API mode v1
// (upstream's processor and legacy router) or API mode v2 (upstream's
// batching framework). Map is the one entry every face of the service maps
// jobs through; Limits are the limits of the Batcher their results go to.
type Mode struct {
	// V2 selects API mode v2, where every job becomes an object of a
	// /api/v2/batch request.
	V2 bool
	// MaxEventBytes caps the bytes one event may produce; zero or less is
	// DefaultMaxEventBytes.
	MaxEventBytes int
}

// Job is one job as the mapping reads it: its event and the facts about it
// that decide how it is sent.
type Job struct {
	// Raw is the event's JSON text, which Map parses; nil when the event
	// came as a value (Event) or not at all.
	Raw []byte
	// RawImmutable promises that Raw is never changed once Map has it (a
	// buffer received for this one job, or a message's copy of its jobs):
	// Map then parses Raw in place (jsvalue.ParseLeased) rather than a
	// copy of it. What Map returns refers to no byte of Raw either way.
	RawImmutable bool
	// Event is the event as a JSON value, read when Raw is nil.
	Event jsvalue.Value
	// Missing is set when the job carries no event at all, which fails it
	// with a 400.
	Missing bool
	// Connection is the job's RudderStack connection object,
	// {"config": ...}, or undefined when the job has none; only record
	// events of API mode v2 read it.
	Connection jsvalue.Value
	// DontBatch is set when the job's metadata has dontBatch set to true:
	// in API mode v2 the job is then sent in a request of its own.
	DontBatch bool
}

// Limits returns the limits of the batches of the mode (DefaultLimits or
// V2Limits) with its per-event cap.
func (m Mode) Limits() Limits {
	l := DefaultLimits()
	if m.V2 {
		l = V2Limits()
	}
	if m.MaxEventBytes > 0 {
		l.MaxEventBytes = m.MaxEventBytes
	}
	return l
}

// Map maps one job for dest in the mode: in API mode v2 as its
// /api/v2/batch object (mapV2), or as a request of its own, a batch of
// one, when the job sets DontBatch; in API mode v1 as its request, or a
// group event's object (mapV1). A
// job whose event cannot be read gets a 400 of its own. The result names
// the event's type (Result.Type). Map never panics and never modifies the
// job.
func (m Mode) Map(job Job, dest *Destination) Result {
	return m.MapIn(nil, job, dest)
}

// MapIn maps one job as Map does, into a when a is not nil: the result's
// request, body, object and ordering keys are then a's, valid until a is
// reset (see Arena).
func (m Mode) MapIn(a *Arena, job Job, dest *Destination) Result {
	ev, lease, err := job.event()
	if err != nil {
		return Result{Err: err}
	}
	r := m.mapEvent(ev, job, dest, a)
	if a != nil {
		// The objects the mapping built are written out in r by now.
		a.scratch.Reset()
	}
	if lease != nil {
		// A Result holds no Value (TestResultHoldsNoValue) and none of
		// the event's text (TestResultOwnsItsText): the event's document
		// is done with.
		lease.Release()
	}
	return r
}

// mapEvent maps the job's event ev.
func (m Mode) mapEvent(ev jsvalue.Value, job Job, dest *Destination, a *Arena) Result {
	l := Limits{MaxEventBytes: m.MaxEventBytes}
	// mapV1 and mapV2 name the type they dispatched on.
	switch {
	case !m.V2:
		return l.mapV1(ev, dest, a)
	case job.DontBatch:
		return unbatched(dest, l.mapV2(ev, job.Connection, dest, a))
	}
	return l.mapV2(ev, job.Connection, dest, a)
}

// event returns the job's event, parsed from Raw when set, or the 400 of an
// event that cannot be read. Raw JSON that is valid but not an object
// (null, an array, a string, a number, a boolean) is passed on: the
// mapping reads it as an event without a type, as upstream does, and
// answers with upstream's wording for that. Raw that is immutable is
// parsed in place into lent storage (jsvalue.ParseLeased), whose lease the
// caller releases once done with the event; the lease is nil otherwise.
func (j *Job) event() (jsvalue.Value, *jsvalue.Lease, *Error) {
	if j.Raw != nil {
		var (
			v     jsvalue.Value
			lease *jsvalue.Lease
			err   error
		)
		if j.RawImmutable {
			v, lease, err = jsvalue.ParseLeased(j.Raw)
		} else {
			v, err = jsvalue.Parse(j.Raw)
		}
		if err != nil {
			return jsvalue.Value{}, nil, instrumentationError("Event is not valid JSON: " + err.Error())
		}
		return v, lease, nil
	}
	if j.Missing {
		return jsvalue.Value{}, nil, instrumentationError("Event is missing")
	}
	return j.Event, nil, nil
}

// Alone returns the entry of a job answered on its own (a Transform call, a
// processor transform) whose result is r: its request, its error, or its
// lone object (a group event's, or in API mode v2 any event's) as a batch
// of one (deviation D1).
func Alone(dest *Destination, r Result) Entry {
	jobs := []int{0}
	switch {
	case r.Err != nil:
		return Entry{Jobs: jobs, Err: r.Err}
	case r.Object != nil:
		return Entry{Jobs: jobs, Request: batchOfOne(dest, r)}
	}
	return Entry{Jobs: jobs, Request: r.Request}
}

// InternalError is the error of a job whose mapping panicked: a bug, which
// costs that job only. The message is fixed, since a panic value could
// carry event content.
func InternalError() *Error {
	return &Error{StatusCode: 500, Message: "internal error", Category: CategoryTransformation}
}
