package conformance

import (
	"context"
	"encoding/json"
	"fmt"
)

// verifyProcessorHTTP posts a processor line's event to
// /v0/destinations/customerio and compares the whole answer, an array of
// one element, with upstream's.
func (v *httpVerifier) verifyProcessorHTTP(ctx context.Context, base, format string, c *httpCase) []difference {
	event := map[string]json.RawMessage{}
	if present(c.Extra) {
		if err := json.Unmarshal(c.Extra, &event); err != nil {
			return []difference{noteAt("extra_input_fields", "%v", err)}
		}
	}
	event["message"] = c.Message
	event["destination"] = c.Destination
	if present(c.Metadata) {
		event["metadata"] = c.Metadata
	}
	var body []byte
	var err error
	if format == formatCompacted {
		body, err = compactedBody([]routerInput{{Message: c.Message, Metadata: c.Metadata, Destination: c.Destination}}, "")
	} else {
		body, err = json.Marshal([]map[string]json.RawMessage{event})
	}
	if err != nil {
		// errCompaction's note is recognized by verifyLine.
		return []difference{noteAt("input", "%v", err)}
	}
	want, err := processorDocument(c.want())
	if err != nil {
		return []difference{noteAt("expected", "%v", err)}
	}
	status, got, err := v.post(ctx, base+"/v0/destinations/customerio", format == formatCompacted, body)
	if err != nil {
		return []difference{noteAt("POST /v0/destinations/customerio", "%v", err)}
	}
	var diffs []difference
	if status != c.wantStatus() {
		diffs = append(diffs, difference{path: "http_status", want: c.wantStatus(), got: status})
	}
	compareJSON("", want, got, &diffs)
	return diffs
}

// processorDocument rebuilds upstream's processor answer from a line's
// expected element: [{output, statusCode, metadata?}] on success,
// [{error, statusCode, statTags, metadata?}] on failure.
func processorDocument(raw json.RawMessage) (any, error) {
	v, err := decodeJSON(raw)
	if err != nil {
		return nil, err
	}
	exp, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("not an object")
	}
	elem := map[string]any{}
	if md, ok := exp["metadata"]; ok {
		elem["metadata"] = md
	}
	if e, ok := exp["error"].(map[string]any); ok {
		elem["error"] = e["message"]
		elem["statusCode"] = e["statusCode"]
		elem["statTags"] = e["statTags"]
	} else {
		elem["output"] = exp["output"]
		elem["statusCode"] = exp["statusCode"]
	}
	return []any{elem}, nil
}
