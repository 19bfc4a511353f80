package conformance

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	ciotransformerv1 "github.com/cio-transformer/cio-transformer/gen/ciotransformer/v1"
)

// verifyProcessor replays a processor line through Transform and compares
// the answer, rendered in upstream's processor shape, with the expected one.
func (v *verifier) verifyProcessor(ctx context.Context, c *caseLine) []difference {
	dest, err := destinationFrom(c.Destination)
	if err != nil {
		return []difference{noteAt("destination", "%v", err)}
	}
	job, err := newJob(0, c.Message, c.Metadata)
	if err != nil {
		return []difference{noteAt("input", "%v", err)}
	}
	want, err := decodeJSON(c.want())
	if err != nil {
		return []difference{noteAt("expected", "not JSON: %v", err)}
	}
	wantObj, ok := want.(map[string]any)
	if !ok {
		return []difference{noteAt("expected", "not an object")}
	}

	ctx, cancel := context.WithTimeout(ctx, v.timeout)
	defer cancel()
	resp, err := v.client.Transform(ctx, &ciotransformerv1.TransformRequest{Destination: dest, Job: job})
	if err != nil {
		return []difference{noteAt("Transform", "RPC failed: %v", err)}
	}
	result := resp.GetResult()
	if n := len(result.GetJobs()); n != 1 || result.GetJobs()[0].GetJobId() != job.GetJobId() {
		return []difference{noteAt("result.jobs", "want the one job sent, got %d job(s)", n)}
	}

	var diffs []difference
	got, gotDiffs := processorView(result)
	diffs = append(diffs, gotDiffs...)
	compareJSON("", processorWant(wantObj), got, &diffs)
	return diffs
}

// processorWant returns the part of an expected processor answer this
// service reproduces: all of a success, and of an error its status code,
// message and statTags error category and type (the other statTags come
// from RudderStack's wrapper, not the transformer).
func processorWant(exp map[string]any) map[string]any {
	e, isErr := exp["error"]
	if !isErr {
		return exp
	}
	view := map[string]any{}
	if md, ok := exp["metadata"]; ok {
		view["metadata"] = md
	}
	if inner, ok := e.(map[string]any); ok {
		// The corpus nests the error: {error: {statusCode, message, statTags}}.
		view["error"] = errorWant(inner["statusCode"], inner["message"], inner["statTags"], inner)
	} else {
		// Upstream's own element: {error: message, statusCode, statTags}.
		view["error"] = errorWant(exp["statusCode"], e, exp["statTags"], exp)
	}
	return view
}

// errorWant builds the comparable view of an expected error. holder is the
// object the status code came from, to tell an absent one from null.
func errorWant(statusCode, message, statTags any, holder map[string]any) map[string]any {
	view := map[string]any{"message": message}
	if _, ok := holder["statusCode"]; ok {
		view["statusCode"] = statusCode
	}
	tags := map[string]any{}
	if t, ok := statTags.(map[string]any); ok {
		for _, k := range []string{"errorCategory", "errorType"} {
			if x, ok := t[k]; ok {
				tags[k] = x
			}
		}
	}
	view["statTags"] = tags
	return view
}

// errorGot builds the comparable view of a job error, as errorWant does.
func errorGot(e *ciotransformerv1.JobError) map[string]any {
	tags := map[string]any{}
	if e.GetErrorCategory() != "" {
		tags["errorCategory"] = e.GetErrorCategory()
	}
	if e.GetErrorType() != "" {
		tags["errorType"] = e.GetErrorType()
	}
	return map[string]any{
		"statusCode": json.Number(strconv.Itoa(int(e.GetStatusCode()))),
		"message":    e.GetMessage(),
		"statTags":   tags,
	}
}

// processorView renders a result in upstream's processor response shape.
// Problems that prevent rendering (a body that is not JSON) are returned as
// differences.
func processorView(r *ciotransformerv1.JobResult) (map[string]any, []difference) {
	view := map[string]any{}
	var diffs []difference
	if md, ok, err := structJSON(r.GetJobs()[0].GetMetadata()); err != nil {
		diffs = append(diffs, noteAt("metadata", "cannot render: %v", err))
	} else if ok {
		view["metadata"] = md
	}
	switch o := r.GetOutcome().(type) {
	case *ciotransformerv1.JobResult_Error:
		view["error"] = errorGot(o.Error)
	case *ciotransformerv1.JobResult_Request:
		out, err := requestView(o.Request)
		if err != nil {
			diffs = append(diffs, noteAt("output.body.JSON", "%v", err))
		}
		// The processor wrapper always sets userId, as a string.
		out["userId"] = o.Request.GetUserId()
		out["statusCode"] = json.Number("200")
		view["statusCode"] = json.Number("200")
		view["output"] = out
	default:
		diffs = append(diffs, noteAt("result", "neither a request nor an error"))
	}
	return view, diffs
}

// requestView renders a TrackRequest as upstream's request object, without
// userId and statusCode, whose presence depends on the path.
func requestView(r *ciotransformerv1.TrackRequest) (map[string]any, error) {
	body, err := decodeJSON([]byte(r.GetBody()))
	if err != nil {
		body = r.GetBody()
		err = fmt.Errorf("body is not JSON: %w", err)
	}
	return map[string]any{
		"version":      "1",
		"type":         "REST",
		"method":       r.GetMethod(),
		"endpoint":     r.GetUrl(),
		"endpointPath": r.GetEndpointPath(),
		"headers":      headersView(r.GetHeaders()),
		"params":       map[string]any{},
		"body": map[string]any{
			"JSON":       body,
			"JSON_ARRAY": map[string]any{},
			"XML":        map[string]any{},
			"FORM":       map[string]any{},
		},
		"files": map[string]any{},
	}, err
}

// headersView returns headers as a JSON object.
func headersView(h map[string]string) map[string]any {
	out := make(map[string]any, len(h))
	for k, v := range h {
		out[k] = v
	}
	return out
}
