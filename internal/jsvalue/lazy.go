package jsvalue

import (
	"runtime"
	"sync/atomic"
	"unicode/utf8"
)

// Most of an event is never looked at by the mapping, or is copied to the
// request as it came: the context's library and screen, the properties of a
// track event, the nested values of traits. Parse therefore checks the
// whole document but builds none of its containers: each stays the JSON
// text it was read from, with its span in a table Parse fills as it goes,
// until an accessor first needs its members. A container not read yet is
// copied to the output verbatim.
//
// Verbatim copy is only right when the text is exactly what AppendJSON
// would write, whitespace aside (which the copy leaves out): strings
// escaped as JSON.stringify escapes them and valid UTF-8, numbers as
// JavaScript prints them, no duplicate keys. Parse builds any container
// whose text is not like that (and so its ancestors) at once, as before;
// the containers inside it whose text is stay unread.

// The states of a container. stateRead is the zero value, so that an Object
// or Array built in Go is an ordinary one.
const (
	// stateRead: Members or Elems hold the container.
	stateRead uint32 = iota
	// stateUnread: only its text holds the container.
	stateUnread
	// stateReading: one goroutine is reading the text into Members or Elems.
	stateReading
)

// lazy is what an Object or Array from Parse knows of its JSON text.
type lazy struct {
	// doc is the parsed document and idx the container's span in it; both
	// are set once, before the container is shared.
	doc *doc
	idx uint32
	// state is one of the state constants, accessed atomically: reading
	// the text on first use is invisible to callers, who may read one
	// Value from several goroutines.
	state uint32
}

// span is where a container is in a document.
type span struct {
	// start and end delimit the container's text in doc.src.
	start, end uint32
	// n is the number of members or elements.
	n uint32
	// next is the index of the first span after the container's own and
	// those of the containers inside it, which follow it in the order of
	// their opening brackets.
	next uint32
	// slot is the index of the container's storage in doc.objs or
	// doc.arrs.
	slot uint32
	// parent is the span of the container holding this one, noParent for
	// the top-level value.
	parent uint32
	// rewrite is set when the text is not what AppendJSON would write,
	// even without its whitespace.
	rewrite bool
	// spaced is set when the text has whitespace between its tokens.
	spaced bool
	// stale is set, atomically, once a container inside this one has been
	// read: it may have changed since, so the text is no longer the
	// container.
	stale uint32
	// table is the index in doc.members of an object's first member, when
	// the validator indexed them, else noTable.
	table uint32
}

// noTable is the table of a container whose members are not indexed.
const noTable = ^uint32(0)

// memberRef is where one member of an indexed object is in doc.src.
type memberRef struct {
	// key and keyEnd delimit the key's text, quotes excluded; escapedBit
	// is set in keyEnd when it has escapes.
	key, keyEnd uint32
	// val is where the value starts. valEnd is, for a string, where its
	// closing quote is, with escapedBit when it has escapes; for an object
	// or array, its span; else where the value ends.
	val, valEnd uint32
}

// escapedBit marks a key or string with escapes in a memberRef. The
// indexed document is smaller than 2 GiB.
const escapedBit = 1 << 31

// noParent is the parent of the top-level span.
const noParent = ^uint32(0)

// docSpans is how many spans a doc has room for without another
// allocation: most events have fewer containers.
const docSpans = 11

// doc is one parsed document: its text, the spans of its containers, the
// members of its indexed objects, and the containers' storage. Every
// container has its storage once Parse returns, so that reading its members
// or its parent's, in any order, gives the same Object or Array.
type doc struct {
	src      string
	spans    []span
	members  []memberRef
	objs     []Object
	arrs     []Array
	roomSpan [docSpans]span
}

// newDoc returns a doc for src, ready for the validator.
func newDoc(src string) *doc {
	d := &doc{src: src}
	d.spans = d.roomSpan[:0]
	return d
}

