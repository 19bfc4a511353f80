package conformance

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	flag "github.com/spf13/pflag"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/cio-transformer/cio-transformer/internal/fakecio"
	"github.com/cio-transformer/cio-transformer/server/delivery"
	"github.com/cio-transformer/cio-transformer/server/httpapi"
)

// Request formats of rudder-server, as verify --formats names them.
const (
	formatPlain     = "plain"
	formatCompacted = "compacted"
)

// httpCase is a conformance line with the fields only an HTTP replay
// needs.
type httpCase struct {
	caseLine
	Env        map[string]string `json:"env"`
	HTTPStatus int               `json:"http_status"`
	Extra      json.RawMessage   `json:"extra_input_fields"`
}

// httpVerifier replays conformance cases over rudder-transformer's HTTP
// protocol, posting each case's input as rudder-server does, and compares
// the whole response document with upstream's.
type httpVerifier struct {
	client  *http.Client
	timeout time.Duration
	formats []string
	// uncompactable counts the lines whose jobs the compacted format
	// cannot carry (see errCompaction): they are replayed plain only.
	uncompactable int
	// urlFor returns the base URL serving a line with the given
	// V2WorkspacesEnv value, or "" when none does.
	urlFor func(v2Workspaces string) (string, error)
	// fake is the fake Customer.io delivery lines reach; nil when none
	// runs.
	fake *fakecio.Server
}

// inProcessHTTP serves the HTTP face on loopback ports, one per value of
// the batching-framework variable, created on first use, all delivering
// with one client.
type inProcessHTTP struct {
	servers   map[string]*http.Server
	urls      map[string]string
	deliverer *delivery.Client
}

// url returns the base URL of the in-process face for v2Workspaces.
func (p *inProcessHTTP) url(v2Workspaces string) (string, error) {
	if u, ok := p.urls[v2Workspaces]; ok {
		return u, nil
	}
	h, err := httpapi.New(httpapi.Config{V2Workspaces: v2Workspaces, Deliverer: p.deliverer})
	if err != nil {
		return "", err
	}
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	s := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = s.Serve(lis) }()
	p.servers[v2Workspaces] = s
	p.urls[v2Workspaces] = "http://" + lis.Addr().String()
	return p.urls[v2Workspaces], nil
}

// close stops every in-process server.
func (p *inProcessHTTP) close() {
	for _, s := range p.servers {
		_ = s.Close()
	}
}

// parseFormats reads --formats: a comma-separated list of plain and
// compacted.
func parseFormats(s string) ([]string, error) {
	var out []string
	for f := range strings.SplitSeq(s, ",") {
		switch f = strings.TrimSpace(f); f {
		case formatPlain, formatCompacted:
			out = append(out, f)
		default:
			return nil, fmt.Errorf("unknown format %q: want plain or compacted", f)
		}
	}
	return out, nil
}

// verifyLine replays one line in every format.
func (v *httpVerifier) verifyLine(ctx context.Context, line []byte) (string, bool, []difference) {
	var c httpCase
	if err := json.Unmarshal(line, &c); err != nil {
		return "(unreadable line)", false, []difference{noteAt("line", "not a JSON object: %v", err)}
	}
	desc := strings.TrimSpace(c.Description)
	if desc == "" {
		desc = "(no description)"
	}
	kind := c.kind()
	if kind != kindProcessor && kind != kindRouter && kind != kindDelivery {
		return desc, false, []difference{noteAt("line", "neither a processor, a router nor a delivery case")}
	}
	base, err := v.urlFor(c.Env[httpapi.V2WorkspacesEnv])
	if err != nil {
		return desc, false, []difference{noteAt("server", "%v", err)}
	}
	if base == "" {
		return desc, true, nil
	}
	if kind == kindDelivery {
		return desc, false, v.verifyDeliveryHTTP(ctx, base, line)
	}
	var diffs []difference
	counted := false
	for _, f := range v.formats {
		var d []difference
		if kind == kindProcessor {
			d = v.verifyProcessorHTTP(ctx, base, f, &c)
		} else {
			d = v.verifyRouterHTTP(ctx, base, f, &c)
		}
		if len(d) == 1 && d[0].note == errCompaction.Error() {
			if !counted {
				v.uncompactable++
				counted = true
			}
			continue
		}
		for _, x := range d {
			x.path = f + ":" + x.path
			diffs = append(diffs, x)
		}
	}
	return desc, false, diffs
}

// post sends body to base+path as rudder-server does and returns the
// status and the decoded answer; the apiVersion header must be 2.
func (v *httpVerifier) post(ctx context.Context, url string, compacted bool, body []byte) (int, any, error) {
	ctx, cancel := context.WithTimeout(ctx, v.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("X-Feature-Gzip-Support", "?1")
	req.Header.Set("X-Feature-Filter-Code", "?1")
	if compacted {
		req.Header.Set("X-Content-Format", "json+compactedv1")
	}
	resp, err := v.client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, nil, err
	}
	if got := resp.Header.Get("apiVersion"); got != "2" {
		return resp.StatusCode, nil, fmt.Errorf("apiVersion header is %q, want \"2\"", got)
	}
	doc, err := decodeJSON(data)
	if err != nil {
		return resp.StatusCode, nil, fmt.Errorf("answer (%d) is not JSON: %v", resp.StatusCode, err)
	}
	return resp.StatusCode, doc, nil
}

// wantStatus is the HTTP status upstream answered a line with.
func (c *httpCase) wantStatus() int {
	if c.HTTPStatus == 0 {
		return http.StatusOK
	}
	return c.HTTPStatus
}

