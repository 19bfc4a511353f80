package jsvalue

import (
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The recursive-descent parser Parse used before the index: it builds
// every container at once. It is kept as an oracle for the differential
// fuzz target (FuzzLazy): the index must accept, reject, report and read
// exactly as it does.

// eagerParse parses data with the oracle parser, building every container.
func eagerParse(data []byte) (Value, error) {
	src := string(data)
	p := oracleParser{src: src, oracleScratch: &oracleScratch{}}
	p.skipSpace()
	v := p.value()
	if p.err == nil {
		p.skipSpace()
		if p.pos < len(p.src) {
			p.fail(p.pos, "unexpected data after top-level value")
		}
	}
	if p.err != nil {
		return Value{}, p.err
	}
	return v, nil
}

// oracleScratch holds the stacks the oracle parser works on.
type oracleScratch struct {
	members     []Member
	elems       []Value
	dedup       map[oracleDedupKey]int
	buf         []byte
	membersUsed int
	elemsUsed   int
}

func oracleIsHigh(r rune) bool { return r >= 0xD800 && r < 0xDC00 }
func oracleIsLow(r rune) bool  { return r >= 0xDC00 && r < 0xE000 }

// dedupThreshold is the member count past which the oracle finds
// duplicate keys through a map.
const dedupThreshold = 16

// oracleDedupKey names one key of the object whose members start at base in the
// oracleParser's member stack.
type oracleDedupKey struct {
	base int
	key  string
}

// oracleParser is the state of one Parse call. Members and elements of the
// containers being parsed accumulate on shared stacks and are copied into
// exactly sized slices carved from larger blocks when a container closes,
// so a document costs a handful of allocations.
type oracleParser struct {
	src   string
	pos   int
	depth int
	err   error
	*oracleScratch

	memberBlock []Member
	elemBlock   []Value
	memberChunk int
	elemChunk   int
}

func (p *oracleParser) fail(offset int, msg string) {
	if p.err == nil {
		p.err = &SyntaxError{Offset: offset, msg: msg}
	}
}

func (p *oracleParser) failAtPos(msg string) {
	if p.pos >= len(p.src) {
		p.fail(len(p.src), "unexpected end of JSON input")
		return
	}
	p.fail(p.pos, msg)
}

func (p *oracleParser) skipSpace() {
	for p.pos < len(p.src) {
		switch p.src[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

// value parses the value at p.pos, which is not whitespace.
func (p *oracleParser) value() Value {
	if p.pos >= len(p.src) {
		p.failAtPos("")
		return Value{}
	}
	switch c := p.src[p.pos]; c {
	case '"':
		s, ok := p.str()
		if !ok {
			return Value{}
		}
		return Value{kind: KindString, s: s}
	case '{':
		return p.object()
	case '[':
		return p.array()
	case 't':
		return p.literal("true", Value{kind: KindBool, b: true})
	case 'f':
		return p.literal("false", Value{kind: KindBool})
	case 'n':
		return p.literal("null", Value{kind: KindNull})
	default:
		if c == '-' || (c >= '0' && c <= '9') {
			return p.number()
		}
		p.fail(p.pos, "invalid character looking for beginning of value")
		return Value{}
	}
}

func (p *oracleParser) literal(word string, v Value) Value {
	if strings.HasPrefix(p.src[p.pos:], word) {
		p.pos += len(word)
		return v
	}
	// Report the first byte that differs, or the end of input.
	i := 0
	for p.pos+i < len(p.src) && p.src[p.pos+i] == word[i] {
		i++
	}
	p.pos += i
	p.failAtPos("invalid literal")
	return Value{}
}

func (p *oracleParser) enter() bool {
	p.depth++
	if p.depth > MaxDepth {
		p.fail(p.pos, "nesting too deep")
		return false
	}
	return true
}

func (p *oracleParser) object() Value {
	if !p.enter() {
		return Value{}
	}
	p.pos++ // '{'
	base := len(p.members)
	p.skipSpace()
	if p.pos < len(p.src) && p.src[p.pos] == '}' {
		p.pos++
		p.depth--
		return Value{kind: KindObject, c: p.newObject(nil)}
	}
	for {
		if p.pos >= len(p.src) || p.src[p.pos] != '"' {
			p.failAtPos("expected string for object key")
			return Value{}
		}
		key, ok := p.str()
		if !ok {
			return Value{}
		}
		p.skipSpace()
		if p.pos >= len(p.src) || p.src[p.pos] != ':' {
			p.failAtPos("expected ':' after object key")
			return Value{}
		}
		p.pos++
		p.skipSpace()
		idx := p.memberIndex(base, key)
		v := p.value()
		if p.err != nil {
			return Value{}
		}
		// Nested containers leave the member stack as they found it, so the
		// member goes on top only now, written once.
		if idx < 0 {
			p.addMember(base, key, v)
		} else {
			p.members[idx].Value = v
		}
		p.skipSpace()
		if p.pos >= len(p.src) {
			p.failAtPos("")
			return Value{}
		}
		c := p.src[p.pos]
		p.pos++
		if c == '}' {
			break
		}
		if c != ',' {
			p.pos--
			p.failAtPos("expected ',' or '}' after object member")
			return Value{}
		}
		p.skipSpace()
	}
	n := len(p.members) - base
	ms := p.allocMembers(n)
	copy(ms, p.members[base:])
	if n > dedupThreshold {
		for i := base; i < len(p.members); i++ {
			delete(p.dedup, oracleDedupKey{base, p.members[i].Key})
		}
	}
	p.membersUsed = max(p.membersUsed, len(p.members))
	p.members = p.members[:base]
	p.depth--
	return Value{kind: KindObject, c: p.newObject(ms)}
}

// memberIndex returns where key already is among the members of the object
// starting at base, or -1.
func (p *oracleParser) memberIndex(base int, key string) int {
	if len(p.members)-base <= dedupThreshold {
		for i := base; i < len(p.members); i++ {
			if p.members[i].Key == key {
				return i
			}
		}
		return -1
	}
	if i, ok := p.dedup[oracleDedupKey{base, key}]; ok {
		return i
	}
	return -1
}

// addMember pushes a new member for the object starting at base.
func (p *oracleParser) addMember(base int, key string, v Value) {
	i := len(p.members)
	p.members = append(p.members, Member{Key: key, Value: v})
	n := i + 1 - base
	if n > dedupThreshold {
		if p.dedup == nil {
			p.dedup = make(map[oracleDedupKey]int)
		}
		if n == dedupThreshold+1 {
			for j := base; j < i; j++ {
				p.dedup[oracleDedupKey{base, p.members[j].Key}] = j
			}
		}
		p.dedup[oracleDedupKey{base, key}] = i
	}
}

func (p *oracleParser) array() Value {
	if !p.enter() {
		return Value{}
	}
	p.pos++ // '['
	base := len(p.elems)
	p.skipSpace()
	if p.pos < len(p.src) && p.src[p.pos] == ']' {
		p.pos++
		p.depth--
		return Value{kind: KindArray, c: p.newArray(nil)}
	}
	for {
		v := p.value()
		if p.err != nil {
			return Value{}
		}
		p.elems = append(p.elems, v)
		p.skipSpace()
		if p.pos >= len(p.src) {
			p.failAtPos("")
			return Value{}
		}
		c := p.src[p.pos]
		p.pos++
		if c == ']' {
			break
		}
		if c != ',' {
			p.pos--
			p.failAtPos("expected ',' or ']' after array element")
			return Value{}
		}
		p.skipSpace()
	}
	n := len(p.elems) - base
	es := p.allocElems(n)
	copy(es, p.elems[base:])
	p.elemsUsed = max(p.elemsUsed, len(p.elems))
	p.elems = p.elems[:base]
	p.depth--
	return Value{kind: KindArray, c: p.newArray(es)}
}

// str parses the string starting at p.pos (a '"'). A string with no escapes
// and valid UTF-8 is a slice of the input.
func (p *oracleParser) str() (string, bool) {
	src := p.src
	start := p.pos + 1
	i := start
	for i < len(src) {
		i = plainPrefix(src, i)
		if i >= len(src) {
			break
		}
		c := src[i]
		if c == '"' {
			p.pos = i + 1
			return src[start:i], true
		}
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(src[i:])
			if r != utf8.RuneError || size != 1 {
				i += size
				continue
			}
		}
		break
	}
	return p.strSlow(start, i)
}

// strSlow decodes the rest of a string from i, where an escape, an invalid
// UTF-8 byte, a control character or the end of input is.
func (p *oracleParser) strSlow(start, i int) (string, bool) {
	src := p.src
	buf := append(p.buf[:0], src[start:i]...)
	for i < len(src) {
		c := src[i]
		switch {
		case c == '"':
			p.pos = i + 1
			p.buf = buf
			return string(buf), true
		case c == '\\':
			if i+1 >= len(src) {
				i++
				continue
			}
			esc := src[i+1]
			switch esc {
			case '"', '\\', '/':
				buf = append(buf, esc)
			case 'b':
				buf = append(buf, '\b')
			case 'f':
				buf = append(buf, '\f')
			case 'n':
				buf = append(buf, '\n')
			case 'r':
				buf = append(buf, '\r')
			case 't':
				buf = append(buf, '\t')
			case 'u':
				r, ok := p.hex4(i + 2)
				if !ok {
					return "", false
				}
				i += 6
				if oracleIsHigh(r) && i+1 < len(src) && src[i] == '\\' && src[i+1] == 'u' {
					if lo, ok := p.hex4(i + 2); ok && oracleIsLow(lo) {
						r = 0x10000 + (r-0xD800)<<10 + (lo - 0xDC00)
						i += 6
					} else if !ok {
						return "", false
					}
				}
				// A lone surrogate stays one, as in a JavaScript string.
				buf = AppendRune(buf, r)
				continue
			default:
				p.fail(i, "invalid escape in string")
				return "", false
			}
			i += 2
		case c < 0x20:
			p.fail(i, "invalid control character in string")
			return "", false
		case c < utf8.RuneSelf:
			buf = append(buf, c)
			i++
		default:
			r, size := utf8.DecodeRuneInString(src[i:])
			if r == utf8.RuneError && size == 1 {
				buf = append(buf, "\uFFFD"...)
			} else {
				buf = append(buf, src[i:i+size]...)
			}
			i += size
		}
	}
	p.buf = buf
	p.fail(len(src), "unexpected end of JSON input")
	return "", false
}

// hex4 reads the four hex digits of a \u escape at i.
func (p *oracleParser) hex4(i int) (rune, bool) {
	if i+4 > len(p.src) {
		p.fail(len(p.src), "unexpected end of JSON input")
		return 0, false
	}
	var r rune
	for j := i; j < i+4; j++ {
		c := p.src[j]
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		case c >= 'A' && c <= 'F':
			c -= 'A' - 10
		default:
			p.fail(j, "invalid \\u escape in string")
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// number parses a number at p.pos and stores it in JavaScript's form.
func (p *oracleParser) number() Value {
	src := p.src
	start := p.pos
	i := start
	if src[i] == '-' {
		i++
	}
	switch {
	case i >= len(src):
		p.pos = i
		p.failAtPos("")
		return Value{}
	case src[i] == '0':
		i++
	case src[i] >= '1' && src[i] <= '9':
		i++
		for i < len(src) && src[i] >= '0' && src[i] <= '9' {
			i++
		}
	default:
		p.fail(i, "invalid number")
		return Value{}
	}
	plain, decimal := true, false
	if i < len(src) && src[i] == '.' {
		plain, decimal = false, true
		i++
		d := i
		for i < len(src) && src[i] >= '0' && src[i] <= '9' {
			i++
		}
		if i == d {
			p.pos = i
			p.failAtPos("invalid number: expected digit after '.'")
			return Value{}
		}
	}
	if i < len(src) && (src[i] == 'e' || src[i] == 'E') {
		plain, decimal = false, false
		i++
		if i < len(src) && (src[i] == '+' || src[i] == '-') {
			i++
		}
		d := i
		for i < len(src) && src[i] >= '0' && src[i] <= '9' {
			i++
		}
		if i == d {
			p.pos = i
			p.failAtPos("invalid number: expected digit in exponent")
			return Value{}
		}
	}
	p.pos = i
	text := src[start:i]
	if plain && isPlainInteger(text) || decimal && isPlainDecimal(text) {
		return Value{kind: KindNumber, s: text}
	}
	// The grammar was checked above, so the only possible error is a range
	// error: overflow gives ±Inf, underflow gives ±0, both as JavaScript.
	f, _ := strconv.ParseFloat(text, 64)
	if math.IsInf(f, 0) {
		if f > 0 {
			return Value{kind: KindNumber, s: "Infinity"}
		}
		return Value{kind: KindNumber, s: "-Infinity"}
	}
	var buf [32]byte
	out := AppendNumber(buf[:0], f)
	if string(out) == text {
		return Value{kind: KindNumber, s: text}
	}
	return Value{kind: KindNumber, s: string(out)}
}

// allocMembers returns an n-member slice with no spare capacity, so appends
// by Set never write into a neighbour's storage.
func (p *oracleParser) allocMembers(n int) []Member {
	if n == 0 {
		return nil
	}
	if len(p.memberBlock) < n {
		if p.memberChunk == 0 {
			// Every member has a ':' outside strings, so this bounds the
			// members of the whole document.
			p.memberChunk = min(strings.Count(p.src, ":"), 1024)
		}
		p.memberBlock = make([]Member, max(n, p.memberChunk))
		p.memberChunk = min(2*p.memberChunk, 1024)
	}
	ms := p.memberBlock[:n:n]
	p.memberBlock = p.memberBlock[n:]
	return ms
}

func (p *oracleParser) allocElems(n int) []Value {
	if n == 0 {
		return nil
	}
	if len(p.elemBlock) < n {
		if p.elemChunk == 0 {
			p.elemChunk = 8
		}
		p.elemBlock = make([]Value, max(n, p.elemChunk))
		p.elemChunk = min(2*p.elemChunk, 1024)
	}
	es := p.elemBlock[:n:n]
	p.elemBlock = p.elemBlock[n:]
	return es
}

func (p *oracleParser) newObject(ms []Member) *container { return &container{members: ms} }

func (p *oracleParser) newArray(es []Value) *container { return &container{elems: es} }
