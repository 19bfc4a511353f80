package transform_test

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"

	ciotransformerv1 "github.com/cio-transformer/cio-transformer/gen/ciotransformer/v1"
	"github.com/cio-transformer/cio-transformer/internal/conformance"
	"github.com/cio-transformer/cio-transformer/internal/jsvalue"
	"github.com/cio-transformer/cio-transformer/transform"
)

// corpusDir is the shared conformance corpus, relative to this package.
var corpusDir = filepath.Join("..", "..", "shared", "conformance", "customerio")

// corpusFiles are the processor corpora: upstream's own cases and the
// differential ones recorded from upstream.
var corpusFiles = []string{"processor.jsonl", filepath.Join("differential", "processor.jsonl")}

// routerCorpusFiles are the router corpora, upstream's and the differential
// ones.
var routerCorpusFiles = []string{"router.jsonl", filepath.Join("differential", "router.jsonl")}

// TestConformance maps the event of every case of the shared processor
// corpora with Transform, in process, and compares the outcome with the
// upstream processor response (or, where a deviation applies, the
// project's).
func TestConformance(t *testing.T) {
	t.Parallel()
	paths, lines, err := conformance.CorpusFiles(corpusDir, corpusFiles...)
	if errors.Is(err, fs.ErrNotExist) {
		t.Skipf("conformance corpus not available: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	passed, failed := 0, 0
	for _, path := range paths {
		cases, err := conformance.ReadProcessorCases(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cases {
			report, err := checkCase(c)
			if err != nil {
				t.Fatalf("%s line %d: %v", path, c.Line, err)
			}
			if report == "" {
				passed++
				continue
			}
			failed++
			t.Logf("FAIL %s line %d: %s\n%s", path, c.Line, c.Description, report)
		}
	}
	t.Logf("%d passed, %d failed", passed, failed)
	if passed+failed != lines {
		t.Errorf("%d processor cases in %d lines: every line must be one", passed+failed, lines)
	}
	if failed > 0 {
		t.Fail()
	}
}

// checkCase maps the case's event in API mode v1 and returns the report of
// its differences from the case's answer, or of a change Transform made to
// the event.
func checkCase(c *conformance.ProcessorCase) (string, error) {
	msg, err := jsvalue.Parse(c.Message)
	if err != nil {
		return "", fmt.Errorf("message: %w", err)
	}
	d := c.Destination
	dest := transform.NewDestination(transform.DestinationConfig{
		SiteID:               d.GetSiteId(),
		APIKey:               d.GetApiKey(),
		EU:                   d.GetDatacenter() == ciotransformerv1.Datacenter_DATACENTER_EU,
		DeviceTokenEventName: d.GetDeviceTokenEventName(),
	})
	before := msg.AppendJSON(nil)
	entry := transform.Alone(dest, transform.Transform(msg, dest))
	if after := msg.AppendJSON(nil); !bytes.Equal(before, after) {
		return "message modified by Transform:\n" + cmp.Diff(string(before), string(after)), nil
	}
	if req := entry.Request; req != nil && req.WellFormed && (!asciiString(req.Endpoint) || !asciiString(req.UserID)) {
		return fmt.Sprintf("request marked WellFormed with a URL %q or user id %q that is not ASCII", req.Endpoint, req.UserID), nil
	}
	return c.Compare(jobResult(entry)), nil
}

// jobResult returns an entry's outcome as the contract carries it. A group
// object comes as its batch of one (deviation D1).
func jobResult(e transform.Entry) *ciotransformerv1.JobResult {
	if e.Err != nil {
		return &ciotransformerv1.JobResult{Outcome: &ciotransformerv1.JobResult_Error{Error: &ciotransformerv1.JobError{
			StatusCode:    int32(e.Err.StatusCode),
			Message:       e.Err.Message,
			ErrorCategory: e.Err.Category,
			ErrorType:     e.Err.Type,
		}}}
	}
	headers := make(map[string]string, len(e.Request.Headers))
	for _, h := range e.Request.Headers {
		headers[h.Name] = h.Value
	}
	return &ciotransformerv1.JobResult{Outcome: &ciotransformerv1.JobResult_Request{Request: &ciotransformerv1.TrackRequest{
		Method:       e.Request.Method,
		Url:          e.Request.Endpoint,
		EndpointPath: e.Request.EndpointPath,
		Headers:      headers,
		Body:         string(e.Request.Body),
		UserId:       e.Request.UserID,
	}}}
}

// forEachCorpusLine calls fn with every line of the processor and router
// corpora, upstream's and the differential ones. It skips the test when the
// corpus is absent.
func forEachCorpusLine(t *testing.T, fn func(name string, line map[string]any)) {
	t.Helper()
	if _, err := os.Stat(corpusDir); err != nil {
		t.Skipf("conformance corpus not available: %v", err)
	}
	for _, file := range slices.Concat(corpusFiles, routerCorpusFiles) {
		lines, err := conformance.ReadLines(filepath.Join(corpusDir, file))
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range lines {
			fn(file+":"+strconv.Itoa(l.Number), l.Value)
		}
	}
}

// corpusOutputs returns the request objects of a corpus line's answers
// (expected and project_expected; processor output or router
// batchedRequest).
func corpusOutputs(line map[string]any) []map[string]any {
	var outs []map[string]any
	for _, key := range []string{"expected", "project_expected"} {
		switch e := line[key].(type) {
		case map[string]any:
			if o, ok := e["output"].(map[string]any); ok {
				outs = append(outs, o)
			}
		case []any:
			for _, entry := range e {
				if m, ok := entry.(map[string]any); ok {
					if o, ok := m["batchedRequest"].(map[string]any); ok {
						outs = append(outs, o)
					}
				}
			}
		}
	}
	return outs
}

// asciiString reports whether s is ASCII, a byte at a time.
func asciiString(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
