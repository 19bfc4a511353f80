package delivery

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/cio-transformer/cio-transformer/transform"
	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/net/http/httpguts"
)

// Config configures a Client; zero fields take the defaults in limits.go.
type Config struct {
	// USURL and EUURL are the base URLs requests for track.customer.io and
	// track-eu.customer.io are sent to (scheme, host and optional path
	// prefix). Tests and staging point them at a fake.
	USURL, EUURL string
	// Timeout bounds one exchange, rate-limit wait excluded.
	Timeout time.Duration
	// MaxResponseBytes is the most of a response body read.
	MaxResponseBytes int64
	// Rate is the requests per second sent to one site; negative means no
	// limit.
	Rate float64
	// Burst is how many requests a site may send at once.
	Burst int
	// TLS, when set, is the TLS client configuration (for example extra
	// root CAs for a staging fake). Certificates are always verified.
	TLS *tls.Config
	// Logger receives one line per failed delivery, without URL, headers
	// or body. Nil discards.
	Logger *slog.Logger
	// Metrics, when set, receives the delivery metrics.
	Metrics prometheus.Registerer
}

// Request is one request to deliver.
type Request struct {
	// Method, URL, Headers and Body are the transform's request.
	Method string
	URL    string
	// Headers are sent as given, except hop-by-hop and framing headers.
	Headers map[string]string
	Body    string
	// Params are added to the URL's query.
	Params map[string]string
	// EndpointPath is the transform's low-cardinality endpoint label.
	EndpointPath string
	// Site keys the rate limit; empty takes the Basic-auth user name of
	// the Authorization header.
	Site string
	// Jobs is how many jobs the request covers.
	Jobs int
}

// Client delivers requests to Customer.io.
type Client struct {
	cfg     Config
	us, eu  *target
	limits  *siteLimits
	metrics *metrics
	log     *slog.Logger
}

// target is one data centre: its base URL and pooled client.
type target struct {
	base   *url.URL
	client *http.Client
}

// New builds a Client from cfg.
func New(cfg Config) (*Client, error) {
	cfg = cfg.withDefaults()
	us, err := newTarget(cfg.USURL, cfg)
	if err != nil {
		return nil, fmt.Errorf("US base URL: %w", err)
	}
	eu, err := newTarget(cfg.EUURL, cfg)
	if err != nil {
		return nil, fmt.Errorf("EU base URL: %w", err)
	}
	m, err := newMetrics(cfg.Metrics)
	if err != nil {
		return nil, err
	}
	return &Client{cfg: cfg, us: us, eu: eu, limits: newSiteLimits(cfg.Rate, cfg.Burst), metrics: m, log: cfg.Logger}, nil
}

