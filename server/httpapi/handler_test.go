package httpapi

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
)

// Test credentials: upstream's test placeholders.
const (
	testDest   = `{"ID":"d1","Config":{"siteID":"customerio1","apiKey":"customerio2"}}`
	testDestEU = `{"ID":"d2","Config":{"siteID":"customerio1","apiKey":"customerio2","datacenter":"EU"}}`
)

// newTestServer serves a Handler of cfg on a loopback socket.
func newTestServer(t *testing.T, cfg Config) (*httptest.Server, *rudderClient) {
	t.Helper()
	h, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	return ts, &rudderClient{t: t, http: ts.Client(), url: ts.URL}
}

// mixedJobs is a router request with successes, group objects and bad
// events, numbered from 1.
func mixedJobs(dest string) []routerJob {
	messages := []string{
		`{"type":"identify","userId":"u1","traits":{"email":"a@b.co"},"timestamp":"2024-01-01T00:00:00Z"}`,
		`{"type":"group","userId":"u1","groupId":"g1","traits":{"name":"n"}}`,
		`{"type":"track","userId":"u2","event":"Signed Up","properties":{"plan":"pro"}}`,
		`{"type":"track","userId":"u2"}`,
		`{"type":"nope","userId":"u3"}`,
		`"not an object"`,
		`{"type":"group","userId":"u4","groupId":"g2","traits":{}}`,
		`{"type":"alias","userId":"u5","previousId":"u4"}`,
		`{"userId":"u6"}`,
		`{"type":"page","anonymousId":"a7","name":"Home"}`,
	}
	jobs := make([]routerJob, len(messages))
	for i, m := range messages {
		jobs[i] = routerJob{
			Message:     json.RawMessage(m),
			Metadata:    jobMetadata{JobID: int64(i + 1), UserID: "u", SourceID: "s1", DestinationID: "d1", WorkspaceID: "w1"},
			Destination: json.RawMessage(dest),
		}
	}
	return jobs
}

