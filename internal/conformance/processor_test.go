package conformance

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	ciotransformerv1 "github.com/cio-transformer/cio-transformer/gen/ciotransformer/v1"
)

func TestReadProcessorCases(t *testing.T) {
	t.Parallel()
	lines := []string{
		`{"description":"identify","destination":{"Config":{"siteID":"s","apiKey":12,"datacenter":"EU"}},"message":{"type":"identify","userId":"u"},"metadata":{"jobId":1},"expected":{"statusCode":200,"output":{}}}`,
		``,
		`{"description":"a router line","variant":"legacy","input":[],"expected":[]}`,
		`{"description":" null event ","message":null,"expected":{"error":{"statusCode":400,"message":"m"}}}`,
	}
	path := filepath.Join(t.TempDir(), "processor.jsonl")
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	cases, err := ReadProcessorCases(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) != 2 {
		t.Fatalf("read %d cases, want the 2 processor lines", len(cases))
	}
	first, second := cases[0], cases[1]
	if first.Line != 1 || first.Description != "identify" || string(first.Message) != `{"type":"identify","userId":"u"}` {
		t.Errorf("first case = line %d %q %s", first.Line, first.Description, first.Message)
	}
	if d := first.Destination; d.GetSiteId() != "s" || d.GetApiKey() != "12" || d.GetDatacenter() != ciotransformerv1.Datacenter_DATACENTER_EU {
		t.Errorf("first destination = %v", d)
	}
	if second.Line != 4 || second.Description != "null event" || string(second.Message) != "null" {
		t.Errorf("second case = line %d %q %s", second.Line, second.Description, second.Message)
	}
}

func TestReadProcessorCasesReportsTheLine(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "processor.jsonl")
	if err := os.WriteFile(path, []byte("{\"message\":{},\"expected\":[1]}\n{\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadProcessorCases(path); err == nil || !strings.Contains(err.Error(), ":1: expected: not an object") {
		t.Errorf("error = %v, want line 1's expected reported", err)
	}
}

func TestProcessorCaseCompare(t *testing.T) {
	t.Parallel()
	pc := &ProcessorCase{want: mustDecode(t, `{"metadata":{"jobId":1},"error":{"statusCode":400,"message":"m","statTags":{"errorCategory":"dataValidation","errorType":"instrumentation"}}}`).(map[string]any)}
	jobError := func(message string) *ciotransformerv1.JobResult {
		return &ciotransformerv1.JobResult{Outcome: &ciotransformerv1.JobResult_Error{Error: &ciotransformerv1.JobError{
			StatusCode: 400, Message: message, ErrorCategory: "dataValidation", ErrorType: "instrumentation",
		}}}
	}
	if report := pc.Compare(jobError("m")); report != "" {
		t.Errorf("the expected error, without metadata, differs:\n%s", report)
	}
	if report := pc.Compare(jobError("other")); !strings.Contains(report, "error.message") {
		t.Errorf("report of a wrong message = %q, want error.message", report)
	}
	request := &ciotransformerv1.JobResult{Outcome: &ciotransformerv1.JobResult_Request{Request: &ciotransformerv1.TrackRequest{Body: "{"}}}
	if report := pc.Compare(request); !strings.Contains(report, "output.body.JSON: body is not JSON") {
		t.Errorf("report of a request with a broken body = %q", report)
	}
}
