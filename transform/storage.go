package transform

import "unsafe"

// A result and everything it points to are allocated at once: the Request
// with its ordering keys (requestHead), or a group or API mode
// v2 object's keys (objectHead), followed by the text the strings and the
// body or object are cut from, sized to hold them. One allocation per
// result, rather than one per string and body, is most of what a mapped
// event costs the allocator and the garbage collector. A large body
// written into an allocation of its own (a device's spread properties) is
// kept as it is rather than copied (see store).
//
// The text is written once, before any of it is handed out, and never
// again: the strings cut from it (Request.Endpoint, Result.Keys) are
// immutable as Go requires. The body or object is the text's last part
// with its capacity clipped, so nothing written through it (even an
// append) can reach the bytes the strings read.

// requestHead holds a Request and its ordering keys. Its header is its
// destination's (Destination.headers).
type requestHead struct {
	req  Request
	keys [maxRequestKeys]string
}

// objectHead holds the ordering keys of a result with an object.
type objectHead struct {
	keys [maxKeys]string
}

// withText is a head and the text its strings and bytes are cut from, in
// one allocation; T is a byte array.
type withText[H, T any] struct {
	head H
	text T
}

// maxInlineText is the largest text allocated with its head; a larger one
// has an allocation of its own.
const maxInlineText = 8192

// newStorage returns a new head and a text of n bytes, allocated together
// when n is at most maxInlineText. The text's capacity is n.
func newStorage[H any](n int) (*H, []byte) {
	switch {
	case n <= 128:
		return newWithText[H, [128]byte](n)
	case n <= 256:
		return newWithText[H, [256]byte](n)
	case n <= 384:
		return newWithText[H, [384]byte](n)
	case n <= 512:
		return newWithText[H, [512]byte](n)
	case n <= 768:
		return newWithText[H, [768]byte](n)
	case n <= 1024:
		return newWithText[H, [1024]byte](n)
	case n <= 1536:
		return newWithText[H, [1536]byte](n)
	case n <= 2048:
		return newWithText[H, [2048]byte](n)
	case n <= 3072:
		return newWithText[H, [3072]byte](n)
	case n <= 4096:
		return newWithText[H, [4096]byte](n)
	case n <= 6144:
		return newWithText[H, [6144]byte](n)
	case n <= maxInlineText:
		return newWithText[H, [maxInlineText]byte](n)
	}
	return new(H), make([]byte, n)
}

// storage returns a head and a text of n bytes from a, or from newStorage
// when a is nil or the text too large for it.
func storage[H any](a *Arena, n int) (*H, []byte) {
	if a == nil || n > maxArenaText {
		return newStorage[H](n)
	}
	return arenaHead[H](a), a.text(n)
}

// newWithText allocates a head with a text of type T, a byte array of at
// least n bytes, and returns the head and the text's first n bytes.
func newWithText[H, T any](n int) (*H, []byte) {
	p := new(withText[H, T])
	text := unsafe.Slice((*byte)(unsafe.Pointer(&p.text)), unsafe.Sizeof(p.text))
	return &p.head, text[:n:n]
}

// textString returns b as a string without copying it. The caller never
// writes b again, nor hands out a slice that reaches it (see withText).
func textString(b []byte) string {
	return unsafe.String(unsafe.SliceData(b), len(b))
}

// store returns a new head H, its strings strs as one string, and the
// body of the draft d: a copy in the same text, or the draft's body itself
// when it is large and not pooled (an allocation of its own, see draft),
// which a copy would only double.
// With an arena, the head and a text of at most maxArenaText bytes are
// the arena's.
func store[H any](a *Arena, strs []byte, d draft) (*H, string, []byte) {
	if d.buf == nil && len(d.body) > maxInlineText {
		h, text := storage[H](a, len(strs))
		copy(text, strs)
		return h, textString(text), d.body[:len(d.body):len(d.body)]
	}
	h, text := storage[H](a, len(strs)+len(d.body))
	n := copy(text, strs)
	copy(text[n:], d.body)
	return h, textString(text[:n]), text[n:len(text):len(text)]
}