// TestRouterAnswersSatisfyRudderServer drives the router transform as
// rudder-server does, in both formats and both API modes: every job comes
// back exactly once, every item passes rudder-server's output validation.
func TestRouterAnswersSatisfyRudderServer(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		v2        string
		dest      string
		compacted bool
	}{
		{"legacy plain", "", testDest, false},
		{"legacy compacted", "", testDest, true},
		{"legacy EU", "", testDestEU, false},
		{"v2 plain", "ALL", testDest, false},
		{"v2 compacted, listed workspace", "w0, w1", testDest, true},
		{"bad config", "", `{"ID":"d1","Config":{"siteID":""}}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, c := newTestServer(t, Config{V2Workspaces: tt.v2})
			out := c.routerTransform(mixedJobs(tt.dest), tt.compacted)
			for _, o := range out {
				if want := tt.v2 != "" && o.StatusCode == 200; o.Batched != want {
					t.Errorf("batched %v for %v, want %v", o.Batched, o.Metadata, want)
				}
				if o.StatusCode != 200 && o.StatTags["feature"] != "router" {
					t.Errorf("statTags %v, want feature router", o.StatTags)
				}
			}
		})
	}
}

// TestProcessorAnswersEveryEvent posts the mixed events to the processor
// transform: one answer each, in order, with the event's metadata.
func TestProcessorAnswersEveryEvent(t *testing.T) {
	t.Parallel()
	_, c := newTestServer(t, Config{})
	jobs := mixedJobs(testDest)
	out := c.processorTransform(jobs)
	for i, o := range out {
		var md jobMetadata
		if err := json.Unmarshal(o["metadata"], &md); err != nil || md.JobID != int64(i+1) {
			t.Errorf("answer %d carries metadata %s", i, o["metadata"])
		}
		var code int
		_ = json.Unmarshal(o["statusCode"], &code)
		if _, hasOutput := o["output"]; (code == 200) != hasOutput {
			t.Errorf("answer %d: status %d, output present %v", i, code, hasOutput)
		}
	}
}

// TestCredentialWording checks upstream's answers for credentials that a
// typed destination cannot tell apart: empty, null, zero, absent and
// mistyped, on the processor (falsy is missing) and on the v2 router
// (upstream's schema wording).
func TestCredentialWording(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		config    string
		processor string
		v2        string
	}{
		{"empty site", `{"siteID":"","apiKey":"k"}`, "siteID not found in Configs",
			"destination.Config.siteID: siteID is required"},
		{"null site", `{"siteID":null,"apiKey":"k"}`, "siteID not found in Configs",
			"destination.Config.siteID: Expected string, received null"},
		{"absent key", `{"siteID":"s"}`, "apiKey not found in Configs",
			"destination.Config.apiKey: Required"},
		{"zero key", `{"siteID":"s","apiKey":0}`, "apiKey not found in Configs",
			"destination.Config.apiKey: Expected string, received number"},
		{"both empty", `{"siteID":"","apiKey":""}`, "siteID not found in Configs",
			"destination.Config.siteID: siteID is required; destination.Config.apiKey: apiKey is required"},
		{"no Config", ``, "siteID not found in Configs", "destination.Config: Required"},
		{"bad datacenter", `{"siteID":"s","apiKey":"k","datacenter":"eu"}`, "",
			"destination.Config.datacenter: Invalid enum value. Expected 'US' | 'EU', received 'eu'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dest := json.RawMessage(`{"ID":"d1"}`)
			if tt.config != "" {
				dest = json.RawMessage(`{"ID":"d1","Config":` + tt.config + `}`)
			}
			job := routerJob{
				Message:     json.RawMessage(`{"type":"identify","userId":"u1"}`),
				Metadata:    jobMetadata{JobID: 1, DestinationID: "d1", WorkspaceID: "w1"},
				Destination: dest,
			}
			_, legacy := newTestServer(t, Config{})
			out := legacy.processorTransform([]routerJob{job})
			var msg string
			_ = json.Unmarshal(out[0]["error"], &msg)
			if msg != tt.processor {
				t.Errorf("processor error %q, want %q", msg, tt.processor)
			}
			_, v2 := newTestServer(t, Config{V2Workspaces: "ALL"})
			items := v2.routerTransform([]routerJob{job}, false)
			if items[0].Error != tt.v2 {
				t.Errorf("v2 error %q, want %q", items[0].Error, tt.v2)
			}
		})
	}
}

// TestCredentialStrings checks credentials that are not strings: a
// truthy one is its JavaScript string in the Authorization header, as
// upstream writes it.
func TestCredentialStrings(t *testing.T) {
	t.Parallel()
	_, c := newTestServer(t, Config{})
	for _, tt := range []struct{ siteID, user string }{
		{`[0]`, "0"},
		{`[false,null,1]`, "false,,1"},
		{`["a","b"]`, "a,b"},
		{`{"a":1}`, "[object Object]"},
		{`5e-7`, "5e-7"},
		{`true`, "true"},
	} {
		job := routerJob{
			Message:     json.RawMessage(`{"type":"identify","userId":"u1"}`),
			Metadata:    jobMetadata{JobID: 1},
			Destination: json.RawMessage(`{"Config":{"siteID":` + tt.siteID + `,"apiKey":"k"}}`),
		}
		out := c.processorTransform([]routerJob{job})
		var o struct {
			Headers map[string]string `json:"headers"`
		}
		_ = json.Unmarshal(out[0]["output"], &o)
		want := "Basic " + base64.StdEncoding.EncodeToString([]byte(tt.user+":k"))
		if got := o.Headers["Authorization"]; got != want {
			t.Errorf("siteID %s: Authorization %q, want %q (%s)", tt.siteID, got, want, out[0]["error"])
		}
	}
}

// TestWholeRequestFailures checks the answers to requests that are not
// the protocol at all or break a limit: a clear 4xx, never a crash.
func TestWholeRequestFailures(t *testing.T) {
	t.Parallel()
	gz := func(s string) []byte {
		var b bytes.Buffer
		w := gzip.NewWriter(&b)
		_, _ = w.Write([]byte(s))
		_ = w.Close()
		return b.Bytes()
	}
	oneJob := `[{"message":{"type":"identify","userId":"u"},"metadata":{"jobId":1},"destination":` + testDest + `}]`
	tests := []struct {
		name     string
		path     string
		body     []byte
		gzip     bool
		compact  bool
		want     int
		contains string
	}{
		{"not JSON", "/v0/destinations/customerio", []byte("{"), false, false, 400, "invalid request body"},
		{"not an array", "/v0/destinations/customerio", []byte(`{"a":1}`), false, false, 400, "invalid request body"},
		{"router not an object", "/routerTransform", []byte(`[1]`), false, false, 400, "invalid request body"},
		{"too many jobs", "/v0/destinations/customerio", []byte("[" + strings.Repeat(`{},`, 3) + "{}]"), false, false, 413, "more than the limit of 3"},
		{"too many compacted jobs", "/routerTransform", []byte(`{"destType":"customerio","input":[{},{},{},{}]}`), false, true, 413, "more than the limit"},
		{"body too large", "/routerTransform", []byte(`{"input":[],"destType":"customerio","pad":"` + strings.Repeat("x", 2048) + `"}`), false, false, 413, "larger than 1024 bytes"},
		{"gzip", "/v0/destinations/customerio", gz(oneJob), true, false, 200, `"statusCode":200`},
		{"gzip bomb", "/v0/destinations/customerio", gz(strings.Repeat(" ", 4096) + "[]"), true, false, 413, "larger than"},
		{"bad gzip", "/v0/destinations/customerio", []byte("not gzip"), true, false, 400, "gzip"},
		{"empty processor", "/v0/destinations/customerio", []byte(`[]`), false, false, 200, `[]`},
		{"empty router", "/routerTransform", []byte(`{"input":[],"destType":"customerio"}`), false, false, 200, `{"output":[{"metadata":[{"destType":"customerio"}],"batched":false,"statusCode":400,"error":"Invalid event array"}]}`},
		{"router input not an array", "/routerTransform", []byte(`{"input":{},"destType":"CUSTOMERIO"}`), false, false, 200, `"metadata":[{"destType":"CUSTOMERIO"}],"batched":false,"statusCode":400,"error":"Invalid event array"`},
		{"router without input", "/routerTransform", []byte(`{"destType":"customerio"}`), false, false, 200, `"error":"Invalid event array"`},
		{"empty compacted router", "/routerTransform", []byte(`{"destType":"customerio","input":[],"destinations":{},"connections":{}}`), false, true, 200, `"error":"Invalid event array"`},
	}
	ts, _ := newTestServer(t, Config{MaxJobsPerRequest: 3, MaxBodyBytes: 1024})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := http.Header{}
			if tt.gzip {
				h.Set("Content-Encoding", "gzip")
			}
			if tt.compact {
				h.Set("X-Content-Format", "json+compactedv1")
			}
			resp, body := do(t, ts.Client(), http.MethodPost, ts.URL+tt.path, h, tt.body)
			if resp.StatusCode != tt.want || !strings.Contains(string(body), tt.contains) {
				t.Errorf("got %d %q, want %d containing %q", resp.StatusCode, body, tt.want, tt.contains)
			}
			if resp.Header.Get("apiVersion") != "2" {
				t.Errorf("apiVersion %q", resp.Header.Get("apiVersion"))
			}
		})
	}
}

// TestCompactedMissingDestination gives a job whose destination the
// compacted request does not hold its own 400; the others are mapped.
func TestCompactedMissingDestination(t *testing.T) {
	t.Parallel()
	_, c := newTestServer(t, Config{})
	body := `{"destType":"customerio","input":[` +
		`{"message":{"type":"identify","userId":"u"},"metadata":{"jobId":1,"sourceId":"s","destinationId":"d1"}},` +
		`{"message":{"type":"identify","userId":"u"},"metadata":{"jobId":2,"sourceId":"s","destinationId":"gone"}}],` +
		`"destinations":{"d1":` + testDest + `},"connections":{}}`
	status, data := c.post("/routerTransform", true, []byte(body))
	if status != 200 {
		t.Fatalf("status %d: %s", status, data)
	}
	var resp struct{ Output []destinationJob }
	if err := json.Unmarshal(data, &resp); err != nil {
		t.Fatal(err)
	}
	if len(resp.Output) != 2 || resp.Output[0].StatusCode != 200 || resp.Output[1].StatusCode != 400 ||
		resp.Output[1].Error != "no destination found for id gone" {
		t.Errorf("answer %s", data)
	}
}

// TestCompactedDestinationsEcho checks that a compacted request is taken
// when its plain form would be: its destinations and connections, written
// out once for each job, within the body limit. Past it both routes answer 413 rather
// than build an answer (or grouping keys) many times the body; within it
// every job is answered, each error echoing the destination.
func TestCompactedDestinationsEcho(t *testing.T) {
	t.Parallel()
	const limit = 1 << 20
	dest := `{"ID":"d1","Config":{"siteID":"s","apiKey":"k","pad":"` + strings.Repeat("x", 100_000) + `"}}`
	body := func(jobs int) []byte {
		var b strings.Builder
		b.WriteString(`{"destType":"customerio","input":[`)
		for i := range jobs {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `{"message":{"type":"nope","userId":"u","context":{"sources":{"job_id":"j"}}},"metadata":{"jobId":%d,"sourceId":"s","destinationId":"d1"}}`, i+1)
		}
		b.WriteString(`],"destinations":{"d1":` + dest + `}}`)
		return []byte(b.String())
	}
	_, c := newTestServer(t, Config{MaxBodyBytes: limit})
	status, data := c.post("/routerTransform", true, body(10))
	if status != http.StatusOK {
		t.Fatalf("10 jobs, 1,000,000 bytes of destinations written out: status %d: %.200s", status, data)
	}
	var resp struct{ Output []destinationJob }
	if err := json.Unmarshal(data, &resp); err != nil {
		t.Fatal(err)
	}
	if len(resp.Output) != 10 || strings.Count(string(data), `"pad":`) != 10 {
		t.Errorf("10 jobs: %d entries, %d destinations echoed, want 10 of each", len(resp.Output), strings.Count(string(data), `"pad":`))
	}
	const want = "the destinations and connections of the 11 jobs, written out once for each job as a plain request carries them, come to more than 1048576 bytes, the limit of a request body"
	// The same with a small destination and a large connection, which an
	// error repeats (Unsupported object type: "...").
	conn := strings.Replace(string(body(11)), `"destinations":{"d1":`+dest+`}`,
		`"destinations":{"d1":`+testDest+`},"connections":{"s:d1":{"config":{"destination":{"object":"`+strings.Repeat("o", 100_000)+`"}}}}`, 1)
	for _, path := range []string{"/routerTransform", "/v0/destinations/customerio"} {
		for name, b := range map[string]string{"destination": string(body(11)), "connection": conn} {
			if path != "/routerTransform" {
				b = strings.Replace(b, `"destType":"customerio",`, "", 1)
			}
			status, data := c.post(path, true, []byte(b))
			if status != http.StatusRequestEntityTooLarge || !strings.HasPrefix(string(data), want) {
				t.Errorf("%s, 11 jobs sharing a large %s: status %d: %.300s, want 413 %q", path, name, status, data, want)
			}
		}
	}
}

// TestCompactedEchoCharged checks that a compacted router request's
// answer is charged to the in-flight budget with the destinations it
// echoes, before it is built: beside other requests' charges, one whose
// echo does not fit is answered 503, as a body that does not fit is.
func TestCompactedEchoCharged(t *testing.T) {
	t.Parallel()
	const limit = 4 << 20
	budget := budgetServer(t, limit)
	dest := `{"ID":"d1","Config":{"siteID":"s","apiKey":"k","pad":"` + strings.Repeat("x", 50_000) + `"}}`
	var b strings.Builder
	b.WriteString(`{"destType":"customerio","input":[`)
	for i := range 60 {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"message":{"type":"nope","userId":"u"},"metadata":{"jobId":%d,"destinationId":"d1"}}`, i+1)
	}
	b.WriteString(`],"destinations":{"d1":` + dest + `}}`)
	_, c := newTestServer(t, Config{Budget: budget, MaxBodyBytes: 16 << 20})
	// Another request holds half of the budget: the body (about 57 KB,
	// charged four times) fits beside it, its 3 MB of echoed destinations
	// do not.
	if !budget.Acquire(limit / 2) {
		t.Fatal("the budget does not take half of itself")
	}
	status, data := c.post("/routerTransform", true, []byte(b.String()))
	if status != http.StatusServiceUnavailable {
		t.Errorf("echo beyond the budget: status %d: %.200s, want 503", status, data)
	}
	budget.Release(limit / 2)
	if status, data := c.post("/routerTransform", true, []byte(b.String())); status != http.StatusOK {
		t.Errorf("alone: status %d: %.200s, want 200", status, data)
	}
}

// TestServiceEndpoints checks health, features, unknown paths and
// destinations, and the proxy without delivery.
func TestServiceEndpoints(t *testing.T) {
	t.Parallel()
	ts, _ := newTestServer(t, Config{})
	tests := []struct {
		method, path, body string
		want               int
		contains           string
	}{
		{"GET", "/health", "", 200, `"UP"`},
		{"GET", "/features", "", 200, `"routerTransform":{"CUSTOMERIO":true}`},
		{"GET", "/nowhere", "", 404, "Not Found"},
		{"POST", "/v0/destinations/am", "[]", 404, `destination type "am" is not supported`},
		{"POST", "/routerTransform", `{"input":[],"destType":"AM"}`, 404, `destination type "AM" is not supported`},
		{"POST", "/v1/destinations/customerio/proxy", "{}", 501, "delivery is not available"},
		{"POST", "/v0/destinations/CUSTOMERIO", "[]", 200, "[]"},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			t.Parallel()
			resp, body := do(t, ts.Client(), tt.method, ts.URL+tt.path, nil, []byte(tt.body))
			if resp.StatusCode != tt.want || !strings.Contains(string(body), tt.contains) {
				t.Errorf("got %d %q, want %d containing %q", resp.StatusCode, body, tt.want, tt.contains)
			}
		})
	}
}

