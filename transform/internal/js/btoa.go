package js

import (
	"encoding/base64"
	"strings"
	"unicode/utf8"

	"github.com/cio-transformer/cio-transformer/internal/jsvalue"
)

// Btoa returns s encoded as the npm btoa package encodes it: as latin1,
// each UTF-16 code unit reduced to its low byte, so "€" (U+20AC) becomes
// 0xAC and a character outside the BMP becomes the low bytes of its two
// surrogates, then base64 with padding. Non-ASCII text therefore does not
// encode as UTF-8 base64 does.
func Btoa(s string) string {
	// One byte per UTF-16 code unit.
	var sb strings.Builder
	sb.Grow(base64.StdEncoding.EncodedLen(jsvalue.UTF16Len(s)))
	w := latin1Base64{sb: &sb}
	w.writeString(s)
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
