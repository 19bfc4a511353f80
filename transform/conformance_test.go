package transform

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cio-transformer/cio-transformer/internal/jsvalue"
)

// corpusDir is the shared conformance corpus, relative to this package.
var corpusDir = filepath.Join("..", "..", "shared", "conformance", "customerio")

// corpusFiles are the processor corpora: upstream's own cases and the
// differential ones recorded from upstream.
var corpusFiles = []string{"processor.jsonl", filepath.Join("differential", "processor.jsonl")}

// corpusCase is one line of a processor corpus.
type corpusCase struct {
	Description string `json:"description"`
	Index       int    `json:"index"`
	Destination struct {
		Config map[string]any `json:"Config"`
	} `json:"destination"`
	Message         json.RawMessage `json:"message"`
	Expected        json.RawMessage `json:"expected"`
	ProjectExpected json.RawMessage `json:"project_expected"`
	Deviations      []string        `json:"deviations"`
}

// TestConformance replays the shared processor corpora: every case must
// produce the upstream processor response (or, where a deviation applies,
// the project's).
func TestConformance(t *testing.T) {
	t.Parallel()
	if _, err := os.Stat(corpusDir); err != nil {
		t.Skipf("conformance corpus not available: %v", err)
	}
	passed, failed := 0, 0
	for _, name := range corpusFiles {
		for n, c := range readCorpus(t, filepath.Join(corpusDir, name)) {
			want := c.Expected
			if len(c.ProjectExpected) > 0 {
				want = c.ProjectExpected
			}
			diff, err := checkCorpusCase(c, want)
			if err != nil {
				t.Fatalf("%s line %d: %v", name, n+1, err)
			}
			if diff == "" {
				passed++
				continue
			}
			failed++
			t.Logf("FAIL %s line %d: %s %v\n(-want +got)\n%s", name, n+1, c.Description, c.Deviations, diff)
		}
	}
	t.Logf("%d passed, %d failed", passed, failed)
	if failed > 0 {
		t.Fail()
	}
}

// readCorpus reads the cases of one JSONL file.
func readCorpus(t *testing.T, path string) []corpusCase {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var cases []corpusCase
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 1<<20), 64<<20)
	for sc.Scan() {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		var c corpusCase
		dec := json.NewDecoder(bytes.NewReader(line))
		dec.UseNumber()
		if err := dec.Decode(&c); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		cases = append(cases, c)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return cases
}

// checkCorpusCase maps the case's message and returns the difference
// between want and the processor response built from the result.
func checkCorpusCase(c corpusCase, want json.RawMessage) (string, error) {
	msg, err := jsvalue.Parse(c.Message)
	if err != nil {
		return "", fmt.Errorf("message: %w", err)
	}
	dest := destinationFromConfig(c.Destination.Config)
	before := msg.AppendJSON(nil)
	got := processorResponse(dest, Transform(msg, dest))
	if after := msg.AppendJSON(nil); !bytes.Equal(before, after) {
		return "message modified by Transform:\n" + cmp.Diff(string(before), string(after)), nil
	}
	var w any
	if err := json.Unmarshal(markLoneSurrogates(want), &w); err != nil {
		return "", fmt.Errorf("expected: %w", err)
	}
	return cmp.Diff(projectExpected(w), got), nil
}

// destinationFromConfig builds a Destination from a destination Config as
// RudderStack sends it: credentials that are strings as they are, numbers
// as JavaScript prints them, anything else as missing.
func destinationFromConfig(cfg map[string]any) *Destination {
	c := DestinationConfig{
		SiteID: configString(cfg["siteID"]),
		APIKey: configString(cfg["apiKey"]),
		EU:     cfg["datacenter"] == "EU",
	}
	if s, ok := cfg["deviceTokenEventName"].(string); ok {
		c.DeviceTokenEventName = s
	}
	return NewDestination(c)
}

// configString returns a credential as upstream's String() reads it.
func configString(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case json.Number:
		f, err := strconv.ParseFloat(string(v), 64)
		if err != nil {
			return string(v)
		}
		return jsvalue.FormatNumber(f)
	case float64:
		return jsvalue.FormatNumber(v)
	}
	return ""
}

// processorResponse renders r as the upstream processor response element,
// without metadata: the request object on success, the error otherwise. A
// group object is rendered as its batch of one (deviation D1).
func processorResponse(dest *Destination, r Result) any {
	if r.Err != nil {
		return map[string]any{"error": errorJSON(r.Err)}
	}
	req := r.Request
	if req == nil && r.Object != nil {
		req = BatchOfOne(dest, r)
	}
	if req == nil {
		return map[string]any{"error": "no request and no object"}
	}
	out := requestJSON(req)
	out["version"] = "1"
	out["type"] = "REST"
	out["params"] = map[string]any{}
	out["files"] = map[string]any{}
	out["statusCode"] = 200.0
	out["body"] = map[string]any{
		"JSON":       out["body"],
		"JSON_ARRAY": map[string]any{},
		"XML":        map[string]any{},
		"FORM":       map[string]any{},
	}
	return map[string]any{"statusCode": 200.0, "output": out}
}

// requestJSON renders the fields of a request: method, endpoint,
// endpointPath, headers, the body parsed as JSON, and userId.
func requestJSON(req *Request) map[string]any {
	headers := map[string]any{}
	for _, h := range req.Headers {
		headers[h.Name] = h.Value
	}
	var body any
	if err := json.Unmarshal(markLoneSurrogates(req.Body), &body); err != nil {
		body = "invalid JSON body: " + err.Error() + ": " + string(req.Body)
	}
	return map[string]any{
		"method":       req.Method,
		"endpoint":     markSurrogateBytes(req.Endpoint),
		"endpointPath": req.EndpointPath,
		"headers":      headers,
		"body":         body,
		"userId":       markSurrogateBytes(req.UserID),
	}
}

// errorJSON renders the compared fields of an error: status, message and
// the errorCategory and errorType stat tags.
func errorJSON(e *Error) map[string]any {
	return map[string]any{
		"statusCode": float64(e.StatusCode),
		"message":    markSurrogateBytes(e.Message),
		"statTags": map[string]any{
			"errorCategory": e.Category,
			"errorType":     e.Type,
		},
	}
}

// projectExpected keeps the compared parts of an expected response: status
// and output on success; status, message, errorCategory and errorType on
// failure.
func projectExpected(w any) any {
	m, ok := w.(map[string]any)
	if !ok {
		return w
	}
	if e, ok := m["error"].(map[string]any); ok {
		tags, _ := e["statTags"].(map[string]any)
		return map[string]any{"error": map[string]any{
			"statusCode": e["statusCode"],
			"message":    e["message"],
			"statTags": map[string]any{
				"errorCategory": tags["errorCategory"],
				"errorType":     tags["errorType"],
			},
		}}
	}
	return map[string]any{"statusCode": m["statusCode"], "output": m["output"]}
}