// TestAuthToken requires the bearer token everywhere but on health.
func TestAuthToken(t *testing.T) {
	t.Parallel()
	ts, _ := newTestServer(t, Config{AuthToken: "s3cret"})
	tests := []struct {
		name, path, auth string
		want             int
	}{
		{"health needs none", "/health", "", 200},
		{"features without", "/features", "", 401},
		{"wrong token", "/features", "Bearer nope", 401},
		{"wrong scheme", "/features", "Basic s3cret", 401},
		{"right token", "/features", "Bearer s3cret", 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := http.Header{}
			if tt.auth != "" {
				h.Set("Authorization", tt.auth)
			}
			resp, body := do(t, ts.Client(), http.MethodGet, ts.URL+tt.path, h, nil)
			if resp.StatusCode != tt.want || strings.Contains(string(body), "s3cret") {
				t.Errorf("got %d %q, want %d without the token", resp.StatusCode, body, tt.want)
			}
		})
	}
}

// TestH2C serves HTTP/2 without TLS (prior knowledge), as rudder-server's
// balanced client may use.
func TestH2C(t *testing.T) {
	t.Parallel()
	h, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	ts, tr := serveH2C(t, h)
	c := &rudderClient{t: t, http: &http.Client{Transport: tr}, url: ts.URL}
	out := c.routerTransform(mixedJobs(testDest), false)
	if len(out) == 0 {
		t.Fatal("no output")
	}
	resp, err := c.http.Get(ts.URL + "/health")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.ProtoMajor != 2 {
		t.Errorf("protocol %s, want HTTP/2", resp.Proto)
	}
}