// withDefaults fills in zero fields.
func (c Config) withDefaults() Config {
	if c.USURL == "" {
		c.USURL = DefaultUSURL
	}
	if c.EUURL == "" {
		c.EUURL = DefaultEUURL
	}
	if c.Timeout <= 0 {
		c.Timeout = DefaultTimeout
	}
	if c.MaxResponseBytes <= 0 {
		c.MaxResponseBytes = DefaultMaxResponseBytes
	}
	if c.Rate == 0 {
		c.Rate = DefaultRate
	}
	if c.Burst <= 0 {
		c.Burst = DefaultBurst
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c
}

// newTarget parses a base URL and builds its pooled client.
func newTarget(raw string, cfg Config) (*target, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, err
	}
	if (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("%q is not an http(s) base URL", raw)
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	tlsCfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if cfg.TLS != nil {
		tlsCfg = cfg.TLS.Clone()
		tlsCfg.InsecureSkipVerify = false
	}
	tr := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: cfg.Timeout, KeepAlive: 30 * time.Second}).DialContext,
		TLSClientConfig:       tlsCfg,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          maxIdleConnsPerHost,
		MaxIdleConnsPerHost:   maxIdleConnsPerHost,
		IdleConnTimeout:       idleConnTimeout,
		TLSHandshakeTimeout:   cfg.Timeout,
		ResponseHeaderTimeout: cfg.Timeout,
		ExpectContinueTimeout: time.Second,
	}
	return &target{base: u, client: &http.Client{
		Transport: tr,
		// A redirect is answered to the caller, never followed: it would
		// carry the credentials to another host.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}, nil
}

// Close closes idle connections.
func (c *Client) Close() {
	c.us.client.CloseIdleConnections()
	c.eu.client.CloseIdleConnections()
}

// Deliver sends r and maps the answer to one outcome per job. It never
// fails: a request that cannot be sent, a timeout, a failed connection, an
// oversized or unreadable answer each become outcomes for every job.
func (c *Client) Deliver(ctx context.Context, r Request) transform.Delivery {
	start := time.Now()
	a := c.exchange(ctx, r)
	d := transform.Deliver(a, r.Jobs)
	c.metrics.observe(d, a, time.Since(start))
	if d.ErrorType != "" {
		// Status and sizes only: the URL names users, headers carry the
		// key, bodies carry traits.
		c.log.LogAttrs(ctx, slog.LevelWarn, "delivery failed",
			slog.String("endpoint_path", endpointLabel(r.EndpointPath)),
			slog.Int("status", d.Status),
			slog.Int("destination_status", d.DestinationStatus),
			slog.String("error_type", d.ErrorType),
			slog.Int("jobs", r.Jobs),
			slog.Float64("elapsed_ms", float64(time.Since(start).Microseconds())/1000))
	}
	return d
}

// exchange performs the HTTP exchange.
func (c *Client) exchange(ctx context.Context, r Request) transform.Answer {
	t, u, err := c.resolve(r)
	if err != nil {
		return transform.Answer{Failure: transform.FailureUndeliverable(err.Error())}
	}
	site := r.Site
	if site == "" {
		site = basicUser(r.Headers)
	}
	if wait, ok := c.limits.reserve(t.base.Host+"\x00"+site, c.cfg.Timeout); !ok {
		return transform.Answer{Failure: transform.FailureThrottled(wait)}
	} else if wait > 0 {
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			return transform.Answer{Failure: transform.FailureConnection("the call was cancelled before the request was sent")}
		case <-timer.C:
		}
	}
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	var body io.Reader
	if r.Body != "" {
		body = strings.NewReader(r.Body)
	}
	req, err := http.NewRequestWithContext(ctx, r.Method, u.String(), body)
	if err != nil {
		return transform.Answer{Failure: transform.FailureUndeliverable("the request cannot be built")}
	}
	for k, v := range r.Headers {
		if !forwarded(k) {
			continue
		}
		req.Header.Set(k, v)
	}
	if r.Body != "" && req.Header.Get("Content-Type") == "" {
		// v1 requests carry no Content-Type; RudderStack's sender sets it
		// for a JSON body.
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := t.client.Do(req)
	if err != nil {
		return transform.Answer{Failure: c.classify(ctx, err)}
	}
	defer resp.Body.Close()
	a := transform.Answer{Status: resp.StatusCode, RetryAfter: retryAfter(resp.Header.Get("Retry-After"), time.Now())}
	buf, incomplete := readBounded(resp.Body, c.cfg.MaxResponseBytes)
	a.Body, a.BodyIncomplete = buf, incomplete
	return a
}

// resolve checks the method and URL and maps the URL's Customer.io host to
// the configured base URL.
func (c *Client) resolve(r Request) (*target, *url.URL, error) {
	switch r.Method {
	case http.MethodPost, http.MethodPut, http.MethodDelete:
	default:
		return nil, nil, errors.New("the method must be POST, PUT or DELETE")
	}
	u, err := url.Parse(r.URL)
	if err != nil || u.Scheme != "https" || u.User != nil || u.Fragment != "" {
		return nil, nil, errors.New("the url must be an https URL on a Customer.io Track API host")
	}
	var t *target
	switch u.Host {
	case trackHostUS:
		t = c.us
	case trackHostEU:
		t = c.eu
	default:
		return nil, nil, errors.New("the url's host is not a Customer.io Track API host (track.customer.io or track-eu.customer.io)")
	}
	// The path is sent exactly as the transform encoded it: an id with a
	// slash stays one segment (%2F).
	out := *t.base
	out.Path = t.base.Path + u.Path
	out.RawPath = t.base.EscapedPath() + u.EscapedPath()
	for k, v := range r.Headers {
		if !httpguts.ValidHeaderFieldName(k) || !httpguts.ValidHeaderFieldValue(v) {
			return nil, nil, errors.New("a header name or value is not valid in HTTP")
		}
	}
	q := u.Query()
	for k, v := range r.Params {
		q.Set(k, v)
	}
	out.RawQuery = q.Encode()
	return t, &out, nil
}

// forwarded reports whether a caller's header is sent: hop-by-hop and
// framing headers are the client's own business.
func forwarded(name string) bool {
	switch http.CanonicalHeaderKey(name) {
	case "Host", "Content-Length", "Transfer-Encoding", "Connection", "Keep-Alive",
		"Proxy-Connection", "Proxy-Authorization", "Te", "Trailer", "Upgrade":
		return false
	}
	return name != ""
}

// basicUser is the user name of a Basic Authorization header: the site id.
func basicUser(h map[string]string) string {
	for k, v := range h {
		if !strings.EqualFold(k, "Authorization") {
			continue
		}
		enc, ok := strings.CutPrefix(v, "Basic ")
		if !ok {
			return ""
		}
		raw, err := base64.StdEncoding.DecodeString(enc)
		if err != nil {
			return ""
		}
		user, _, _ := bytes.Cut(raw, []byte{':'})
		return string(user)
	}
	return ""
}

// readBounded reads at most limit bytes of body. It reports the body
// incomplete when it is longer or reading fails; the rest is not read, and
// closing the body then drops the connection.
func readBounded(body io.Reader, limit int64) ([]byte, bool) {
	buf, err := io.ReadAll(io.LimitReader(body, limit+1))
	if err != nil {
		return buf, true
	}
	if int64(len(buf)) > limit {
		return buf[:limit], true
	}
	return buf, false
}

// classify names a failed exchange without the error's text, which holds
// the URL.
func (c *Client) classify(ctx context.Context, err error) *transform.DeliveryFailure {
	var ne net.Error
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return transform.FailureTimeout(c.cfg.Timeout)
	case errors.Is(ctx.Err(), context.Canceled):
		return transform.FailureConnection("the call was cancelled")
	case errors.Is(err, syscall.ECONNREFUSED):
		return transform.FailureConnection("connection refused")
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return transform.FailureConnection("connection reset before an answer")
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return transform.FailureConnection("DNS lookup failed")
	}
	var certErr *tls.CertificateVerificationError
	if errors.As(err, &certErr) {
		return transform.FailureConnection("TLS certificate verification failed")
	}
	return transform.FailureConnection("no answer")
}

// retryAfter parses a Retry-After header: delay seconds or an HTTP date.
func retryAfter(h string, now time.Time) time.Duration {
	if h == "" {
		return 0
	}
	if s, err := strconv.ParseInt(strings.TrimSpace(h), 10, 64); err == nil {
		if s <= 0 {
			return 0
		}
		return time.Duration(min(s, 86400)) * time.Second
	}
	if t, err := http.ParseTime(h); err == nil && t.After(now) {
		return min(t.Sub(now), 24*time.Hour)
	}
	return 0
}

// endpointLabel is a known endpoint path, or "other".
func endpointLabel(p string) string {
	switch p {
	case "v1/customers", "v1/customers/events", "v1/events", "v1/merge_customers",
		"v1/customers/devices", "v1/customers/devices/delete", "v2/batch":
		return p
	}
	return "other"
}