// store gives every container of the doc its storage, nObj objects and
// nArr arrays, unread.
func (d *doc) store(nObj, nArr int) {
	if nObj > 0 {
		d.objs = make([]Object, nObj)
	}
	if nArr > 0 {
		d.arrs = make([]Array, nArr)
	}
	for t := range d.spans {
		sp := &d.spans[t]
		l := lazy{doc: d, idx: uint32(t), state: stateUnread}
		if d.src[sp.start] == '{' {
			d.objs[sp.slot].lz = l
		} else {
			d.arrs[sp.slot].lz = l
		}
	}
}

// value returns the container of span t.
func (d *doc) value(t uint32) Value {
	sp := &d.spans[t]
	if d.src[sp.start] == '{' {
		return Value{kind: KindObject, obj: &d.objs[sp.slot]}
	}
	return Value{kind: KindArray, arr: &d.arrs[sp.slot]}
}

// appendText appends the container's JSON text, without whitespace.
func (l *lazy) appendText(dst []byte) []byte {
	sp := &l.doc.spans[l.idx]
	raw := l.doc.src[sp.start:sp.end]
	if !sp.spaced {
		return append(dst, raw...)
	}
	return appendCompact(dst, raw)
}

// appendCompact appends JSON text checked by Parse without the whitespace
// between its tokens.
func appendCompact(dst []byte, s string) []byte {
	start := 0
	for i := 0; i < len(s); {
		switch c := s[i]; {
		case c == '"':
			i = quoteOrEscape(s, i+1)
			for s[i] != '"' {
				i = quoteOrEscape(s, i+2)
			}
			i++
		case c <= ' ':
			dst = append(dst, s[start:i]...)
			i = skipSpaces(s, i)
			start = i
		default:
			i++
		}
	}
	return append(dst, s[start:]...)
}

// verbatim reports whether the container is still exactly its text: not
// read, and nothing inside it read either.
func (l *lazy) verbatim() bool {
	return atomic.LoadUint32(&l.state) != stateRead &&
		atomic.LoadUint32(&l.doc.spans[l.idx].stale) == 0
}

// count returns the container's number of members or elements.
func (l *lazy) count() int { return int(l.doc.spans[l.idx].n) }

// unread reports whether the container is still only its text.
func (l *lazy) unread() bool {
	return atomic.LoadUint32(&l.state) != stateRead
}

// load makes o's Members hold its members.
func (o *Object) load() {
	if atomic.LoadUint32(&o.lz.state) != stateRead {
		o.read()
	}
}

func (o *Object) read() {
	for {
		if atomic.CompareAndSwapUint32(&o.lz.state, stateUnread, stateReading) {
			o.lz.staleAncestors()
			o.members = o.lz.members()
			atomic.StoreUint32(&o.lz.state, stateRead)
			return
		}
		if atomic.LoadUint32(&o.lz.state) == stateRead {
			return
		}
		// Another goroutine is reading it; that takes well under a
		// microsecond.
		runtime.Gosched()
	}
}

// load makes a's Elems hold its elements.
func (a *Array) load() {
	if atomic.LoadUint32(&a.lz.state) != stateRead {
		a.read()
	}
}

func (a *Array) read() {
	for {
		if atomic.CompareAndSwapUint32(&a.lz.state, stateUnread, stateReading) {
			a.lz.staleAncestors()
			a.elems = a.lz.elems()
			atomic.StoreUint32(&a.lz.state, stateRead)
			return
		}
		if atomic.LoadUint32(&a.lz.state) == stateRead {
			return
		}
		runtime.Gosched()
	}
}

// staleAncestors marks the containers around this one, about to be read
// and so open to change, as no longer their text.
func (l *lazy) staleAncestors() {
	spans := l.doc.spans
	for t := spans[l.idx].parent; t != noParent; t = spans[t].parent {
		if atomic.LoadUint32(&spans[t].stale) != 0 {
			return
		}
		atomic.StoreUint32(&spans[t].stale, 1)
	}
}

