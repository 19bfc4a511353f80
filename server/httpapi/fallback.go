package httpapi

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strconv"
	"time"
)

// Bounds of forwarded requests.
const (
	fallbackDialTimeout = 5 * time.Second
	fallbackIdleConns   = 64
	// maxFeaturesBytes bounds the upstream's /features document, which
	// is read to add customerio to it.
	maxFeaturesBytes = 1 << 20
)

// newFallbackProxy returns the reverse proxy to the upstream transformer at
// target: requests pass unchanged (streamed both ways), the answer comes
// back unchanged, except that the upstream's /features document also
// advertises this service's router transform. An unreachable upstream, or
// one that sends no headers within timeout, is a 502, which rudder-server
// retries.
func newFallbackProxy(target *url.URL, timeout time.Duration, delivers bool, logger *slog.Logger) *httputil.ReverseProxy {
	transport := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: fallbackDialTimeout, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:          fallbackIdleConns,
		MaxIdleConnsPerHost:   fallbackIdleConns,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   fallbackDialTimeout,
		ResponseHeaderTimeout: timeout,
	}
	return &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(target)
			pr.Out.Host = pr.In.Host
			if pr.In.URL.Path == "/features" {
				// Read and rewritten below: ask for it uncompressed.
				pr.Out.Header.Del("Accept-Encoding")
			}
		},
		Transport:      transport,
		FlushInterval:  -1,
		ModifyResponse: func(resp *http.Response) error { return addFeatures(resp, delivers) },
		ErrorLog:       slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			// The error names the upstream address and the failure, never
			// the request's content.
			logger.Warn("fallback transformer failed", "path", r.URL.Path, "error", err.Error())
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.WriteHeader(http.StatusBadGateway)
			_, _ = w.Write([]byte("fallback transformer unavailable"))
		},
	}
}

// addFeatures adds routerTransform.CUSTOMERIO to the upstream's /features
// document, so that rudder-server sends customerio jobs to the router
// transform, which this service answers, and, when this service delivers,
// transformerProxy.CUSTOMERIO. The upstream's supportTransformerProxyV1
// stays as it is: it chooses the proxy payload version for every
// destination, and a v0 proxy request is forwarded to the upstream. Any
// other answer passes as it is.
func addFeatures(resp *http.Response, delivers bool) error {
	if resp.Request.URL.Path != "/features" || resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Encoding") != "" {
		return nil
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxFeaturesBytes+1))
	_ = resp.Body.Close()
	if err != nil {
		return err
	}
	out := data
	var doc map[string]json.RawMessage
	if len(data) <= maxFeaturesBytes && json.Unmarshal(data, &doc) == nil {
		keys := []string{"routerTransform"}
		if delivers {
			keys = append(keys, "transformerProxy")
		}
		for _, key := range keys {
			m := map[string]json.RawMessage{}
			_ = json.Unmarshal(doc[key], &m)
			m["CUSTOMERIO"] = json.RawMessage("true")
			if doc[key], err = json.Marshal(m); err != nil {
				return err
			}
		}
		if b, err := json.Marshal(doc); err == nil {
			out = b
		}
	}
	resp.Body = io.NopCloser(bytes.NewReader(out))
	resp.ContentLength = int64(len(out))
	resp.Header.Set("Content-Length", strconv.Itoa(len(out)))
	return nil
}

// notOurs answers a request for another destination type: forwarded as it
// is, streamed, or 404 without a fallback.
func (h *Handler) notOurs(rec *recorder, r *http.Request, dest string) {
	if h.fallback != nil {
		h.forward(rec, r)
		return
	}
	rec.route = routeUnknown
	h.fail(rec, http.StatusNotFound, unsupported(dest))
}

// forward answers r through the fallback proxy. The exchange, from here to
// the answer's last byte, is bounded by FallbackTimeout and WriteTimeout
// together: a client that does not take a forwarded answer holds its
// request no longer than that.
func (h *Handler) forward(rec *recorder, r *http.Request) {
	rec.route = routeFallback
	if h.cfg.WriteTimeout > 0 {
		// Not every connection supports deadlines (a test's recorder).
		_ = http.NewResponseController(rec.ResponseWriter).SetWriteDeadline(time.Now().Add(h.cfg.FallbackTimeout + h.cfg.WriteTimeout))
	}
	h.fallback.ServeHTTP(rec, r)
}

// notOursBuffered answers a router request for another destination type,
// whose body was read to learn the type: the body is forwarded as it came.
func (h *Handler) notOursBuffered(rec *recorder, r *http.Request, dest string, raw []byte) {
	r.Body = io.NopCloser(bytes.NewReader(raw))
	r.ContentLength = int64(len(raw))
	h.notOurs(rec, r, dest)
}

// unsupported is the answer for a destination type this service does not
// transform.
func unsupported(dest string) string {
	return "destination type " + strconv.Quote(dest) + " is not supported: this transformer serves customerio only"
}
