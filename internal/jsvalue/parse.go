package jsvalue

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

// MaxDepth is the deepest nesting of arrays and objects Parse accepts.
// Deeper input is an error rather than a risk to the stack.
const MaxDepth = 10000

// dedupThreshold is the member count past which Parse finds duplicate keys
// through a map instead of a linear scan, keeping objects with very many keys
// linear in time.
const dedupThreshold = 16

// SyntaxError is the error Parse returns for text that is not one JSON value.
// Its message never quotes the input.
type SyntaxError struct {
	// Offset is the byte offset in the input where the problem was found.
	Offset int
	msg    string
}

// Error describes the problem and where it is.
func (e *SyntaxError) Error() string {
	return "jsvalue: " + e.msg + " at offset " + strconv.Itoa(e.Offset)
}

// Parse parses JSON text (RFC 8259) into a Value, as JavaScript's JSON.parse
// does: the whole input must be one value with only whitespace around it; a
// duplicated object key keeps the position of its first occurrence and the
// value of its last. Escapes are decoded; a lone surrogate escape is kept
// as JavaScript keeps it (see DecodeRune), and each invalid UTF-8 byte in
// a string becomes U+FFFD. Numbers keep their text
// when it is how JavaScript prints them, and are otherwise stored in
// JavaScript's form; a literal beyond float64 range becomes Infinity (which
// encodes as null). Nesting deeper than MaxDepth is an error.
//
// The whole input is checked, but objects and arrays are only built when
// first read (by Members, Elems, Object, Array, Set and the like); until
// then Get and All read their text, and AppendJSON copies it, whitespace
// left out. This is invisible to callers, concurrent readers of one Value
// included, except in speed: a caller that reads a few members and copies
// the rest whole pays little for what it does not read.
//
// The returned Value does not refer to data, which the caller may reuse.
func Parse(data []byte) (Value, error) {
	src := string(data)
	if v, ok := parseChecked(src); ok {
		return v, nil
	}
	return parseBuilt(src, nil, 0)
}

// parseChecked parses a document whose top-level value is an object or
// array: the validator checks it and records its containers, which stay
// unread (see lazy.go) unless their text must be rewritten, in which case
// the parser builds them. ok is false when the document is invalid or not
// a container.
func parseChecked(src string) (v Value, ok bool) {
	start := skipSpaces(src, 0)
	if start >= len(src) || (src[start] != '{' && src[start] != '[') || len(src) >= escapedBit {
		return Value{}, false
	}
	sc := scratchPool.Get().(*scratch)
	d := newDoc(src)
	vd := validator{src: src, doc: d, cur: noParent, keys: sc.keys[:0], table: sc.table[:0], stage: sc.stage[:0], index: sc.index[:0]}
	end, _ := vd.value(start)
	if !vd.bad && skipSpaces(src, end) < len(src) {
		vd.bad = true
	}
	if !vd.bad {
		d.members = slices.Clone(vd.index)
	}
	sc.keys, sc.table, sc.stage, sc.index = vd.keys[:0], vd.table[:0], vd.stage[:0], vd.index[:0]
	sc.release()
	if vd.bad {
		return Value{}, false
	}
	d.store(vd.nObj, vd.nArr)
	if vd.rewrite {
		v, err := parseBuilt(src, d, start)
		return v, err == nil
	}
	return d.value(0), true
}

// parseBuilt parses src with the parser, from start. With a doc it only
// builds the containers the validator marked for rewriting.
func parseBuilt(src string, d *doc, start int) (Value, error) {
	sc := scratchPool.Get().(*scratch)
	p := parser{src: src, scratch: sc, doc: d, pos: start}
	p.skipSpace()
	v := p.value()
	if p.err == nil {
		p.skipSpace()
		if p.pos < len(p.src) {
			p.fail(p.pos, "unexpected data after top-level value")
		}
	}
	sc.release()
	if p.err != nil {
		return Value{}, p.err
	}
	return v, nil
}

