package httpapi

import (
	"bytes"
	"encoding/json"
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

// wireJob is one job as rudder-server sends it. Raw fields keep the exact
// bytes, so that metadata and destination are echoed as they came.
type wireJob struct {
	Message     json.RawMessage `json:"message"`
	Metadata    json.RawMessage `json:"metadata"`
	Destination json.RawMessage `json:"destination"`
	Connection  json.RawMessage `json:"connection"`
}

// compactedBody is the compacted format of both transforms:
// {input: [{message, metadata}], destinations: {id: destination},
// connections: {"sourceId:destinationId": connection}} (+ destType for the
// router).
type compactedBody struct {
	Input        []wireJob                  `json:"input"`
	DestType     string                     `json:"destType"`
	Destinations map[string]json.RawMessage `json:"destinations"`
	Connections  map[string]json.RawMessage `json:"connections"`
}

// routerBody is the plain format of the router transform.
type routerBody struct {
	Input    []wireJob `json:"input"`
	DestType string    `json:"destType"`
}

// job is one input job, read once.
type job struct {
	message    jsvalue.Value
	metadata   json.RawMessage // nil when absent
	meta       jsvalue.Value
	connection jsvalue.Value
	dest       *destination
	// err is set when the job cannot be mapped at all (its destination is
	// not in a compacted request).
	err *transform.Error
}

// destination is one distinct destination object of a request.
type destination struct {
	raw  json.RawMessage
	dest *transform.Destination
	// group is upstream's router grouping key: the destination's ID and its
	// configuration, key-sorted.
	group string
}

// decoder reads the jobs of one request, parsing each distinct
// destination once.
type decoder struct {
	dests map[string]*destination
}

// newJob reads one wire job, whose destination and connection are given
// raw.
func (d *decoder) newJob(w wireJob, destRaw, connRaw json.RawMessage) (job, error) {
	j := job{metadata: nonNull(w.Metadata)}
	var err error
	if j.message, err = parseRaw(w.Message); err != nil {
		return j, fmt.Errorf("message: %w", err)
	}
	if j.meta, err = parseRaw(j.metadata); err != nil {
		return j, fmt.Errorf("metadata: %w", err)
	}
	if j.connection, err = parseRaw(nonNull(connRaw)); err != nil {
		return j, fmt.Errorf("connection: %w", err)
	}
	if j.dest, err = d.destination(destRaw); err != nil {
		return j, fmt.Errorf("destination: %w", err)
	}
	return j, nil
}

// destination returns the parsed destination of raw.
func (d *decoder) destination(raw json.RawMessage) (*destination, error) {
	raw = nonNull(raw)
	if d.dests == nil {
		d.dests = map[string]*destination{}
	}
	if x, ok := d.dests[string(raw)]; ok {
		return x, nil
	}
	v, err := parseRaw(raw)
	if err != nil {
		return nil, err
	}
	x := &destination{raw: raw, dest: destinationOf(v), group: groupKey(v)}
	d.dests[string(raw)] = x
	return x, nil
}

// parseRaw parses a raw JSON field; an absent one is undefined. The field
// is encoding/json's copy of the request's bytes, never written again, so
// it is parsed in place.
func parseRaw(raw json.RawMessage) (jsvalue.Value, error) {
	if len(raw) == 0 {
		return jsvalue.Undefined(), nil
	}
	return jsvalue.ParseNoCopy(raw)
}

// nonNull returns raw, or nil when it is absent or JSON null.
func nonNull(raw json.RawMessage) json.RawMessage {
	if len(raw) == 0 || bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
		return nil
	}
	return raw
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
		SiteID: jsString(cfg.Get("siteID")),
		APIKey: jsString(cfg.Get("apiKey")),
		EU:     cfg.Get("datacenter").IsString() && cfg.Get("datacenter").Str() == "EU",
		Config: cfg,
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
	switch {
	case v.IsString():
		return v.Str()
	case v.IsNumber():
		return jsvalue.FormatNumber(v.Float())
	case v.IsArray():
		parts := make([]string, 0, v.Len())
		for _, e := range v.Elems() {
			if e.IsNullish() {
				parts = append(parts, "")
			} else {
				parts = append(parts, jsString(e))
			}
		}
		return strings.Join(parts, ",")
	case v.IsObject():
		return "[object Object]"
	}
	return "true"
}

// groupKey is upstream's router grouping key of a destination: its ID (or
// "default") and its Config written with sorted keys. Upstream ignores the
// Config when hasDynamicConfig is false; this service never merges
// different configurations (deviation D8).
func groupKey(v jsvalue.Value) string {
	buf := []byte("default")
	if id := v.Get("ID"); id.Truthy() {
		buf = id.AppendJSON(buf[:0])
	}
	buf = append(buf, 0)
	return string(appendSorted(buf, v.Get("Config")))
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

// decodePlainJobs reads the jobs of a plain request, each with its own
// destination and connection.
func decodePlainJobs(in []wireJob) ([]job, error) {
	var d decoder
	jobs := make([]job, len(in))
	for i, w := range in {
		j, err := d.newJob(w, w.Destination, w.Connection)
		if err != nil {
			return nil, fmt.Errorf("job %d: %w", i, err)
		}
		jobs[i] = j
	}
	return jobs, nil
}

// decodeCompactedJobs reads the jobs of a compacted request: a job's
// destination is destinations[metadata.destinationId] and its connection
// connections["<sourceId>:<destinationId>"]. A job whose destination is
// missing gets a 400 of its own; a missing connection reads as none.
func decodeCompactedJobs(b *compactedBody) ([]job, error) {
	var d decoder
	jobs := make([]job, len(b.Input))
	for i, w := range b.Input {
		meta, err := parseRaw(nonNull(w.Metadata))
		if err != nil {
			return nil, fmt.Errorf("job %d: metadata: %w", i, err)
		}
		destID := metaString(meta, "destinationId")
		destRaw, found := b.Destinations[destID]
		connRaw := b.Connections[metaString(meta, "sourceId")+":"+destID]
		j, err := d.newJob(w, destRaw, connRaw)
		if err != nil {
			return nil, fmt.Errorf("job %d: %w", i, err)
		}
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
