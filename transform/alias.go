package transform

import (
	"github.com/cio-transformer/cio-transformer/internal/jsvalue"
	"github.com/cio-transformer/cio-transformer/transform/internal/js"
)

// alias maps an alias event: POST /api/v1/merge_customers merging the
// previous profile into the user's.
func (ev *event) alias(dest *Destination) Result {
	if !ev.userIDOnly.Truthy() || !ev.previousID.Truthy() {
		return Result{Err: instrumentationError("Both userId and previousId are mandatory for merge operation")}
	}
	primary, err := identifierKey(ev.userIDOnly)
	if err != nil {
		return Result{Err: err}
	}
	secondary, err := identifierKey(ev.previousID)
	if err != nil {
		return Result{Err: err}
	}
	buf := bodyBuffer()
	w := newObjectWriter((*buf)[:0])
	w.key(`"primary"`)
	w.dst = appendPersonRef(w.dst, primary, ev.userIDOnly)
	w.key(`"secondary"`)
	w.dst = appendPersonRef(w.dst, secondary, ev.previousID)
	return ev.request(dest, methodPost, mergeEndpointPath, endpoint{path: mergeCustomersPath}, finish(buf, w.end()))
}

// appendPersonRef appends {<key>: v}, with v as it came; key is "email" or
// "id" (see identifierKey).
func appendPersonRef(dst []byte, key string, v jsvalue.Value) []byte {
	quoted := `"id"`
	if key == "email" {
		quoted = `"email"`
	}
	w := newObjectWriter(dst)
	w.member(quoted, v)
	return w.end()
}

// identifierKey returns "email" when v is a string that validator.js
// isEmail accepts, else "id". Upstream's validator throws on a non-string
// (a 500); such a value is taken as an id instead (deviation D5). A string
// isEmail throws URIError on (see js.IsEmailThrows) is the URI malformed error.
func identifierKey(v jsvalue.Value) (string, *Error) {
	if !v.IsString() {
		return "id", nil
	}
	return emailOrID(v.Str())
}

// emailOrID returns "email" when validator.js isEmail accepts s, else
// "id"; or the URI malformed error when isEmail throws URIError on s (see
// js.IsEmailThrows).
func emailOrID(s string) (string, *Error) {
	if js.IsEmailThrows(s) {
		return "", uriMalformedError()
	}
	if js.IsEmail(s) {
		return "email", nil
	}
	return "id", nil
}
