package httpapi

import (
	"strconv"

	"github.com/cio-transformer/cio-transformer/internal/jsvalue"
	"github.com/cio-transformer/cio-transformer/transform"
)

// Upstream's statTags vocabulary.
const (
	statDestType       = "CUSTOMERIO"
	statModule         = "destination"
	statImplementation = "native"
	featureProcessor   = "processor"
	featureRouter      = "router"
)

// emptyObject is the JSON of upstream's empty params, files and unused body
// formats.
const emptyObject = "{}"

// userIDForm is how a request object carries its userId.
type userIDForm uint8

const (
	// noUserID is a batch's: none, nor a statusCode.
	noUserID userIDForm = iota
	// processorUserID is a processor output's: always a string, "" for a
	// falsy user id.
	processorUserID
	// routerUserID is a router's per-event batchedRequest's: a string
	// when the user id is truthy, else the falsy value as the event left
	// it, no userId at all for one it did not have.
	routerUserID
)

// appendRequest writes a request as upstream's request object (the
// processor's output, the router's batchedRequest). A per-event request
// also carries its userId, in the form upstream's processor or router
// gives it, and statusCode 200, as upstream's per-event results do; a
// batch carries neither.
func appendRequest(dst []byte, r *transform.Request, form userIDForm) []byte {
	dst = append(dst, `{"version":"1","type":"REST","method":`...)
	dst = jsvalue.AppendJSONString(dst, r.Method)
	dst = append(dst, `,"endpoint":`...)
	dst = jsvalue.AppendJSONString(dst, r.Endpoint)
	dst = append(dst, `,"endpointPath":`...)
	dst = jsvalue.AppendJSONString(dst, r.EndpointPath)
	dst = append(dst, `,"headers":{`...)
	for i, h := range r.Headers {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = jsvalue.AppendJSONString(dst, h.Name)
		dst = append(dst, ':')
		dst = jsvalue.AppendJSONString(dst, h.Value)
	}
	dst = append(dst, `},"params":{},"body":{"JSON":`...)
	if len(r.Body) == 0 {
		dst = append(dst, emptyObject...)
	} else {
		dst = append(dst, r.Body...)
	}
	dst = append(dst, `,"JSON_ARRAY":{},"XML":{},"FORM":{}},"files":{}`...)
	if form == noUserID {
		return append(dst, '}')
	}
	switch {
	case form == processorUserID || r.UserIDFalsy == transform.NotFalsy:
		dst = append(dst, `,"userId":`...)
		dst = jsvalue.AppendJSONString(dst, r.UserID)
	case r.UserIDFalsy != transform.FalsyUndefined:
		dst = append(dst, `,"userId":`...)
		dst = r.UserIDFalsy.AppendJSON(dst)
	}
	return append(dst, `,"statusCode":200}`...)
}

// statTagIDs are the metadata keys an error's statTags echo.
var statTagIDs = [...]string{"destinationId", "workspaceId"}

// appendStatTags writes an error's statTags: its category and type, the
// destination's fixed tags, the feature, and destinationId and workspaceId
// from meta when present.
func appendStatTags(dst []byte, e *transform.Error, feature string, meta jsvalue.Value) []byte {
	dst = append(dst, `{"errorCategory":`...)
	dst = jsvalue.AppendJSONString(dst, e.Category)
	dst = append(dst, `,"errorType":`...)
	dst = jsvalue.AppendJSONString(dst, e.Type)
	dst = append(dst, `,"destType":"`+statDestType+`","module":"`+statModule+`","implementation":"`+statImplementation+`","feature":`...)
	dst = jsvalue.AppendJSONString(dst, feature)
	for _, key := range statTagIDs {
		if v := meta.Get(key); !v.IsUndefined() {
			dst = append(dst, ',')
			dst = jsvalue.AppendJSONString(dst, key)
			dst = append(dst, ':')
			dst = v.AppendJSON(dst)
		}
	}
	return append(dst, '}')
}

// appendMetadata writes a job's metadata, in a router answer, as it came;
// absent or null metadata is written as {}, as upstream's router writes it.
func appendMetadata(dst []byte, j *job) []byte {
	if j.metadata == "" || j.metadata == "null" {
		return append(dst, "{}"...)
	}
	return append(dst, j.metadata...)
}

// appendStatus writes a status code.
func appendStatus(dst []byte, code int) []byte {
	return strconv.AppendInt(dst, int64(code), 10)
}
