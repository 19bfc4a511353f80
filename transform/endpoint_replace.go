package transform

import (
	"strings"

	"github.com/cio-transformer/cio-transformer/internal/jsvalue"
	"github.com/cio-transformer/cio-transformer/transform/internal/js"
)

// Upstream builds a request's URL from a template, the US host's
// (hostUS), whose first idPlaceholder it replaces with the id and then
// the first deviceIDPlaceholder of the result with the device token
// (nothing when there is none), each with String.prototype.replace, and
// only then puts the EU host in place of the US one. A string id is URI
// encoded first, which leaves neither a $ nor a ':' in it, so that the
// replacements put the ids in as they are (endpoint.appendTo). An id that
// is an array goes in as String() makes it, which may hold both: a $
// pattern of the replacement (see js.AppendSubstitution), or a
// deviceIDPlaceholder that the second replacement finds before the
// template's own.
const (
	idPlaceholder       = ":id"
	deviceIDPlaceholder = ":device_id"
)

// replaces reports whether upstream's replacements read ep's ids as more
// than their text (see appendReplaced).
func (ep endpoint) replaces() bool {
	if ep.id.IsArray() {
		s := ep.id.JSString()
		if js.HasSubstitution(s) || strings.Contains(s, deviceIDPlaceholder) {
			return true
		}
	}
	return ep.id2.IsArray() && js.HasSubstitution(ep.id2.JSString())
}

// appendReplaced appends ep's path to dst, which holds the destination's
// host, as upstream's replacements build it, or returns the error of an
// event whose URL would be over its budget: a $` or $' writes a part of
// the URL again, which a long id can make large.
func (ev *event) appendReplaced(dst []byte, ep endpoint) ([]byte, *Error) {
	id := pathParamText(ep.id)
	before := hostUS + ep.path
	after := ep.suffix
	token := ""
	if !ep.id2.IsUndefined() {
		after += deviceIDPlaceholder
		token = pathParamText(ep.id2)
	}
	n := len(before) + js.SubstitutionLen(id, len(idPlaceholder), len(before), len(after)) + len(after)
	if n > ev.budget.left {
		return dst, eventTooLargeError(ev.budget.max)
	}
	url := make([]byte, 0, n)
	url = append(url, before...)
	url = append(js.AppendSubstitution(url, id, idPlaceholder, before, after), after...)
	if i := strings.Index(string(url), deviceIDPlaceholder); i >= 0 {
		head, tail := string(url[:i]), string(url[i+len(deviceIDPlaceholder):])
		n := len(head) + js.SubstitutionLen(token, len(deviceIDPlaceholder), len(head), len(tail)) + len(tail)
		if err := ev.budget.spend(n); err != nil {
			return dst, err
		}
		url = make([]byte, 0, n)
		url = append(url, head...)
		url = append(js.AppendSubstitution(url, token, deviceIDPlaceholder, head, tail), tail...)
	} else if err := ev.budget.spend(len(url)); err != nil {
		return dst, err
	}
	return append(dst, url[len(hostUS):]...), nil
}

// pathParamText returns the text appendPathParam appends for v.
func pathParamText(v jsvalue.Value) string {
	return string(appendPathParam(nil, v))
}