// scratch holds the stacks a parse works on. They are pooled: growing them
// afresh for every document would cost more than the document's own storage.
type scratch struct {
	members []Member
	elems   []Value
	dedup   map[dedupKey]int
	buf     []byte
	// keys, table, stage and index are the validator's.
	keys         []keyRef
	table        []uint32
	stage, index []memberRef
	// membersUsed and elemsUsed are the high-water marks of the stacks,
	// cleared once in release instead of at every container's end.
	membersUsed int
	elemsUsed   int
}

// maxPooledScratch is the largest stack kept for reuse, so that one huge
// document does not pin its scratch memory for good.
const maxPooledScratch = 4096

var scratchPool = sync.Pool{New: func() any { return new(scratch) }}

// release returns s to the pool, first clearing the stack entries that
// would otherwise keep the parsed document alive.
func (s *scratch) release() {
	clear(s.members[:max(s.membersUsed, len(s.members))])
	clear(s.elems[:max(s.elemsUsed, len(s.elems))])
	s.members = s.members[:0]
	s.elems = s.elems[:0]
	s.membersUsed, s.elemsUsed = 0, 0
	// The map only serves objects with many keys, which are rare; a cleared
	// map would keep its grown buckets.
	s.dedup = nil
	if cap(s.members) > maxPooledScratch || cap(s.elems) > maxPooledScratch || cap(s.buf) > 64*maxPooledScratch ||
		cap(s.keys) > maxPooledScratch || cap(s.table) > 4*maxPooledScratch ||
		cap(s.stage) > maxPooledScratch || cap(s.index) > maxPooledScratch {
		return
	}
	scratchPool.Put(s)
}

// UnmarshalJSON sets v to the parsed data, so a Value can sit inside types
// decoded by encoding/json.
func (v *Value) UnmarshalJSON(data []byte) error {
	pv, err := Parse(data)
	if err != nil {
		return err
	}
	*v = pv
	return nil
}

// dedupKey names one key of the object whose members start at base in the
// parser's member stack.
type dedupKey struct {
	base int
	key  string
}

// parser is the state of one Parse call. Members and elements of the
// containers being parsed accumulate on shared stacks and are copied into
// exactly sized slices carved from larger blocks when a container closes,
// so a document costs a handful of allocations.
type parser struct {
	src   string
	pos   int
	depth int
	err   error
	*scratch

	// doc, when set, holds the spans of the containers the validator
	// found, and t is the next one: a container whose text needs no
	// rewrite is left unread.
	doc *doc
	t   uint32

	memberBlock []Member
	elemBlock   []Value
	objBlock    []Object
	arrBlock    []Array
	memberChunk int
	elemChunk   int
	objChunk    int
	arrChunk    int
}

func (p *parser) fail(offset int, msg string) {
	if p.err == nil {
		p.err = &SyntaxError{Offset: offset, msg: msg}
	}
}

func (p *parser) failAtPos(msg string) {
	if p.pos >= len(p.src) {
		p.fail(len(p.src), "unexpected end of JSON input")
		return
	}
	p.fail(p.pos, msg)
}

