package transform

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cio-transformer/cio-transformer/internal/jsvalue"
)

// updateGolden rewrites the want of every golden case from the current
// output: go test -run Golden -update.
var updateGolden = flag.Bool("update", false, "rewrite the want of the golden cases in testdata/golden and testdata/golden_v2")

// The golden cases, one JSON file each: goldenDir's mapped in API mode v1,
// goldenV2Dir's in API mode v2.
const (
	goldenDir   = "testdata/golden"
	goldenV2Dir = "testdata/golden_v2"
)

// goldenSuites are the folders of golden cases and the mode their events
// are mapped in.
var goldenSuites = []struct {
	dir  string
	mode Mode
}{
	{goldenDir, Mode{}},
	{goldenV2Dir, Mode{V2: true}},
}

// goldenCase is one golden file: a destination Config, the job's
// connection (absent when it has none; only API mode v2 reads it), an
// event, and the expected outcome (see goldenOutcome).
type goldenCase struct {
	Description string          `json:"description"`
	Destination map[string]any  `json:"destination"`
	Connection  json.RawMessage `json:"connection,omitempty"`
	Event       json.RawMessage `json:"event"`
	Want        json.RawMessage `json:"want"`
}

// TestGolden maps the event of every golden case in its suite's mode and
// compares the outcome with its want, structurally.
func TestGolden(t *testing.T) {
	t.Parallel()
	for _, suite := range goldenSuites {
		t.Run(filepath.Base(suite.dir), func(t *testing.T) {
			t.Parallel()
			for _, path := range goldenPaths(t, suite.dir) {
				name := strings.TrimSuffix(filepath.Base(path), ".json")
				t.Run(name, func(t *testing.T) {
					t.Parallel()
					c := readGolden[goldenCase](t, path)
					got := goldenOutcome(t, c, suite.mode)
					if *updateGolden {
						c.Want = wantJSON(t, got)
						writeGolden(t, path, c)
						return
					}
					var want any
					if err := json.Unmarshal(markLoneSurrogates(c.Want), &want); err != nil {
						t.Fatalf("want: %v", err)
					}
					if diff := cmp.Diff(want, got); diff != "" {
						t.Errorf("%s\n(-want +got):\n%s", c.Description, diff)
					}
				})
			}
		})
	}
}

// goldenPaths lists the golden case files of dir.
func goldenPaths(t testing.TB, dir string) []string {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) == 0 {
		t.Fatal("no golden cases")
	}
	return paths
}

// readGolden reads one golden case, numbers kept exact.
func readGolden[C any](t testing.TB, path string) C {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var c C
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&c); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return c
}

// wantJSON is got encoded as a golden case's want.
func wantJSON(t *testing.T, got any) json.RawMessage {
	t.Helper()
	want, err := json.Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	return unmarkLoneSurrogates(want)
}

// loneSurrogateMark stands for the backslash of a lone surrogate escape
// ("\ud83d" without its pair) while JSON is a Go value: encoding/json reads
// such an escape as U+FFFD, and the golden cases must tell the two apart,
// and an uppercase escape from a lowercase one. It is a noncharacter, which
// no case holds.
const loneSurrogateMark = "\U0010FFFE"

// markLoneSurrogates rewrites each lone surrogate escape of JSON text as
// loneSurrogateMark followed by the escape's "u" and hex digits as written,
// so that it decodes to a string of its own. Pairs are left alone.
func markLoneSurrogates(data []byte) []byte {
	out := make([]byte, 0, len(data))
	for i := 0; i < len(data); i++ {
		if data[i] != '\\' || i+1 >= len(data) {
			out = append(out, data[i])
			continue
		}
		hi, ok := escapedUnit(data, i)
		switch {
		case !ok || hi < 0xD800 || hi >= 0xE000:
			// Any other escape, "\\" included, is copied whole.
			out = append(out, data[i], data[i+1])
			i++
		case hi < 0xDC00 && isLowEscape(data, i+6):
			out = append(out, data[i:i+12]...)
			i += 11
		default:
			out = append(out, loneSurrogateMark...)
			out = append(out, data[i+1:i+6]...)
			i += 5
		}
	}
	return out
}

// escapedUnit reads the code unit of the \uXXXX escape at i.
func escapedUnit(data []byte, i int) (uint16, bool) {
	if i+6 > len(data) || data[i+1] != 'u' {
		return 0, false
	}
	n, err := strconv.ParseUint(string(data[i+2:i+6]), 16, 16)
	return uint16(n), err == nil
}

// isLowEscape reports whether a low surrogate escape is at i.
func isLowEscape(data []byte, i int) bool {
	if i >= len(data) || data[i] != '\\' {
		return false
	}
	lo, ok := escapedUnit(data, i)
	return ok && lo >= 0xDC00 && lo < 0xE000
}

// markSurrogateBytes rewrites each lone surrogate of a Go string held by
// the mapping (the three bytes ED A0..BF 80..BF of its code point) as
// loneSurrogateMark and "udXXX", so that a golden case shows it as the
// escape JSON.stringify would write.
func markSurrogateBytes(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if i+2 < len(s) && s[i] == 0xED && s[i+1] >= 0xA0 && s[i+1] <= 0xBF && s[i+2] >= 0x80 && s[i+2] <= 0xBF {
			unit := 0xD000 | int(s[i+1]&0x3F)<<6 | int(s[i+2]&0x3F)
			fmt.Fprintf(&b, "%su%04x", loneSurrogateMark, unit)
			i += 2
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// unmarkLoneSurrogates turns the marks of markLoneSurrogates, as
// encoding/json writes them, back into escapes.
func unmarkLoneSurrogates(data []byte) []byte {
	return bytes.ReplaceAll(data, []byte(loneSurrogateMark), []byte{'\\'})
}

// writeGolden rewrites a golden case, indented.
func writeGolden(t *testing.T, path string, c any) {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(c); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// goldenInput parses a case's event and connection.
func goldenInput(t testing.TB, c goldenCase) (msg, connection jsvalue.Value) {
	t.Helper()
	msg, err := jsvalue.Parse(c.Event)
	if err != nil {
		t.Fatalf("event: %v", err)
	}
	if len(c.Connection) > 0 {
		if connection, err = jsvalue.Parse(c.Connection); err != nil {
			t.Fatalf("connection: %v", err)
		}
	}
	return msg, connection
}

// goldenOutcome maps the case's event in mode m and renders the outcome as
// the unary call returns it: {"request": {...}, "keys": [...]} on success,
// an object as its batch of one (deviation D1); {"error": {...}} on
// failure.
func goldenOutcome(t *testing.T, c goldenCase, m Mode) any {
	t.Helper()
	msg, connection := goldenInput(t, c)
	dest := destinationFromConfig(c.Destination)
	r := m.Map(Job{Event: msg, Connection: connection}, dest)
	if m.V2 && r.Err == nil && (r.Request != nil || r.UserID != "") {
		t.Errorf("API mode v2 returned a request or a user id: %+v", r)
	}
	e := Alone(dest, r)
	if e.Err != nil {
		return map[string]any{"error": map[string]any{
			"statusCode":    float64(e.Err.StatusCode),
			"message":       markSurrogateBytes(e.Err.Message),
			"errorCategory": e.Err.Category,
			"errorType":     e.Err.Type,
		}}
	}
	keys := make([]any, len(r.Keys))
	for i, k := range r.Keys {
		keys[i] = markSurrogateBytes(k)
	}
	return map[string]any{"request": requestJSON(e.Request), "keys": keys}
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