// serveH2C serves h on a loopback socket in HTTP/1.1 and HTTP/2 without
// TLS, and returns the server and a transport that speaks HTTP/2 to it
// with prior knowledge; both end with the test.
func serveH2C(t *testing.T, h http.Handler) (*httptest.Server, *http.Transport) {
	t.Helper()
	ts := httptest.NewUnstartedServer(h)
	ts.Config.Protocols = new(http.Protocols)
	ts.Config.Protocols.SetHTTP1(true)
	ts.Config.Protocols.SetUnencryptedHTTP2(true)
	ts.Start()
	t.Cleanup(ts.Close)
	tr := &http.Transport{Protocols: new(http.Protocols)}
	tr.Protocols.SetUnencryptedHTTP2(true)
	t.Cleanup(tr.CloseIdleConnections)
	return ts, tr
}

// TestLogsCarryNoSecrets sends credentials, a token and personal data and
// finds none of them in the logs.
func TestLogsCarryNoSecrets(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	_, c := newTestServer(t, Config{Logger: logger, AuthToken: "tok3n-value"})
	c.http.Transport = authTransport{"tok3n-value"}
	secrets := []string{"site-secret", "key-secret", "person@example.com", "Trait-Value", "tok3n-value"}
	dest := fmt.Sprintf(`{"ID":"d","Config":{"siteID":%q,"apiKey":%q}}`, secrets[0], secrets[1])
	job := routerJob{
		Message:     json.RawMessage(fmt.Sprintf(`{"type":"identify","userId":"u","traits":{"email":%q,"t":%q}}`, secrets[2], secrets[3])),
		Metadata:    jobMetadata{JobID: 1},
		Destination: json.RawMessage(dest),
	}
	c.routerTransform([]routerJob{job}, false)
	c.processorTransform([]routerJob{job})
	c.post("/v0/destinations/customerio", false, []byte(`{"bad":"`+secrets[3]+`"`))
	if logs.Len() == 0 {
		t.Fatal("nothing logged")
	}
	for _, s := range append(secrets, "Basic ") {
		if strings.Contains(logs.String(), s) {
			t.Errorf("logs hold %q:\n%s", s, logs.String())
		}
	}
}

