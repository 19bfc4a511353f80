package httpapi

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"

	"github.com/klauspost/compress/gzip"

	"github.com/cio-transformer/cio-transformer/server"
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

// errBudgetSpent is a body that no longer fits in the in-flight budget.
var errBudgetSpent = errors.New("in-flight budget spent")

// bodyCharge charges the bytes of a body to the in-flight budget as they
// are read, both as sent and decoded from gzip, so that what a request
// holds is charged whether its client sends it quickly, slowly or not at
// all: a client cannot hold the budget with bytes it has not sent.
type bodyCharge struct {
	budget *server.Budget
	held   int64
}

// reader returns r, whose reads c charges: a read that does not fit fails
// with errBudgetSpent.
func (c *bodyCharge) reader(r io.Reader) io.Reader { return chargedReader{r: r, c: c} }

// become turns what c holds into a charge of n bytes, whether or not n
// fits: the charge of something already held, such as the answer built
// from the body.
func (c *bodyCharge) become(n int64) {
	c.budget.Transfer(c.held, n)
	c.held = n
}

// add charges n bytes more to c, when they fit beside what it holds (a
// nil c charges nothing).
func (c *bodyCharge) add(n int64) bool {
	if c == nil || n <= 0 {
		return true
	}
	if !c.budget.AcquireBeside(n, c.held) {
		return false
	}
	c.held += n
	return true
}

// release returns what c holds.
func (c *bodyCharge) release() {
	c.budget.Release(c.held)
	c.held = 0
}

// chargedReader is a reader whose reads a bodyCharge charges.
type chargedReader struct {
	r io.Reader
	c *bodyCharge
}

// Read reads from r and charges what it read. As for a gRPC request
// message, a body larger than the whole budget fits when nothing else is
// held.
func (cr chargedReader) Read(p []byte) (int, error) {
	n, err := cr.r.Read(p)
	if n > 0 {
		k := server.Charge(int64(n))
		if !cr.c.budget.AcquireBeside(k, cr.c.held) {
			return n, errBudgetSpent
		}
		cr.c.held += k
	}
	return n, err
}

// gzipped reports whether r's body is gzip-compressed.
func gzipped(r *http.Request) bool {
	return strings.EqualFold(strings.TrimSpace(r.Header.Get("Content-Encoding")), "gzip")
}

// readBody reads r's body, at most limit bytes both as sent and after gzip
// decoding, charging what it reads to c.
func readBody(r *http.Request, limit int, c *bodyCharge) (requestBody, error) {
	raw, err := readLimited(c.reader(r.Body), limit, r.ContentLength)
	if err != nil {
		return requestBody{}, err
	}
	b := requestBody{raw: raw, data: raw}
	if gzipped(r) {
		zr, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			return requestBody{}, fmt.Errorf("gzip body: %w", err)
		}
		if b.data, err = readLimited(c.reader(zr), limit, -1); err != nil {
			return requestBody{}, err
		}
	}
	return b, nil
}

// readLimited reads r to its end, failing with errTooLarge past limit
// bytes. size is the length its sender announced (Content-Length), -1
// when unknown. The body is read into a reused buffer (readBuffers), then
// copied into one of its own of its exact size: one allocation and one
// copy, rather than a buffer grown, copied and cleared as the body
// arrives. A buffer too large to be kept is the body itself.
func readLimited(r io.Reader, limit int, size int64) ([]byte, error) {
	p := readBuffers.Get().(*[]byte)
	defer readBuffers.Put(p)
	b, err := readInto((*p)[:0], r, limit, size)
	switch {
	case err != nil:
		return nil, err
	case cap(b) > maxPooledRead:
		return b, nil
	}
	*p = b[:0]
	return bytes.Clone(b), nil
}

// readBuffers are the buffers bodies are read into, kept for the next
// body when they are at most maxPooledRead bytes.
var readBuffers = sync.Pool{New: func() any { return new([]byte) }}

// maxPooledRead is the largest read buffer kept for another body.
const maxPooledRead = 1 << 20

// readInto appends what r reads, to its end, to b, failing with
// errTooLarge past limit bytes, and returns b, which it grows when full.
// It grows b to twice what it holds, and to the announced size rather
// than past it, so that a sender cannot make the server allocate for
// bytes it has not sent, whatever it announces: b is never made larger
// than twice what has been read.
func readInto(b []byte, r io.Reader, limit int, size int64) ([]byte, error) {
	for {
		if len(b) == cap(b) {
			// Made to the size asked, which append's growth would round
			// up.
			nb := make([]byte, len(b), nextReadSize(len(b), limit, size))
			copy(nb, b)
			b = nb
		}
		n, err := r.Read(b[len(b):min(cap(b), limit+1)])
		b = b[:len(b)+n]
		if len(b) > limit {
			return b, errTooLarge
		}
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return b, fmt.Errorf("read body: %w", err)
		}
	}
}

// minReadSize is the capacity a read buffer grows to first when the
// body's size is unknown, as io.ReadAll's.
const minReadSize = 512

// nextReadSize returns the capacity a read buffer grows to once its n
// bytes fill it: twice n, at least minReadSize, but no more than one byte
// past the announced size while it holds (the byte that reads the end),
// nor than one byte past limit (the byte that finds the body too large).
func nextReadSize(n, limit int, size int64) int {
	want := max(2*n, minReadSize)
	if size >= int64(n) && size < int64(want) {
		want = int(size) + 1
	}
	return min(want, limit+1)
}