// compactedKey is the key under which rudder-server's compacted format,
// and upstream's reading of it, finds a job's destination: the metadata's
// destinationId as a JavaScript template string prints it.
func compactedKey(metadata json.RawMessage, key string) string {
	if !present(metadata) {
		return "undefined"
	}
	var m map[string]any
	if err := json.Unmarshal(metadata, &m); err != nil {
		return "undefined"
	}
	switch x := m[key].(type) {
	case nil:
		if _, ok := m[key]; ok {
			return "null"
		}
		return "undefined"
	case string:
		return x
	default:
		return jsString(x)
	}
}

// errCompaction is a case that rudder-server's compacted format cannot
// carry: two jobs under one destination key with different destinations.
var errCompaction = errors.New("jobs with different destinations or connections share one key: not expressible compacted")

// compactedBody builds the compacted form of jobs: {input: [{message,
// metadata}], destinations, connections, destType?}. A job without a
// connection gets an empty one, as rudder-server always sends one.
func compactedBody(inputs []routerInput, destType string) ([]byte, error) {
	type item struct {
		Message  json.RawMessage `json:"message"`
		Metadata json.RawMessage `json:"metadata,omitempty"`
	}
	body := struct {
		Input        []item                     `json:"input"`
		DestType     string                     `json:"destType,omitempty"`
		Destinations map[string]json.RawMessage `json:"destinations"`
		Connections  map[string]json.RawMessage `json:"connections"`
	}{DestType: destType, Destinations: map[string]json.RawMessage{}, Connections: map[string]json.RawMessage{}}
	for _, in := range inputs {
		body.Input = append(body.Input, item{Message: in.Message, Metadata: in.Metadata})
		key := compactedKey(in.Metadata, "destinationId")
		dest := in.Destination
		if !present(dest) {
			dest = json.RawMessage("{}")
		}
		if prev, ok := body.Destinations[key]; ok && !bytes.Equal(prev, dest) {
			return nil, errCompaction
		}
		body.Destinations[key] = dest
		conn := in.Connection
		if !present(conn) {
			conn = json.RawMessage("{}")
		}
		ck := compactedKey(in.Metadata, "sourceId") + ":" + key
		if prev, ok := body.Connections[ck]; ok && !bytes.Equal(prev, conn) {
			return nil, errCompaction
		}
		body.Connections[ck] = conn
	}
	return json.Marshal(body)
}

// httpVerifyFlags select verify's HTTP mode.
type httpVerifyFlags struct {
	inProcess bool
	url       string
	v2URL     string
	formats   string
}

// define adds the HTTP mode's flags to fs.
func (f *httpVerifyFlags) define(fs *flag.FlagSet) {
	fs.BoolVar(&f.inProcess, "http", false, "replay over rudder-transformer's HTTP protocol, served in-process")
	fs.StringVar(&f.url, "http-url", "", "replay over HTTP against a running service's HTTP face, e.g. http://127.0.0.1:9090")
	fs.StringVar(&f.v2URL, "http-v2-url", "", "with --http-url: the HTTP face of a service run with "+httpapi.V2WorkspacesEnv+"=ALL, for the batching-framework lines (skipped without it)")
	fs.StringVar(&f.formats, "formats", formatPlain+","+formatCompacted, "HTTP request formats to replay every line in: plain, compacted or both")
}

// enabled reports whether verify runs in HTTP mode.
func (f *httpVerifyFlags) enabled() bool { return f.inProcess || f.url != "" }

// verifyHTTP replays files over HTTP, like verify over gRPC; delivery
// lines reach the fake Customer.io served on fakeAddr (with --http-url) or
// on a free loopback port (in-process).
func verifyHTTP(ctx context.Context, f *httpVerifyFlags, fakeAddr string, timeout time.Duration, files []corpusFile, stdout, stderr io.Writer) int {
	formats, err := parseFormats(f.formats)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", commandName, err)
		return 2
	}
	fake, err := startFake(f.url, fakeAddr, deliveryScript(files))
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", commandName, err)
		return 2
	}
	if fake != nil {
		defer fake.Close()
	}
	v := &httpVerifier{client: &http.Client{}, timeout: timeout, formats: formats, fake: fake}
	if f.url != "" {
		v.urlFor = func(v2 string) (string, error) {
			if v2 != "" {
				return strings.TrimSuffix(f.v2URL, "/"), nil
			}
			return strings.TrimSuffix(f.url, "/"), nil
		}
	} else {
		d, err := delivery.New(delivery.Config{USURL: fake.URL, EUURL: fake.URL})
		if err != nil {
			fmt.Fprintf(stderr, "%s: %v\n", commandName, err)
			return 2
		}
		defer d.Close()
		p := &inProcessHTTP{servers: map[string]*http.Server{}, urls: map[string]string{}, deliverer: d}
		defer p.close()
		v.urlFor = p.url
	}
	var t Tally
	for _, file := range files {
		replayFile(ctx, v, file, stdout, &t)
		if ctx.Err() != nil {
			fmt.Fprintln(stdout, t)
			fmt.Fprintln(stderr, commandName+": interrupted")
			return 2
		}
	}
	if v.uncompactable > 0 {
		fmt.Fprintf(stdout, "%d case(s) not expressible in the compacted format (jobs without sourceId/destinationId in their metadata and with different connections): replayed plain only\n", v.uncompactable)
	}
	fmt.Fprintln(stdout, t)
	if t.Failed > 0 {
		return 1
	}
	return 0
}
