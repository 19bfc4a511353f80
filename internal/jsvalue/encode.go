package jsvalue

import (
	"errors"
	"unicode/utf8"
)

// ErrCycle is returned by MarshalJSON for a value that contains itself, which
// JSON.stringify rejects too.
var ErrCycle = errors.New("jsvalue: cyclic value")

// maxLinearPath is how deep the encoder looks for cycles by scanning the
// current path before it switches to a set.
const maxLinearPath = 32

// AppendJSON appends v as JSON.stringify(v) writes it, without indentation:
// object members in order, members whose value is undefined omitted, undefined
// array elements as null, NaN and infinite numbers as null, strings escaped
// as JSON.stringify escapes them (a lone surrogate as a lowercase \udXXX
// escape). Unlike JSON.stringify, a top-level undefined is written as null,
// so the output is always JSON. Invalid UTF-8 in a string is written as
// U+FFFD. A value that contains itself is written
// as null where it recurs (see MarshalJSON).
func (v Value) AppendJSON(dst []byte) []byte {
	var e encoder
	return e.value(dst, v)
}

// MarshalJSON returns v.AppendJSON(nil), or ErrCycle if v contains itself.
func (v Value) MarshalJSON() ([]byte, error) {
	var e encoder
	out := e.value(nil, v)
	if e.cycle {
		return nil, ErrCycle
	}
	return out, nil
}

// AppendJSONString appends s as a JSON string literal, escaped as
// JSON.stringify escapes it: a lone surrogate (see DecodeRune) as a
// lowercase \udXXX escape; invalid UTF-8 is written as U+FFFD.
func AppendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		i = plainPrefix(s, i)
		if i >= len(s) {
			break
		}
		c := s[i]
		if c >= utf8.RuneSelf {
			r, size := DecodeRune(s[i:])
			if IsSurrogate(r) {
				// Well-formed JSON.stringify writes a lone surrogate as a
				// lowercase escape.
				const hex = "0123456789abcdef"
				dst = append(dst, s[start:i]...)
				dst = append(dst, '\\', 'u', 'd', hex[r>>8&0xF], hex[r>>4&0xF], hex[r&0xF])
				i += size
				start = i
				continue
			}
			if r != utf8.RuneError || size != 1 {
				i += size
				continue
			}
			dst = append(dst, s[start:i]...)
			dst = append(dst, "\uFFFD"...)
			i++
			start = i
			continue
		}
		dst = append(dst, s[start:i]...)
		switch c {
		case '"', '\\':
			dst = append(dst, '\\', c)
		case '\b':
			dst = append(dst, '\\', 'b')
		case '\f':
			dst = append(dst, '\\', 'f')
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\r':
			dst = append(dst, '\\', 'r')
		case '\t':
			dst = append(dst, '\\', 't')
		default:
			const hex = "0123456789abcdef"
			dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
		}
		i++
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// encoder writes one value. It remembers the objects and arrays on the path
// from the root, so a value containing itself ends instead of recursing
// forever.
type encoder struct {
	path  pathSet
	cycle bool
}

func (e *encoder) value(dst []byte, v Value) []byte {
	switch v.kind {
	case KindNull, KindUndefined:
		return append(dst, "null"...)
	case KindBool:
		if v.b {
			return append(dst, "true"...)
		}
		return append(dst, "false"...)
	case KindNumber:
		return appendNumberText(dst, v.s)
	case KindString:
		return AppendJSONString(dst, v.s)
	case KindArray:
		dst, ok := e.open(dst, v.c)
		if !ok {
			return dst
		}
		dst = append(dst, '[')
		for i, el := range v.c.elems {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = e.value(dst, el)
		}
		e.path.pop(v.c)
		return append(dst, ']')
	case KindObject:
		dst, ok := e.open(dst, v.c)
		if !ok {
			return dst
		}
		dst = append(dst, '{')
		first := true
		for i := range v.c.members {
			m := &v.c.members[i]
			if m.Value.kind == KindUndefined {
				continue
			}
			if !first {
				dst = append(dst, ',')
			}
			first = false
			dst = AppendJSONString(dst, m.Key)
			dst = append(dst, ':')
			dst = e.value(dst, m.Value)
		}
		e.path.pop(v.c)
		return append(dst, '}')
	}
	return append(dst, "null"...)
}

// open starts writing container c: it writes c whole when its text can be
// copied, or null when c is already on the path (a cycle), and then reports
// false; otherwise the caller writes c's contents and pops it from the path.
func (e *encoder) open(dst []byte, c *container) ([]byte, bool) {
	if c.verbatim() {
		return c.appendText(dst), false
	}
	c.load()
	if !e.path.push(c) {
		e.cycle = true
		return append(dst, "null"...), false
	}
	return dst, true
}

// appendNumberText writes the JSON text of a number, or null for NaN and the
// infinities as JSON.stringify does.
func appendNumberText(dst []byte, text string) []byte {
	if text == "" || text[0] == 'N' || text[0] == 'I' || (text[0] == '-' && len(text) > 1 && text[1] == 'I') {
		return append(dst, "null"...)
	}
	return append(dst, text...)
}

// pathSet holds the containers (arrays and objects) on the current path:
// scanned linearly while the path is short, in a map once it is deep.
type pathSet struct {
	stack [maxLinearPath]*container
	n     int
	deep  map[*container]struct{}
}

// push adds c to the path, reporting false if it is already on it.
func (s *pathSet) push(c *container) bool {
	if s.n < maxLinearPath {
		for i := range s.n {
			if s.stack[i] == c {
				return false
			}
		}
		s.stack[s.n] = c
		s.n++
		return true
	}
	for i := range s.n {
		if s.stack[i] == c {
			return false
		}
	}
	if s.deep == nil {
		s.deep = make(map[*container]struct{})
	}
	if _, ok := s.deep[c]; ok {
		return false
	}
	s.deep[c] = struct{}{}
	return true
}

// pop removes c, the last container pushed, from the path.
func (s *pathSet) pop(c *container) {
	if len(s.deep) > 0 {
		if _, ok := s.deep[c]; ok {
			delete(s.deep, c)
			return
		}
	}
	s.n--
	s.stack[s.n] = nil
}