// members reads the members of an object's text. The slice has no spare
// capacity, so that appends by Set never write into shared storage.
func (l *lazy) members() []Member {
	n := l.count()
	if n == 0 {
		return nil
	}
	ms := make([]Member, n)
	d := l.doc
	if sp := &d.spans[l.idx]; sp.table != noTable {
		for i, m := range d.members[sp.table : sp.table+sp.n] {
			ms[i] = Member{Key: d.memberKey(&m), Value: d.memberValue(&m)}
		}
		return ms
	}
	r := l.reader()
	for k := range ms {
		r.space()
		ms[k].Key = r.str()
		r.colon()
		ms[k].Value = r.value()
		r.comma()
	}
	return ms
}

// elems reads the elements of an array's text.
func (l *lazy) elems() []Value {
	n := l.count()
	if n == 0 {
		return nil
	}
	es := make([]Value, n)
	r := l.reader()
	for k := range es {
		r.space()
		es[k] = r.value()
		r.comma()
	}
	return es
}

// lookup returns member key of an object's text, undefined if it has none.
func (l *lazy) lookup(key string) Value {
	d := l.doc
	counted(l.count())
	if sp := &d.spans[l.idx]; sp.table != noTable {
		for i := range d.members[sp.table : sp.table+sp.n] {
			m := &d.members[int(sp.table)+i]
			if d.memberKey(m) == key {
				return d.memberValue(m)
			}
		}
		return Value{}
	}
	r := l.reader()
	for range l.count() {
		r.space()
		match := r.str() == key
		r.colon()
		if match {
			return r.value()
		}
		r.skip()
		r.comma()
	}
	return Value{}
}

// index returns element i of an array's text, undefined past its end.
func (l *lazy) index(i int) Value {
	if i >= l.count() {
		return Value{}
	}
	counted(i + 1)
	r := l.reader()
	for range i {
		r.space()
		r.skip()
		r.comma()
	}
	r.space()
	return r.value()
}

// each calls yield with the members of an object's text, in order, until
// it returns false.
func (l *lazy) each(yield func(string, Value) bool) {
	d := l.doc
	if sp := &d.spans[l.idx]; sp.table != noTable {
		for i := range d.members[sp.table : sp.table+sp.n] {
			m := &d.members[int(sp.table)+i]
			if !yield(d.memberKey(m), d.memberValue(m)) {
				return
			}
		}
		return
	}
	r := l.reader()
	for range l.count() {
		r.space()
		key := r.str()
		r.colon()
		if !yield(key, r.value()) {
			return
		}
		r.comma()
	}
}

// memberKey returns the key of an indexed member.
func (d *doc) memberKey(m *memberRef) string {
	if m.keyEnd&escapedBit == 0 {
		return d.src[m.key:m.keyEnd]
	}
	r := reader{s: d.src, i: int(m.key) - 1, doc: d}
	return r.str()
}

// memberValue returns the value of an indexed member.
func (d *doc) memberValue(m *memberRef) Value {
	switch d.src[m.val] {
	case '"':
		if m.valEnd&escapedBit == 0 {
			return Value{kind: KindString, s: d.src[m.val+1 : m.valEnd]}
		}
		r := reader{s: d.src, i: int(m.val), doc: d}
		return Value{kind: KindString, s: r.str()}
	case '{', '[':
		return d.value(m.valEnd)
	case 't':
		return Value{kind: KindBool, b: true}
	case 'f':
		return Value{kind: KindBool}
	case 'n':
		return Value{kind: KindNull}
	}
	return Value{kind: KindNumber, s: d.src[m.val:m.valEnd]}
}

// reader walks the text of a container Parse has checked, so it needs no
// checks of its own: each step knows what comes next.
type reader struct {
	s   string
	i   int
	doc *doc
	// t is the span of the next nested container.
	t uint32
}

