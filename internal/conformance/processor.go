package conformance

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"

	ciotransformerv1 "github.com/cio-transformer/cio-transformer/gen/ciotransformer/v1"
)

// ProcessorCase is a processor line of a conformance file: one event, the
// destination it is mapped for, and the answer it must get.
type ProcessorCase struct {
	// Line is the case's line number in its file, counting from 1.
	Line int
	// Description says what the case is about.
	Description string
	// Destination is the case's destination as the contract carries it.
	Destination *ciotransformerv1.Destination
	// Message is the event's JSON text, exactly as the line holds it.
	Message json.RawMessage

	job  *ciotransformerv1.Job
	want map[string]any
}

// ReadProcessorCases returns the processor cases of the conformance file at
// path, in file order; its other lines are left out.
func ReadProcessorCases(path string) ([]*ProcessorCase, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var cases []*ProcessorCase
	for n, line := range caseLines(data) {
		var c caseLine
		if err := json.Unmarshal(line, &c); err != nil {
			return nil, fmt.Errorf("%s:%d: not a JSON object: %w", path, n, err)
		}
		if c.kind() != kindProcessor {
			continue
		}
		pc, diffs := newProcessorCase(&c)
		if diffs != nil {
			return nil, fmt.Errorf("%s:%d: %s", path, n, strings.Join(diffLines(diffs[0]), " "))
		}
		pc.Line = n
		cases = append(cases, pc)
	}
	return cases, nil
}

// newProcessorCase decodes a processor line; the differences say what
// could not be decoded.
func newProcessorCase(c *caseLine) (*ProcessorCase, []difference) {
	dest, err := destinationFrom(c.Destination)
	if err != nil {
		return nil, []difference{noteAt("destination", "%v", err)}
	}
	job, err := newJob(0, c.Message, c.Metadata)
	if err != nil {
		return nil, []difference{noteAt("input", "%v", err)}
	}
	want, err := decodeJSON(c.want())
	if err != nil {
		return nil, []difference{noteAt("expected", "not JSON: %v", err)}
	}
	wantObj, ok := want.(map[string]any)
	if !ok {
		return nil, []difference{noteAt("expected", "not an object")}
	}
	return &ProcessorCase{
		Description: strings.TrimSpace(c.Description),
		Destination: dest,
		Message:     c.Message,
		job:         job,
		want:        wantObj,
	}, nil
}

// Compare compares r, the outcome of the case's event mapped alone, with
// the case's answer in upstream's processor shape, and returns a report of
// the differences, empty when they agree. Metadata is not compared: it is
// the caller's, passed through by the service.
func (c *ProcessorCase) Compare(r *ciotransformerv1.JobResult) string {
	diffs := c.compare(r, false)
	if len(diffs) == 0 {
		return ""
	}
	var b strings.Builder
	writeDiffs(&b, diffs)
	return b.String()
}

// compare returns the differences between r and the case's answer, the
// job's metadata included when withMetadata is set.
func (c *ProcessorCase) compare(r *ciotransformerv1.JobResult, withMetadata bool) []difference {
	want := processorWant(c.want)
	got, diffs := outcomeView(r)
	if withMetadata {
		if md, ok, err := structJSON(r.GetJobs()[0].GetMetadata()); err != nil {
			diffs = append(diffs, noteAt("metadata", "cannot render: %v", err))
		} else if ok {
			got["metadata"] = md
		}
	} else {
		want = shallowWithout(want, "metadata")
	}
	compareJSON("", want, got, &diffs)
	return diffs
}

// verifyProcessor replays a processor line through Transform and compares
// the answer, rendered in upstream's processor shape, with the expected one.
func (v *verifier) verifyProcessor(ctx context.Context, c *caseLine) []difference {
	pc, diffs := newProcessorCase(c)
	if diffs != nil {
		return diffs
	}
	ctx, cancel := context.WithTimeout(ctx, v.timeout)
	defer cancel()
	resp, err := v.client.Transform(ctx, &ciotransformerv1.TransformRequest{Destination: pc.Destination, Job: pc.job})
	if err != nil {
		return []difference{noteAt("Transform", "RPC failed: %v", err)}
	}
	result := resp.GetResult()
	if n := len(result.GetJobs()); n != 1 || result.GetJobs()[0].GetJobId() != pc.job.GetJobId() {
		return []difference{noteAt("result.jobs", "want the one job sent, got %d job(s)", n)}
	}
	return pc.compare(result, true)
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

// outcomeView renders a result's outcome in upstream's processor response
// shape, without metadata. Problems that prevent rendering (a body that is
// not JSON) are returned as differences.
func outcomeView(r *ciotransformerv1.JobResult) (map[string]any, []difference) {
	view := map[string]any{}
	var diffs []difference
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
