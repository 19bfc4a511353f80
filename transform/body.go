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
	// not pooled: written into an allocation made for it alone, sized for
	// it beforehand, which its result may keep rather than copy (see
	// store), or a constant (emptyObject).
	buf  *[]byte
	body []byte
}

// emptyObject is the body of a request that sends none: {}.
var emptyObject = draft{body: []byte("{}")}

// bodyBuffer returns an empty pooled buffer to write a body into; finish
// makes it the draft of that body.
func bodyBuffer() *[]byte { return bodyScratch.Get().(*[]byte) }

// finish returns the draft of body, which was written into buf, or into
// an allocation made for it alone when buf is nil.
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

// key starts a member; quoted is its key as a JSON string. The writer's
// text is written through a local slice, stored back once: each append
// through w would load and store it again.
func (w *objectWriter) key(quoted string) {
	dst := w.dst
	if w.some {
		dst = append(dst, ',')
	}
	w.some = true
	dst = append(dst, quoted...)
	w.dst = append(dst, ':')
}

// member writes a member, unless v is undefined.
func (w *objectWriter) member(quoted string, v jsvalue.Value) {
	if v.IsUndefined() {
		return
	}
	w.key(quoted)
	w.dst = appendValue(w.dst, v)
}

// memberKey writes a member of any key, unless v is undefined (see key).
func (w *objectWriter) memberKey(key string, v jsvalue.Value) {
	if v.IsUndefined() {
		return
	}
	dst := w.dst
	if w.some {
		dst = append(dst, ',')
	}
	w.some = true
	dst = appendString(dst, key)
	dst = append(dst, ':')
	w.dst = appendValue(dst, v)
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
// most keys and values of an event are, is written between quotes as it is:
// checked as one word of two loads that cover it, overlapping unless s
// fills them, and stored with the same two stores, which costs less than
// the call and its copy (TestAppendString).
func appendString(dst []byte, s string) []byte {
	n := len(s)
	if n > plainWordBytes {
		return jsvalue.AppendJSONString(dst, s)
	}
	if cap(dst)-len(dst) < plainWordBytes+2 {
		dst = slices.Grow(dst, plainWordBytes+2)
	}
	start := len(dst)
	d := dst[start : start+plainWordBytes+2]
	switch {
	case n >= 8:
		x, y := word(s), word(s[n-8:])
		if jsvalue.EscapedBytes(x)|jsvalue.EscapedBytes(y) != 0 {
			return jsvalue.AppendJSONString(dst, s)
		}
		binary.LittleEndian.PutUint64(d[1:], x)
		binary.LittleEndian.PutUint64(d[n-7:], y)
	case n >= 4:
		x, y := halfWord(s), halfWord(s[n-4:])
		if jsvalue.EscapedBytes(uint64(x)|uint64(y)<<32) != 0 {
			return jsvalue.AppendJSONString(dst, s)
		}
		binary.LittleEndian.PutUint32(d[1:], x)
		binary.LittleEndian.PutUint32(d[n-3:], y)
	case n > 0:
		// The first, middle and last bytes are every byte of s; the other
		// bytes of the word are plain.
		a, b, c := s[0], s[n>>1], s[n-1]
		if jsvalue.EscapedBytes(uint64(a)|uint64(b)<<8|uint64(c)<<16|0x6161616161<<24) != 0 {
			return jsvalue.AppendJSONString(dst, s)
		}
		d[1], d[1+n>>1], d[n] = a, b, c
	}
	d[0] = '"'
	d[n+1] = '"'
	return dst[:start+n+2]
}

// word returns the first eight bytes of s as a little-endian word.
func word(s string) uint64 {
	_ = s[7]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// halfWord returns the first four bytes of s as a little-endian word.
func halfWord(s string) uint32 {
	_ = s[3]
	return uint32(s[0]) | uint32(s[1])<<8 | uint32(s[2])<<16 | uint32(s[3])<<24
}

// plainWordBytes is the longest string appendString looks at itself.
const plainWordBytes = 16

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