func (p *parser) skipSpace() {
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
func (p *parser) value() Value {
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

func (p *parser) literal(word string, v Value) Value {
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

func (p *parser) enter() bool {
	p.depth++
	if p.depth > MaxDepth {
		p.fail(p.pos, "nesting too deep")
		return false
	}
	return true
}

func (p *parser) object() Value {
	if !p.enter() {
		return Value{}
	}
	var slot *Object
	if p.doc != nil {
		sp := &p.doc.spans[p.t]
		slot = &p.doc.objs[sp.slot]
		if !sp.rewrite {
			p.pos, p.t = int(sp.end), sp.next
			p.depth--
			return Value{kind: KindObject, obj: slot}
		}
		p.t++
	}
	p.pos++ // '{'
	base := len(p.members)
	p.skipSpace()
	if p.pos < len(p.src) && p.src[p.pos] == '}' {
		p.pos++
		p.depth--
		return Value{kind: KindObject, obj: p.newObject(slot, nil)}
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
			delete(p.dedup, dedupKey{base, p.members[i].Key})
		}
	}
	p.membersUsed = max(p.membersUsed, len(p.members))
	p.members = p.members[:base]
	p.depth--
	return Value{kind: KindObject, obj: p.newObject(slot, ms)}
}

// memberIndex returns where key already is among the members of the object
// starting at base, or -1.
func (p *parser) memberIndex(base int, key string) int {
	if len(p.members)-base <= dedupThreshold {
		for i := base; i < len(p.members); i++ {
			if p.members[i].Key == key {
				return i
			}
		}
		return -1
	}
	if i, ok := p.dedup[dedupKey{base, key}]; ok {
		return i
	}
	return -1
}

// addMember pushes a new member for the object starting at base.
func (p *parser) addMember(base int, key string, v Value) {
	i := len(p.members)
	p.members = append(p.members, Member{Key: key, Value: v})
	n := i + 1 - base
	if n > dedupThreshold {
		if p.dedup == nil {
			p.dedup = make(map[dedupKey]int)
		}
		if n == dedupThreshold+1 {
			for j := base; j < i; j++ {
				p.dedup[dedupKey{base, p.members[j].Key}] = j
			}
		}
		p.dedup[dedupKey{base, key}] = i
	}
}

func (p *parser) array() Value {
	if !p.enter() {
		return Value{}
	}
	var slot *Array
	if p.doc != nil {
		sp := &p.doc.spans[p.t]
		slot = &p.doc.arrs[sp.slot]
		if !sp.rewrite {
			p.pos, p.t = int(sp.end), sp.next
			p.depth--
			return Value{kind: KindArray, arr: slot}
		}
		p.t++
	}
	p.pos++ // '['
	base := len(p.elems)
	p.skipSpace()
	if p.pos < len(p.src) && p.src[p.pos] == ']' {
		p.pos++
		p.depth--
		return Value{kind: KindArray, arr: p.newArray(slot, nil)}
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
	return Value{kind: KindArray, arr: p.newArray(slot, es)}
}

// strPlain marks the bytes a string can hold with no further attention:
// printable ASCII other than '"' and '\\'.
var strPlain = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// str parses the string starting at p.pos (a '"'). A string with no escapes
// and valid UTF-8 is a slice of the input.
func (p *parser) str() (string, bool) {
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
func (p *parser) strSlow(start, i int) (string, bool) {
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
				if utf16IsHigh(r) && i+1 < len(src) && src[i] == '\\' && src[i+1] == 'u' {
					if lo, ok := p.hex4(i + 2); ok && utf16IsLow(lo) {
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

func utf16IsHigh(r rune) bool { return r >= 0xD800 && r < 0xDC00 }
func utf16IsLow(r rune) bool  { return r >= 0xDC00 && r < 0xE000 }

// hex4 reads the four hex digits of a \u escape at i.
func (p *parser) hex4(i int) (rune, bool) {
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
func (p *parser) number() Value {
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
func (p *parser) allocMembers(n int) []Member {
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

func (p *parser) allocElems(n int) []Value {
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

// newObject returns the storage of an object: slot, the doc's, when there
// is one, else a new Object.
func (p *parser) newObject(slot *Object, ms []Member) *Object {
	if slot != nil {
		slot.members = ms
		slot.lz.state = stateRead
		return slot
	}
	if len(p.objBlock) == 0 {
		if p.objChunk == 0 {
			p.objChunk = min(strings.Count(p.src, "{"), 256)
		}
		p.objBlock = make([]Object, max(p.objChunk, 1))
		p.objChunk = min(2*p.objChunk, 256)
	}
	o := &p.objBlock[0]
	p.objBlock = p.objBlock[1:]
	o.members = ms
	return o
}

// newArray returns the storage of an array (see newObject).
func (p *parser) newArray(slot *Array, es []Value) *Array {
	if slot != nil {
		slot.elems = es
		slot.lz.state = stateRead
		return slot
	}
	if len(p.arrBlock) == 0 {
		if p.arrChunk == 0 {
			p.arrChunk = min(strings.Count(p.src, "["), 256)
		}
		p.arrBlock = make([]Array, max(p.arrChunk, 1))
		p.arrChunk = min(2*p.arrChunk, 256)
	}
	a := &p.arrBlock[0]
	p.arrBlock = p.arrBlock[1:]
	a.elems = es
	return a
}