// authTransport adds a bearer token to every request.
type authTransport struct{ token string }

// RoundTrip adds the token.
func (a authTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+a.token)
	return http.DefaultTransport.RoundTrip(r)
}

// TestGzipAnswers compresses answers for clients that say they take gzip
// (rudder-server's X-Feature-Gzip-Support), and only for them, unless the
// handler is told to answer plain.
func TestGzipAnswers(t *testing.T) {
	t.Parallel()
	ts, _ := newTestServer(t, Config{})
	plain, _ := newTestServer(t, Config{PlainAnswers: true})
	body, _ := json.Marshal(map[string]any{"input": mixedJobs(testDest), "destType": "customerio"})
	rudder := http.Header{"X-Feature-Gzip-Support": {"?1"}, "Accept-Encoding": {"gzip"}}
	tests := []struct {
		name     string
		url      string
		header   http.Header
		wantGzip bool
	}{
		{"rudder-server", ts.URL, rudder, true},
		{"no feature header", ts.URL, http.Header{"Accept-Encoding": {"gzip"}}, false},
		{"no accept-encoding", ts.URL, http.Header{"X-Feature-Gzip-Support": {"?1"}, "Accept-Encoding": {"identity"}}, false},
		{"rudder-server, plain answers", plain.URL, rudder, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			// A transport that leaves compression alone shows the wire.
			c := &http.Client{Transport: &http.Transport{DisableCompression: true}}
			resp, data := do(t, c, http.MethodPost, tt.url+"/routerTransform", tt.header, body)
			if got := resp.Header.Get("Content-Encoding") == "gzip"; got != tt.wantGzip {
				t.Fatalf("gzip %v, want %v", got, tt.wantGzip)
			}
			if tt.wantGzip {
				zr, err := gzip.NewReader(bytes.NewReader(data))
				if err != nil {
					t.Fatal(err)
				}
				if data, err = io.ReadAll(zr); err != nil {
					t.Fatal(err)
				}
			}
			var out struct{ Output []destinationJob }
			if err := json.Unmarshal(data, &out); err != nil || len(out.Output) == 0 {
				t.Errorf("answer does not decode: %v", err)
			}
		})
	}
	// rudder-server's own client sends the feature header and lets Go's
	// transport negotiate and decompress.
	c := &rudderClient{t: t, http: ts.Client(), url: ts.URL}
	c.routerTransform(mixedJobs(testDest), false)
}

