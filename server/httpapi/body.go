package httpapi

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// errTooLarge is a request body over Config.MaxBodyBytes.
var errTooLarge = errors.New("request body too large")

// requestBody is a request's body as it came (raw, forwarded unchanged when
// the request is not for this service) and decoded from gzip (data).
type requestBody struct {
	raw, data []byte
}

// readBody reads r's body, at most limit bytes both as sent and after gzip
// decoding.
func readBody(r *http.Request, limit int) (requestBody, error) {
	raw, err := readLimited(r.Body, limit)
	if err != nil {
		return requestBody{}, err
	}
	b := requestBody{raw: raw, data: raw}
	if strings.EqualFold(strings.TrimSpace(r.Header.Get("Content-Encoding")), "gzip") {
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
