package transform

import (
	"encoding/binary"
	"slices"
	"sync"

	"github.com/cio-transformer/cio-transformer/internal/jsvalue"
)

// bodyScratch holds the buffers request bodies are written into before
// being copied into their result's storage (see newStorage): a body's size
// is only known once it is written, and growing a buffer to the size of a
// large event costs more than one copy.
var bodyScratch = sync.Pool{New: func() any { return new([]byte) }}

// maxPooledBody is the largest body buffer kept for reuse, so that one huge
// event does not pin its memory for good.
const maxPooledBody = 64 << 10

// draft is a body or object written, usually into a pooled buffer, and not
// yet copied into its result.
type draft struct {
	// buf is the pooled buffer body was written into; nil when body is
	// not pooled.
	buf  *[]byte
	body []byte
}

// emptyObject is the body of a request that sends none: {}.
var emptyObject = draft{body: []byte("{}")}

// bodyBuffer returns an empty pooled buffer to write a body into; finish
// makes it the draft of that body.
func bodyBuffer() *[]byte { return bodyScratch.Get().(*[]byte) }

// finish returns the draft of body, which was written into buf.
func finish(buf *[]byte, body []byte) draft { return draft{buf: buf, body: body} }

// release puts the draft's buffer back for reuse; the draft's body must not
// be read afterwards.
func (d draft) release() {
	if d.buf != nil && cap(d.body) <= maxPooledBody {
		*d.buf = d.body[:0]
		bodyScratch.Put(d.buf)
	}
}

// encodeBody returns the draft of v as JSON.stringify writes it.
func encodeBody(v jsvalue.Value) draft {
	buf := bodyBuffer()
	return finish(buf, v.AppendJSON((*buf)[:0]))
}

// bodySlack is room for the members of a body besides those counted.
const bodySlack = 512

// objectWriter writes a JSON object member by member, as JSON.stringify
// writes an object: members whose value is undefined are left out.
type objectWriter struct {
	dst  []byte
	some bool
}

// newObjectWriter starts an object at the end of dst.
func newObjectWriter(dst []byte) objectWriter {
	return objectWriter{dst: append(dst, '{')}
}

// key starts a member; quoted is its key as a JSON string.
func (w *objectWriter) key(quoted string) {
	if w.some {
		w.dst = append(w.dst, ',')
	}
	w.some = true
	w.dst = append(w.dst, quoted...)
	w.dst = append(w.dst, ':')
}

// member writes a member, unless v is undefined.
func (w *objectWriter) member(quoted string, v jsvalue.Value) {
	if v.IsUndefined() {
		return
	}
	w.key(quoted)
	w.dst = appendValue(w.dst, v)
}

// memberKey writes a member of any key, unless v is undefined.
func (w *objectWriter) memberKey(key string, v jsvalue.Value) {
	if v.IsUndefined() {
		return
	}
	if w.some {
		w.dst = append(w.dst, ',')
	}
	w.some = true
	w.dst = appendString(w.dst, key)
	w.dst = append(w.dst, ':')
	w.dst = appendValue(w.dst, v)
}

// appendValue appends v as v.AppendJSON does: a string, number, boolean or
// null directly, without the encoder AppendJSON sets up for objects and
// arrays (TestAppendValue). A number whose text starts with a digit, or
// with '-' and a digit, is JSON's own text and never NaN or infinite, which
// AppendJSON writes as null: such a text is written as it is, any other
// through AppendJSON.
func appendValue(dst []byte, v jsvalue.Value) []byte {
	switch v.Kind() {
	case jsvalue.KindString:
		return appendString(dst, v.Str())
	case jsvalue.KindNumber:
		if text := v.NumberText(); jsonNumberText(text) {
			return append(dst, text...)
		}
	case jsvalue.KindBool:
		if v.Bool() {
			return append(dst, "true"...)
		}
		return append(dst, "false"...)
	case jsvalue.KindNull:
		return append(dst, "null"...)
	}
	return v.AppendJSON(dst)
}

// appendString appends s as a JSON string, as jsvalue.AppendJSONString
// does. A string of at most plainWordBytes bytes that needs no escape, as
// most keys and values of an event are, is written between quotes as it is,
// with a look at two words (or at each byte of a shorter string) and a
// store of each, which costs less than the call and its copy
// (TestAppendString).
func appendString(dst []byte, s string) []byte {
	n := len(s)
	if n > plainWordBytes {
		return jsvalue.AppendJSONString(dst, s)
	}
	if cap(dst)-len(dst) < plainWordBytes+2 {
		dst = slices.Grow(dst, plainWordBytes+2)
	}
	start := len(dst)
	d := dst[start : start+n+2]
	if n >= 8 {
		// The two words overlap unless s has 16 bytes.
		t := s[n-8:]
		x := uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
			uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
		y := uint64(t[0]) | uint64(t[1])<<8 | uint64(t[2])<<16 | uint64(t[3])<<24 |
			uint64(t[4])<<32 | uint64(t[5])<<40 | uint64(t[6])<<48 | uint64(t[7])<<56
		if plainWord(x)|plainWord(y) != 0 {
			return jsvalue.AppendJSONString(dst, s)
		}
		binary.LittleEndian.PutUint64(d[1:], x)
		binary.LittleEndian.PutUint64(d[n-7:], y)
	} else {
		for i := 0; i < n; i++ {
			c := s[i]
			if !plainByte[c] {
				return jsvalue.AppendJSONString(dst, s)
			}
			d[i+1] = c
		}
	}
	d[0] = '"'
	d[n+1] = '"'
	return dst[:start+n+2]
}

// plainByte holds the bytes a JSON string holds as they are: ASCII from
// 0x20, but '"' and '\\'.
var plainByte = func() (t [256]bool) {
	for c := 0x20; c < 0x80; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// plainWordBytes is the longest string appendString looks at itself.
const plainWordBytes = 16

// plainWord returns, for the eight bytes of x, a set high bit for each byte
// a JSON string escapes or that starts or continues a character beyond
// ASCII: a byte below 0x20, '"', '\\' or a byte of 0x80 or above; 0 when
// there is none. A borrow only carries up from such a byte, so 0 is exact.
func plainWord(x uint64) uint64 {
	const lsb, msb = 0x0101010101010101, 0x8080808080808080
	return ((x - lsb*0x20) | ((x ^ lsb*'"') - lsb) | ((x ^ lsb*'\\') - lsb) | x) & msb
}

// jsonNumberText reports whether a number's text starts as a JSON number
// does, with a digit or with '-' and a digit: NaN and the infinities,
// "NaN", "Infinity" and "-Infinity", do not.
func jsonNumberText(text string) bool {
	if text != "" && text[0] == '-' {
		text = text[1:]
	}
	return text != "" && '0' <= text[0] && text[0] <= '9'
}

// end closes the object and returns the text.
func (w *objectWriter) end() []byte {
	return append(w.dst, '}')
}