// TestDrainFailsHealthOnly makes /health answer 503 once draining, while
// transforms are still answered.
func TestDrainFailsHealthOnly(t *testing.T) {
	t.Parallel()
	h, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(h)
	defer ts.Close()
	if resp, _ := do(t, ts.Client(), http.MethodGet, ts.URL+"/health", nil, nil); resp.StatusCode != 200 {
		t.Fatalf("health %d before draining", resp.StatusCode)
	}
	h.Drain()
	if resp, _ := do(t, ts.Client(), http.MethodGet, ts.URL+"/health", nil, nil); resp.StatusCode != 503 {
		t.Errorf("health %d while draining, want 503", resp.StatusCode)
	}
	c := &rudderClient{t: t, http: ts.Client(), url: ts.URL}
	c.routerTransform(mixedJobs(testDest), false)
}

// TestUserIDAsUpstreamLeavesIt checks a per-event request's userId,
// userIdOnly || anonymousId: upstream's processor answers it as a string,
// "" when it is falsy, and its router converts it only when it is truthy,
// leaving a falsy one as the event had it (absent, null, false or ""). A
// number is read as its string in API mode v1 (deviation D5).
func TestUserIDAsUpstreamLeavesIt(t *testing.T) {
	t.Parallel()
	_, c := newTestServer(t, Config{})
	tests := []struct {
		ids               string // the event's userId and anonymousId members
		router, processor string // the answer's userId, "" for none
	}{
		{ids: ``, router: ``, processor: `""`},
		{ids: `"anonymousId":null,`, router: `null`, processor: `""`},
		{ids: `"anonymousId":false,`, router: `false`, processor: `""`},
		{ids: `"anonymousId":"",`, router: `""`, processor: `""`},
		{ids: `"userId":"",`, router: ``, processor: `""`},
		{ids: `"userId":false,"anonymousId":"a1",`, router: `"a1"`, processor: `"a1"`},
		{ids: `"userId":"u1","anonymousId":null,`, router: `"u1"`, processor: `"u1"`},
		{ids: `"anonymousId":0,`, router: `"0"`, processor: `"0"`},
	}
	for _, typ := range []string{
		`"type":"identify"`,
		`"type":"track","event":"e"`,
		`"type":"page","name":"Home"`,
	} {
		var jobs []routerJob
		for i, tt := range tests {
			jobs = append(jobs, routerJob{
				Message:     json.RawMessage(`{` + typ + `,` + tt.ids + `"context":{"traits":{"email":"a@b.co"}}}`),
				Metadata:    jobMetadata{JobID: int64(i + 1)},
				Destination: json.RawMessage(testDest),
			})
		}
		status, data := c.post("/routerTransform", false, c.routerBody(jobs, false))
		var router struct {
			Output []struct {
				Request  map[string]json.RawMessage `json:"batchedRequest"`
				Metadata []jobMetadata              `json:"metadata"`
			} `json:"output"`
		}
		if err := json.Unmarshal(data, &router); status != http.StatusOK || err != nil || len(router.Output) != len(tests) {
			t.Fatalf("router answered %d with %d entries (%v): %s", status, len(router.Output), err, data)
		}
		for _, o := range router.Output {
			tt := tests[o.Metadata[0].JobID-1]
			if o.Request == nil {
				t.Errorf("%s, %s: router failed the event", typ, tt.ids)
				continue
			}
			if got := string(o.Request["userId"]); got != tt.router {
				t.Errorf("%s, %s: router's userId %q, want %q", typ, tt.ids, got, tt.router)
			}
		}
		for i, o := range c.processorTransform(jobs) {
			var out map[string]json.RawMessage
			if err := json.Unmarshal(o["output"], &out); err != nil {
				t.Fatalf("%s, %s: processor output %s", typ, tests[i].ids, o["output"])
			}
			if got := string(out["userId"]); got != tests[i].processor {
				t.Errorf("%s, %s: processor's userId %q, want %q", typ, tests[i].ids, got, tests[i].processor)
			}
		}
	}
}

