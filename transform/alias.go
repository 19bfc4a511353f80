package transform

import "github.com/cio-transformer/cio-transformer/transform/jsvalue"

// alias maps an alias event: POST /api/v1/merge_customers merging the
// previous profile into the user's.
func (ev *event) alias(dest *Destination) Result {
	if !ev.userIDOnly.Truthy() || !ev.previousID.Truthy() {
		return Result{Err: instrumentationError("Both userId and previousId are mandatory for merge operation")}
	}
	buf := bodyBuffer()
	w := newObjectWriter((*buf)[:0])
	w.key(`"primary"`)
	w.dst = appendPersonRef(w.dst, ev.userIDOnly)
	w.key(`"secondary"`)
	w.dst = appendPersonRef(w.dst, ev.previousID)
	body := finishBody(buf, w.end())
	return ev.request(dest, methodPost, mergeEndpointPath, endpoint{path: mergeCustomersPath}, body)
}

// appendPersonRef appends {"email": v} when v is an email address, else
// {"id": v}, with v as it came.
func appendPersonRef(dst []byte, v jsvalue.Value) []byte {
	key := `"id"`
	if identifierKey(v) == "email" {
		key = `"email"`
	}
	w := newObjectWriter(dst)
	w.member(key, v)
	return w.end()
}

// identifierKey returns "email" when v is a string that validator.js
// isEmail accepts, else "id". Upstream's validator throws on a non-string
// (a 500); such a value is taken as an id instead (deviation D5).
func identifierKey(v jsvalue.Value) string {
	if v.IsString() && isEmail(v.Str()) {
		return "email"
	}
	return "id"
}