// reader returns a reader at the first member or element of the text.
func (l *lazy) reader() reader {
	d := l.doc
	return reader{s: d.src, i: int(d.spans[l.idx].start) + 1, doc: d, t: l.idx + 1}
}

// space moves past whitespace. No token starts with a byte below '!', and
// the text ends with a bracket, so the loop needs no bound.
func (r *reader) space() {
	for r.s[r.i] <= ' ' {
		r.i++
	}
}

// colon moves from the end of a key to its value.
func (r *reader) colon() {
	r.space()
	r.i++
	r.space()
}

// comma moves from the end of a value past the ',' after it, or past the
// container's end. Whitespace before the next member or element is left
// to the next read, as the container's text ends here.
func (r *reader) comma() {
	r.space()
	r.i++
}

// value reads the value at r.i.
func (r *reader) value() Value {
	switch c := r.s[r.i]; c {
	case '"':
		return Value{kind: KindString, s: r.str()}
	case '{', '[':
		v := r.doc.value(r.t)
		r.skipContainer()
		return v
	case 't':
		r.i += len("true")
		return Value{kind: KindBool, b: true}
	case 'f':
		r.i += len("false")
		return Value{kind: KindBool}
	case 'n':
		r.i += len("null")
		return Value{kind: KindNull}
	}
	start := r.i
	r.skipNumber()
	return Value{kind: KindNumber, s: r.s[start:r.i]}
}

// skipContainer moves past the container at r.i, the one of span r.t.
func (r *reader) skipContainer() {
	sp := &r.doc.spans[r.t]
	r.i = int(sp.end)
	r.t = sp.next
}

// skip moves past the value at r.i.
func (r *reader) skip() {
	switch r.s[r.i] {
	case '"':
		r.i = quoteOrEscape(r.s, r.i+1)
		for r.s[r.i] != '"' {
			// An escape: step over it (a \u escape's digits are plain).
			r.i = quoteOrEscape(r.s, r.i+2)
		}
		r.i++
	case '{', '[':
		r.skipContainer()
	case 't', 'n':
		r.i += 4
	case 'f':
		r.i += 5
	default:
		r.skipNumber()
	}
}

func (r *reader) skipNumber() {
	i := r.i + 1
	for i < len(r.s) && numberByte[r.s[i]] {
		i++
	}
	r.i = i
}

// numberByte marks the bytes that can follow the first byte of a number.
var numberByte = func() (t [256]bool) {
	for _, c := range "0123456789.eE+-" {
		t[c] = true
	}
	return t
}()

// str reads the string at r.i (a '"'). Strings without escapes are slices
// of the text.
func (r *reader) str() string {
	start := r.i + 1
	i := quoteOrEscape(r.s, start)
	if r.s[i] == '"' {
		r.i = i + 1
		return r.s[start:i]
	}
	return r.strEscaped(start, i)
}

// strEscaped decodes a string with escapes, from start, its first byte,
// where i is its first backslash. Checked text holds only the escapes
// AppendJSON writes: the short ones and \u00XX for control characters.
func (r *reader) strEscaped(start, i int) string {
	s := r.s
	buf := make([]byte, 0, i-start+16)
	buf = append(buf, s[start:i]...)
	for {
		esc := s[i+1]
		switch esc {
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
			var c rune
			for _, h := range []byte(s[i+2 : i+6]) {
				c = c<<4 | rune(hexValue(h))
			}
			buf = utf8.AppendRune(buf, c)
			i += 4
		default: // '"', '\\', '/'
			buf = append(buf, esc)
		}
		i += 2
		j := quoteOrEscape(s, i)
		buf = append(buf, s[i:j]...)
		i = j
		if s[i] == '"' {
			r.i = i + 1
			return string(buf)
		}
	}
}

// hexValue returns the value of a hex digit.
func hexValue(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c >= 'a':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}