// TestV2ChosenPerGroup checks that each destination group of a router
// request takes API mode v2 or not by its own first job's workspace,
// trimmed, as upstream chooses, and that a v2 group's errors follow its
// own requests, before the next group's entries.
func TestV2ChosenPerGroup(t *testing.T) {
	t.Parallel()
	_, c := newTestServer(t, Config{V2Workspaces: "w2"})
	other := `{"ID":"d2","Config":{"siteID":"customerio1","apiKey":"customerio2"}}`
	jobs := []routerJob{
		{Message: json.RawMessage(`{"type":"track","userId":"u1","event":"e"}`), Metadata: jobMetadata{JobID: 1, WorkspaceID: "w1"}, Destination: json.RawMessage(testDest)},
		{Message: json.RawMessage(`{"type":"track","userId":"u2","event":"e"}`), Metadata: jobMetadata{JobID: 2, WorkspaceID: " w2 "}, Destination: json.RawMessage(other)},
		{Message: json.RawMessage(`{"type":"nope","userId":"u2"}`), Metadata: jobMetadata{JobID: 3, WorkspaceID: "w2"}, Destination: json.RawMessage(other)},
		{Message: json.RawMessage(`{"type":"track","userId":"u3","event":"e"}`), Metadata: jobMetadata{JobID: 4, WorkspaceID: "w2"}, Destination: json.RawMessage(testDest)},
		{Message: json.RawMessage(`{"type":"track","userId":"u4","event":"e"}`), Metadata: jobMetadata{JobID: 5, WorkspaceID: "w1"}, Destination: json.RawMessage(other)},
	}
	out := c.routerTransform(jobs, false)
	type entry struct {
		jobs    []int64
		batched bool
		status  int
	}
	var got []entry
	for _, o := range out {
		got = append(got, entry{jobs: jobIDs(o), batched: o.Batched, status: o.StatusCode})
	}
	// d1's group starts with a w1 job: API mode v1, a request per event.
	// d2's starts with " w2 ": API mode v2, one batch, then its error.
	want := []entry{
		{jobs: []int64{1}, status: 200},
		{jobs: []int64{4}, status: 200},
		{jobs: []int64{2, 5}, batched: true, status: 200},
		{jobs: []int64{3}, status: 400},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("entries %+v, want %+v", got, want)
	}
}

// TestV2ErrorOrder checks that an API mode v2 group lists its errors as
// upstream's batching framework does, after its requests: the jobs that
// fail the input schema, then the mapping errors of batchable jobs, then
// those of dontBatch jobs, each in input order.
func TestV2ErrorOrder(t *testing.T) {
	t.Parallel()
	_, c := newTestServer(t, Config{V2Workspaces: "ALL"})
	msgs := []struct {
		msg       string
		dontBatch bool
	}{
		{msg: `{"type":"track","userId":"u1"}`, dontBatch: true},             // mapping error, dontBatch
		{msg: `{"type":"track","userId":"u2"}`},                              // mapping error
		{msg: `{"type":"nope","userId":"u3"}`},                               // schema error
		{msg: `{"type":"track","userId":"u4","event":"e"}`},                  // request
		{msg: `{"type":"page","userId":"u5","name":5}`},                      // mapping error
		{msg: `{"type":"track","userId":{},"event":"e"}`},                    // schema error
		{msg: `{"type":"identify"}`, dontBatch: true},                        // schema error
		{msg: `{"type":"track","userId":"u8","event":"e"}`, dontBatch: true}, // request of its own
	}
	var jobs []routerJob
	for i, m := range msgs {
		jobs = append(jobs, routerJob{
			Message:     json.RawMessage(m.msg),
			Metadata:    jobMetadata{JobID: int64(i + 1), WorkspaceID: "w", DontBatch: m.dontBatch},
			Destination: json.RawMessage(testDest),
		})
	}
	var got []string
	for _, o := range c.routerTransform(jobs, false) {
		for _, m := range o.Metadata {
			got = append(got, fmt.Sprintf("%d:%d", m.JobID, o.StatusCode))
		}
	}
	want := []string{"4:200", "8:200", "3:400", "6:400", "7:400", "2:400", "5:400", "1:400"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("jobs in output order %v, want %v", got, want)
	}
}

