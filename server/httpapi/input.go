package httpapi

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/cio-transformer/cio-transformer/internal/jsvalue"
	"github.com/cio-transformer/cio-transformer/transform"
)

// contentFormatHeader and compactedV1 mark rudder-server's compacted
// request format: destinations and connections sent once, in maps, rather
// than with every job.
const (
	contentFormatHeader = "X-Content-Format"
	compactedV1         = "json+compactedv1"
)

// A request body is parsed once, as one JSON document, and its jobs are
// read from it: each job's message, metadata, destination and connection
// are Values of that document, read only as far as the mapping reads them.
// The formats (rudder-server sends each in plain or compacted form):
//
//	processor, plain:     [{message, metadata, destination, connection}]
//	router, plain:        {input: [{message, metadata, destination, connection}], destType}
//	compacted, both:      {input: [{message, metadata}], destinations: {id: destination},
//	                       connections: {"sourceId:destinationId": connection}} (+ destType for the router)
//
// Metadata and destinations are echoed in the answer as they came.

// parseBody parses a request body. The body is the request's own, never
// written again, so it is parsed in place, into lent storage whose lease
// the caller releases once the answer is made (the answer holds no Value
// of the body).
func parseBody(data []byte) (jsvalue.Value, *jsvalue.Lease, error) {
	return jsvalue.ParseLeased(data)
}

// routerDestType returns the destType of a router body, "" when it has
// none.
func routerDestType(body jsvalue.Value) (string, error) {
	if _, err := objectOrNone(body, "the body"); err != nil {
		return "", err
	}
	switch dt := body.Get("destType"); {
	case dt.IsString():
		return dt.Str(), nil
	case dt.IsNullish():
		return "", nil
	}
	return "", errors.New("destType is not a string")
}

// inputJobs returns the jobs of a request's input array, at most limit; an
// absent or null input has none, as does a null job.
func inputJobs(input jsvalue.Value, limit int) ([]jsvalue.Value, error) {
	switch {
	case input.IsNullish():
		return nil, nil
	case !input.IsArray():
		return nil, errors.New("the jobs are not an array")
	case input.Len() > limit:
		return nil, tooManyJobs{n: input.Len(), limit: limit}
	}
	jobs := input.Elems()
	for i, j := range jobs {
		if !j.IsObject() && !j.IsNull() {
			return nil, fmt.Errorf("job %d is not an object", i)
		}
	}
	return jobs, nil
}

// objectOrNone returns v, an object of a request, or none when it is
// absent or null; name names it in the error of any other value.
func objectOrNone(v jsvalue.Value, name string) (jsvalue.Value, error) {
	switch {
	case v.IsObject():
		return v, nil
	case v.IsNullish():
		return jsvalue.Undefined(), nil
	}
	return jsvalue.Value{}, errors.New(name + " is not an object")
}

// job is one input job, read once.
type job struct {
	message jsvalue.Value
	// metadata is the text of the job's metadata as it came, "" when it
	// is absent.
	metadata   string
	meta       jsvalue.Value
	connection jsvalue.Value
	dest       *destination
	// group is upstream's router grouping key of the job (see groupKey).
	group string
	// err is set when the job cannot be mapped at all (its destination is
	// not in a compacted request).
	err *transform.Error
}

// destination is one distinct destination object of a request.
type destination struct {
	// raw is the destination's text as it came, "" when it is absent or
	// null.
	raw  string
	dest *transform.Destination
	// id and config are the destination's parts of upstream's router
	// grouping key (see groupKey), and group the key of a job without a
	// sources job id.
	id, config, group string
}

// decoder reads the jobs of one request, reading each distinct
// destination once.
type decoder struct {
	dests map[string]*destination
}

// newJob reads one job, a Value of the request (null or an object), whose
// destination and connection are given.
func (d *decoder) newJob(w, dest, conn jsvalue.Value) job {
	meta := w.Get("metadata")
	j := job{message: w.Get("message"), meta: nonNull(meta), connection: nonNull(conn)}
	j.metadata = sourceText(meta)
	j.dest = d.destination(nonNull(dest))
	j.group = j.dest.group
	if id := w.Path("context", "sources", "job_id"); id.Truthy() {
		j.group = groupKey(j.dest.id, id.JSString(), j.dest.config)
	}
	return j
}

// destination returns the destination of v, read once for all the jobs
// whose destination has the same text.
func (d *decoder) destination(v jsvalue.Value) *destination {
	raw := sourceText(v)
	if d.dests == nil {
		d.dests = map[string]*destination{}
	}
	if x, ok := d.dests[raw]; ok {
		return x
	}
	x := &destination{raw: raw, dest: destinationOf(v), id: "default", config: "default"}
	if id := v.Get("ID"); id.Truthy() {
		x.id = id.JSString()
	}
	// Only hasDynamicConfig false leaves the configuration out.
	if c := v.Get("Config"); c.Truthy() && !isFalse(v.Get("hasDynamicConfig")) {
		x.config = string(appendSorted(nil, c))
	}
	x.group = groupKey(x.id, "default", x.config)
	d.dests[raw] = x
	return x
}

// isFalse reports whether v is the boolean false.
func isFalse(v jsvalue.Value) bool { return v.Kind() == jsvalue.KindBool && !v.Bool() }

// nonNull returns v, or undefined when it is null.
func nonNull(v jsvalue.Value) jsvalue.Value {
	if v.IsNull() {
		return jsvalue.Undefined()
	}
	return v
}

// sourceText returns the text of v as it came in the request: an object's
// or array's own text, any other value as JSON.stringify writes it; ""
// for undefined.
func sourceText(v jsvalue.Value) string {
	if v.IsUndefined() {
		return ""
	}
	if text, ok := v.SourceText(); ok {
		return text
	}
	return string(v.AppendJSON(nil))
}

