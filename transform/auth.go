package transform

import (
	"encoding/base64"
	"strings"
	"unicode/utf8"

	"github.com/cio-transformer/cio-transformer/internal/jsvalue"
)

// basicAuthPrefix starts every Authorization header value.
const basicAuthPrefix = "Basic "

// basicAuth returns the Authorization header value for the credentials:
// "Basic " + btoa(siteID + ":" + apiKey).
//
// Upstream uses the npm btoa package, which encodes its input as latin1: each
// UTF-16 code unit is reduced to its low byte, so "€" (U+20AC) becomes 0xAC
// and a character outside the BMP becomes the low bytes of its two
// surrogates. Non-ASCII credentials therefore do not encode as UTF-8 base64
// does; Customer.io receives exactly what upstream sends.
func basicAuth(siteID, apiKey string) string {
	// btoa encodes one byte per UTF-16 code unit.
	n := utf16Len(siteID) + 1 + utf16Len(apiKey)
	var sb strings.Builder
	sb.Grow(len(basicAuthPrefix) + base64.StdEncoding.EncodedLen(n))
	sb.WriteString(basicAuthPrefix)
	w := latin1Base64{sb: &sb}
	w.writeString(siteID)
	w.writeByte(':')
	w.writeString(apiKey)
	w.flush()
	return sb.String()
}

// latin1Chunk is how many input bytes latin1Base64 encodes at a time: a
// multiple of 3, so that only the final chunk is padded.
const latin1Chunk = 48

// latin1Base64 base64-encodes a latin1 byte stream into a strings.Builder
// without building the stream itself.
type latin1Base64 struct {
	sb  *strings.Builder
	buf [latin1Chunk]byte
	n   int
}

func (w *latin1Base64) writeByte(b byte) {
	if w.n == len(w.buf) {
		w.encode()
	}
	w.buf[w.n] = b
	w.n++
}

func (w *latin1Base64) writeString(s string) {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			w.writeByte(c)
			i++
			continue
		}
		r, size := jsvalue.DecodeRune(s[i:])
		i += size
		if r > 0xFFFF {
			r -= 0x10000
			w.writeByte(byte(0xD800 + r>>10))
			w.writeByte(byte(0xDC00 + r&0x3FF))
			continue
		}
		w.writeByte(byte(r))
	}
}

// encode writes the buffered bytes; called with a full buffer, or once at
// the end for the padded remainder.
func (w *latin1Base64) encode() {
	var out [latin1Chunk / 3 * 4]byte
	m := base64.StdEncoding.EncodedLen(w.n)
	base64.StdEncoding.Encode(out[:m], w.buf[:w.n])
	w.sb.Write(out[:m])
	w.n = 0
}

func (w *latin1Base64) flush() {
	if w.n > 0 {
		w.encode()
	}
}
