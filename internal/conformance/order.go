package conformance

import (
	"bytes"
	"encoding/json"
	"math"
	"strings"
)

// orderingKeys returns an event's ordering keys (deviation D3): user:<id>
// and anon:<anonymousId> when present, email:<email> when present, for an
// alias also user:<previousId>, and for a group object:<type>/<id> of the
// object it produced (object is nil for other events). The identifiers are
// resolved as the transformer resolves them (the reverse-ETL override, then
// the first truthy, false or 0 of each identifier's sources), with
// the id fields of deviation D5 read as strings. They come from the input
// because upstream's answers do not hold them all: the request of an
// identified event shows neither its anonymous id nor its email, and a
// path id does not say whether it is a user id or an email.
func orderingKeys(message any, object map[string]any) []string {
	m, ok := message.(map[string]any)
	if !ok {
		return nil
	}
	applyRETL(m)
	var keys []string
	add := func(prefix string, v any) {
		if truthy(v) {
			keys = append(keys, prefix+jsString(v))
		}
	}
	traits := path(m, "traits")
	ctxTraits := path(m, "context", "traits")
	add("user:", firstSet(
		idField(m["userId"]),
		path(traits, "userId"), path(traits, "id"),
		path(ctxTraits, "userId"), path(ctxTraits, "id"),
	))
	add("anon:", idField(m["anonymousId"]))
	add("email:", firstSet(
		idField(path(traits, "email")),
		idField(path(ctxTraits, "email")),
		idField(path(m, "properties", "email")),
		path(externalID(m), "id"),
	))
	typ, _ := m["type"].(string)
	switch strings.ToLower(typ) {
	case "alias":
		add("user:", idField(m["previousId"]))
	case "group":
		if ids, ok := object["identifiers"].(map[string]any); ok {
			keys = append(keys, "object:"+jsString(ids["object_type_id"])+"/"+jsString(ids["object_id"]))
		}
	}
	return keys
}

// applyRETL applies the mappedToDestination rules (reverse ETL) to m:
// the first external id is set on the traits under its identifier type,
// and, when truthy, overrides userId.
func applyRETL(m map[string]any) {
	if !truthy(path(m, "context", "mappedToDestination")) {
		return
	}
	ext := externalID(m)
	id := path(ext, "id")
	traits := m["traits"]
	if !truthy(traits) {
		traits = path(m, "context", "traits")
	}
	if t, ok := traits.(map[string]any); ok {
		if idType, ok := path(ext, "identifierType").(string); ok && idType != "" {
			setPath(t, strings.Split(idType, "."), id)
		}
	}
	if truthy(id) {
		m["userId"] = id
	}
}

// externalID returns context.externalId[0].
func externalID(m map[string]any) any {
	if list, ok := path(m, "context", "externalId").([]any); ok && len(list) > 0 {
		return list[0]
	}
	return nil
}

// setPath sets a nested key, creating objects on the way as set-value
// does.
func setPath(obj map[string]any, keys []string, v any) {
	for _, k := range keys[:len(keys)-1] {
		next, ok := obj[k].(map[string]any)
		if !ok {
			next = map[string]any{}
			obj[k] = next
		}
		obj = next
	}
	obj[keys[len(keys)-1]] = v
}

// path returns the value at keys below v, nil when absent.
func path(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

// firstSet returns the first value that is set: upstream takes the first
// that is truthy, false or 0, so only undefined, null and "" are skipped.
func firstSet(vals ...any) any {
	for _, v := range vals {
		if s, ok := v.(string); (ok && s != "") || (!ok && v != nil) {
			return v
		}
	}
	return nil
}

// idField reads an id field as deviation D5 does: a number is its decimal
// string.
func idField(v any) any {
	if n, ok := v.(json.Number); ok {
		return jsString(n)
	}
	return v
}

// truthy is JavaScript truthiness of a JSON value.
func truthy(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case bool:
		return x
	case string:
		return x != ""
	case json.Number:
		f, ok := numberValue(x)
		return ok && f != 0 && !math.IsNaN(f)
	}
	return true
}

// jsString is JavaScript's String() of a JSON value, for strings and
// numbers; other values get their canonical JSON, enough to tell keys apart.
func jsString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case json.Number:
		return numberString(x)
	case nil:
		return ""
	}
	var buf bytes.Buffer
	canonicalJSON(&buf, v)
	return buf.String()
}

// orderedJob is one job's place in a destination group's output.
type orderedJob struct {
	position int // input position
	result   int // index of the covering result in the group's output
	keys     []string
}

// orderViolations checks deviation D3 over one destination group: for
// jobs i < j (in input order) that share a key, the result covering i
// comes no later than the one covering j. jobs are in input order and hold
// only jobs that produced a request.
func orderViolations(jobs []orderedJob) []difference {
	type latest struct{ result, position int }
	seen := map[string]latest{}
	var diffs []difference
	for _, j := range jobs {
		reported := false
		for _, k := range j.keys {
			l, ok := seen[k]
			if ok && l.result > j.result && !reported {
				diffs = append(diffs, noteAt(inputPath(j.position),
					"emitted in result #%d, before result #%d of the earlier input[%d] that shares the key %q (D3)",
					j.result, l.result, l.position, k))
				reported = true
			}
			if !ok || j.result > l.result {
				seen[k] = latest{result: j.result, position: j.position}
			}
		}
	}
	return diffs
}