// destinationOf converts a RudderStack destination object ({ID, Config,
// ...}) to the mapper's, reading its Config as upstream does: a
// credential that is falsy (absent, null, "", 0, false) is missing, any
// other value is its JavaScript string; only the exact string "EU" selects
// the EU. The raw Config goes along, so that API mode v2 checks it as
// upstream's schema does.
func destinationOf(v jsvalue.Value) *transform.Destination {
	cfg := v.Get("Config")
	c := transform.DestinationConfig{
		SiteID:    jsString(cfg.Get("siteID")),
		APIKey:    jsString(cfg.Get("apiKey")),
		EU:        cfg.Get("datacenter").IsString() && cfg.Get("datacenter").Str() == "EU",
		Config:    cfg,
		RawConfig: true,
	}
	if id := v.Get("ID"); id.IsString() {
		c.ID = id.Str()
	}
	if name := cfg.Get("deviceTokenEventName"); name.IsString() {
		c.DeviceTokenEventName = name.Str()
	}
	return transform.NewDestination(c)
}

// jsString returns a configuration value as JavaScript's String() prints
// it, or "" when it is falsy.
func jsString(v jsvalue.Value) string {
	if !v.Truthy() {
		return ""
	}
	return v.JSString()
}

// groupKey is upstream's router grouping key of a job: its destination's
// ID, the id of the sources job it comes from (context.sources.job_id) and
// its destination's configuration written with sorted keys, each "default"
// when falsy, the configuration also when the destination's
// hasDynamicConfig is false, joined with commas as JavaScript's String()
// of an array joins them.
// Jobs of a group may then have different configurations: the group is
// mapped and batched in one pass, each job with its own, and a batch
// never holds jobs of different ones (deviation D8, see routeJobs).
func groupKey(id, sourcesJob, config string) string {
	return id + "," + sourcesJob + "," + config
}

// appendSorted writes v as JSON with every object's keys sorted.
func appendSorted(dst []byte, v jsvalue.Value) []byte {
	switch {
	case v.IsObject():
		members := slices.Clone(v.Members())
		slices.SortFunc(members, func(a, b jsvalue.Member) int { return strings.Compare(a.Key, b.Key) })
		dst = append(dst, '{')
		for i, m := range members {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = jsvalue.AppendJSONString(dst, m.Key)
			dst = append(dst, ':')
			dst = appendSorted(dst, m.Value)
		}
		return append(dst, '}')
	case v.IsArray():
		dst = append(dst, '[')
		for i, e := range v.Elems() {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendSorted(dst, e)
		}
		return append(dst, ']')
	case v.IsUndefined():
		return dst
	}
	return v.AppendJSON(dst)
}

// metaString returns a metadata member as JavaScript's template strings
// print it ("undefined" when absent), the way upstream builds the keys of
// compacted requests.
func metaString(meta jsvalue.Value, key string) string {
	v := meta.Get(key)
	switch {
	case v.IsUndefined():
		return "undefined"
	case v.IsNull():
		return "null"
	case v.IsString():
		return v.Str()
	case v.IsNumber():
		return jsvalue.FormatNumber(v.Float())
	}
	return string(v.AppendJSON(nil))
}

// decodePlainJobs reads the jobs of a plain request, the array in, each
// with its own destination and connection.
func decodePlainJobs(in jsvalue.Value, limit int) ([]job, error) {
	ws, err := inputJobs(in, limit)
	if err != nil {
		return nil, err
	}
	var d decoder
	jobs := make([]job, len(ws))
	for i, w := range ws {
		jobs[i] = d.newJob(w, w.Get("destination"), w.Get("connection"))
	}
	return jobs, nil
}

// decodeCompactedJobs reads the jobs of a compacted request body: a job's
// destination is destinations[metadata.destinationId] and its connection
// connections["<sourceId>:<destinationId>"]. A job whose destination is
// missing gets a 400 of its own; a missing connection reads as none.
//
// A compacted body is taken when its plain form would be: its
// destinations and connections, written out once for each job as the
// plain form carries them (and as a router answer echoes a destination,
// or an error a connection's object), may come to at most maxBytes, the
// limit of a body. Otherwise a few small jobs sharing one large
// destination or connection would make the answer, and the jobs' grouping
// keys, many times the body.
func decodeCompactedJobs(body jsvalue.Value, limit, maxBytes int) ([]job, error) {
	if _, err := objectOrNone(body, "the body"); err != nil {
		return nil, err
	}
	ws, err := inputJobs(body.Get("input"), limit)
	if err != nil {
		return nil, err
	}
	dests, err := objectOrNone(body.Get("destinations"), "destinations")
	if err != nil {
		return nil, err
	}
	conns, err := objectOrNone(body.Get("connections"), "connections")
	if err != nil {
		return nil, err
	}
	var d decoder
	jobs := make([]job, len(ws))
	written := 0
	for i, w := range ws {
		meta := nonNull(w.Get("metadata"))
		destID := metaString(meta, "destinationId")
		dest := dests.Get(destID)
		found := !dest.IsUndefined()
		conn := conns.Get(metaString(meta, "sourceId") + ":" + destID)
		if written += len(sourceText(dest)) + len(sourceText(conn)); written > maxBytes {
			return nil, destinationsTooLarge{jobs: len(ws), limit: maxBytes}
		}
		j := d.newJob(w, dest, conn)
		if !found {
			j.err = &transform.Error{
				StatusCode: 400,
				Message:    "no destination found for id " + destID,
				Category:   transform.CategoryDataValidation,
				Type:       transform.TypeConfiguration,
			}
		}
		jobs[i] = j
	}
	return jobs, nil
}
