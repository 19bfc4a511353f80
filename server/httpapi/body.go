package httpapi

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
)

// minGzipBytes is the smallest answer worth compressing.
const minGzipBytes = 1024

// gzipWriters reuses compressors: each holds about 800 KB of state.
var gzipWriters = sync.Pool{New: func() any {
	w, _ := gzip.NewWriterLevel(io.Discard, gzip.BestSpeed)
	return w
}}

// acceptsGzip reports whether r's client takes gzip-compressed answers:
// rudder-server says so with X-Feature-Gzip-Support: ?1, and its Go HTTP
// client decompresses whatever its Accept-Encoding asked for.
func acceptsGzip(r *http.Request) bool {
	return r.Header.Get("X-Feature-Gzip-Support") == "?1" &&
		strings.Contains(strings.ToLower(r.Header.Get("Accept-Encoding")), "gzip")
}

// gzipBytes compresses data at the fastest level.
func gzipBytes(data []byte) ([]byte, error) {
	var buf bytes.Buffer
	buf.Grow(len(data) / 4)
	w := gzipWriters.Get().(*gzip.Writer)
	defer gzipWriters.Put(w)
	w.Reset(&buf)
	if _, err := w.Write(data); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// errTooLarge is a request body over Config.MaxBodyBytes.
var errTooLarge = errors.New("request body too large")

// requestBody is a request's body as it came (raw, forwarded unchanged when
// the request is not for this service) and decoded from gzip (data).
type requestBody struct {
	raw, data []byte
}

// bodyCharge is what the in-flight budget is charged for r's body before
// it is read: chargeOf its Content-Length, or of the limit when the length
// is unknown, over the limit, or only known before gzip decoding.
func bodyCharge(r *http.Request, limit int) int64 {
	n := int64(limit)
	if r.ContentLength >= 0 && r.ContentLength < n && !gzipped(r) {
		n = r.ContentLength
	}
	return chargeOf(n)
}

// chargeOf is the charge of a body of n bytes: four times its size, as a
// gRPC request message is charged (the body, the jobs decoded from it,
// their results and the answer).
func chargeOf(n int64) int64 { return 4 * n }

// gzipped reports whether r's body is gzip-compressed.
func gzipped(r *http.Request) bool {
	return strings.EqualFold(strings.TrimSpace(r.Header.Get("Content-Encoding")), "gzip")
}

// readBody reads r's body, at most limit bytes both as sent and after gzip
// decoding.
func readBody(r *http.Request, limit int) (requestBody, error) {
	raw, err := readLimited(r.Body, limit)
	if err != nil {
		return requestBody{}, err
	}
	b := requestBody{raw: raw, data: raw}
	if gzipped(r) {
		zr, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			return requestBody{}, fmt.Errorf("gzip body: %w", err)
		}
		if b.data, err = readLimited(zr, limit); err != nil {
			return requestBody{}, err
		}
	}
	return b, nil
}

// readLimited reads r to its end, failing with errTooLarge past limit
// bytes.
func readLimited(r io.Reader, limit int) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, int64(limit)+1))
	if err != nil {
		return nil, fmt.Errorf("read body: %w", err)
	}
	if len(data) > limit {
		return nil, errTooLarge
	}
	return data, nil
}