// TestV2RequestOrder checks that an API mode v2 group lists its requests
// by the smallest job id each covers, as upstream sorts them, except where
// that would send a user's event before an earlier one (deviation D3).
func TestV2RequestOrder(t *testing.T) {
	t.Parallel()
	_, c := newTestServer(t, Config{V2Workspaces: "ALL"})
	type msg struct {
		user      string
		dontBatch bool
	}
	for _, tc := range []struct {
		name string
		msgs []msg
		want [][]int64
	}{{
		// The dontBatch requests go out at once while the batch stays open.
		name: "sorted",
		msgs: []msg{{user: "u1"}, {user: "u2", dontBatch: true}, {user: "u3", dontBatch: true}, {user: "u4"}},
		want: [][]int64{{1, 4}, {2}, {3}},
	}, {
		// Job 3 joins the batch after job 2, of the same user, went out
		// on its own: the batch cannot go first.
		name: "a user's order kept",
		msgs: []msg{{user: "u1"}, {user: "u2", dontBatch: true}, {user: "u2"}, {user: "u3", dontBatch: true}},
		want: [][]int64{{2}, {1, 3}, {4}},
	}} {
		var jobs []routerJob
		for i, m := range tc.msgs {
			jobs = append(jobs, routerJob{
				Message:     json.RawMessage(`{"type":"track","event":"e","userId":"` + m.user + `"}`),
				Metadata:    jobMetadata{JobID: int64(i + 1), WorkspaceID: "w", DontBatch: m.dontBatch},
				Destination: json.RawMessage(testDest),
			})
		}
		var got [][]int64
		for _, o := range c.routerTransform(jobs, false) {
			got = append(got, jobIDs(o))
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: entries %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestMetadataAsUpstreamWritesIt checks a job's metadata in the answers
// when the job has none or null: the processor answers it as the job had
// it (no member, or null), the router as {}, as upstream's do.
func TestMetadataAsUpstreamWritesIt(t *testing.T) {
	t.Parallel()
	_, c := newTestServer(t, Config{})
	for _, tt := range []struct {
		job               string // the job's metadata member
		processor, router string // the answers' metadata; "" for no member
	}{
		{job: ``, processor: ``, router: `{}`},
		{job: `,"metadata":null`, processor: `null`, router: `{}`},
		{job: `,"metadata":{"jobId":7}`, processor: `{"jobId":7}`, router: `{"jobId":7}`},
	} {
		job := `{"message":{"type":"track","userId":"u","event":"e"},"destination":` + testDest + tt.job + `}`
		status, data := c.post("/v0/destinations/customerio", false, []byte(`[`+job+`]`))
		var processor []map[string]json.RawMessage
		if err := json.Unmarshal(data, &processor); status != http.StatusOK || err != nil || len(processor) != 1 {
			t.Fatalf("%q: processor answered %d (%v): %s", tt.job, status, err, data)
		}
		if got := string(processor[0]["metadata"]); got != tt.processor {
			t.Errorf("%q: processor's metadata %q, want %q", tt.job, got, tt.processor)
		}
		status, data = c.post("/routerTransform", false, []byte(`{"destType":"CUSTOMERIO","input":[`+job+`]}`))
		var router struct {
			Output []struct {
				Metadata []json.RawMessage `json:"metadata"`
			} `json:"output"`
		}
		if err := json.Unmarshal(data, &router); status != http.StatusOK || err != nil || len(router.Output) != 1 || len(router.Output[0].Metadata) != 1 {
			t.Fatalf("%q: router answered %d (%v): %s", tt.job, status, err, data)
		}
		if got := string(router.Output[0].Metadata[0]); got != tt.router {
			t.Errorf("%q: router's metadata %q, want %q", tt.job, got, tt.router)
		}
	}
}
