package jsvalue

import (
	"hash/maphash"
	"slices"
	"strings"
	"unicode/utf8"
)

// indexDepth is how deep the objects are whose members the validator
// indexes: the top-level object and those in it, which the mapping reads
// member by member.
const indexDepth = 2

// bloomKeys is how many keys an object may have before duplicate keys are
// found through a hash table rather than a 128-bit filter and a scan.
const bloomKeys = 32

// keySeed seeds the hash of keys in large objects.
var keySeed = maphash.MakeSeed()

// validator is the first pass of Parse: it checks the document, accepting
// exactly the JSON parser accepts, records every container in the doc
// table, and finds the containers whose text is not what AppendJSON would
// write (see lazy.go). It reports only that the document is invalid; the
// parser then reads it again to say why.
type validator struct {
	src   string
	depth int
	bad   bool
	// rewrite is set when some container must be built by the parser.
	rewrite bool
	doc     *doc
	// cur is the span of the innermost container being checked; nObj and
	// nArr count the objects and arrays found so far.
	cur        uint32
	nObj, nArr int
	// keys holds the keys of the objects being checked, innermost last.
	keys []keyRef
	// table holds the hash tables of large objects being checked (key
	// indexes plus one, 0 for free), innermost last.
	table []uint32
	// stage holds the members of the indexed objects being checked,
	// innermost last, and index those of the indexed objects checked, each
	// object's together.
	stage, index []memberRef
}

// keyRef is the text of a key in the document, quotes excluded.
type keyRef struct{ start, end uint32 }

// isSpace reports whether c is JSON whitespace.
func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// skipSpaces returns the index of the first non-whitespace byte at or after
// i.
func skipSpaces(s string, i int) int {
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	return i
}

// value checks the value at i, which is within the input, and returns the
// index after it and whether its text is as AppendJSON writes it.
func (v *validator) value(i int) (int, bool) {
	src := v.src
	switch c := src[i]; c {
	case '"':
		end, clean, _ := v.str(i)
		return end, clean
	case '{':
		return v.object(i)
	case '[':
		return v.array(i)
	case 't':
		return v.literal(i, "true")
	case 'f':
		return v.literal(i, "false")
	case 'n':
		return v.literal(i, "null")
	default:
		if c == '-' || (c >= '0' && c <= '9') {
			return v.number(i)
		}
	}
	v.bad = true
	return len(src), false
}

func (v *validator) literal(i int, word string) (int, bool) {
	if !strings.HasPrefix(v.src[i:], word) {
		v.bad = true
		return len(v.src), false
	}
	return i + len(word), true
}

// str checks the string at i (a '"'): it returns the index after it,
// whether its text is as AppendJSON writes it, and whether it has escapes.
func (v *validator) str(i int) (end int, clean, escaped bool) {
	src := v.src
	clean = true
	i++
	for {
		i = plainPrefix(src, i)
		if i >= len(src) {
			break
		}
		c := src[i]
		if c == '"' {
			return i + 1, clean, escaped
		}
		if c == '\\' {
			escaped = true
			if i+1 >= len(src) {
				break
			}
			switch src[i+1] {
			case '"', '\\', 'b', 'f', 'n', 'r', 't':
				i += 2
				continue
			case '/':
				clean = false
				i += 2
				continue
			case 'u':
				if i+6 > len(src) {
					break
				}
				h := src[i+2 : i+6]
				if !isHex(h[0]) || !isHex(h[1]) || !isHex(h[2]) || !isHex(h[3]) {
					break
				}
				clean = clean && canonicalEscape(h)
				i += 6
				continue
			}
			break
		}
		if c < 0x20 {
			break
		}
		r, size := utf8.DecodeRuneInString(src[i:])
		if r == utf8.RuneError && size == 1 {
			clean = false
		}
		i += size
	}
	v.bad = true
	return len(src), false, false
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// canonicalEscape reports whether \u followed by the hex digits h is how
// AppendJSONString escapes a character: lowercase, and only for control
// characters without a short escape.
func canonicalEscape(h string) bool {
	if h[0] != '0' || h[1] != '0' || (h[2] != '0' && h[2] != '1') {
		return false
	}
	c := h[3]
	if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
		return false
	}
	if h[2] == '0' {
		switch c {
		case '8', '9', 'a', 'c', 'd': // \b \t \n \f \r
			return false
		}
	}
	return true
}

// number checks the number at i, as parser.number reads it.
func (v *validator) number(i int) (int, bool) {
	src := v.src
	start := i
	if src[i] == '-' {
		i++
	}
	switch {
	case i >= len(src):
		v.bad = true
		return i, false
	case src[i] == '0':
		i++
	case src[i] >= '1' && src[i] <= '9':
		i++
		for i < len(src) && src[i] >= '0' && src[i] <= '9' {
			i++
		}
	default:
		v.bad = true
		return i, false
	}
	plain := true
	if i < len(src) && src[i] == '.' {
		plain = false
		i++
		d := i
		for i < len(src) && src[i] >= '0' && src[i] <= '9' {
			i++
		}
		if i == d {
			v.bad = true
			return i, false
		}
	}
	if i < len(src) && (src[i] == 'e' || src[i] == 'E') {
		plain = false
		i++
		if i < len(src) && (src[i] == '+' || src[i] == '-') {
			i++
		}
		d := i
		for i < len(src) && src[i] >= '0' && src[i] <= '9' {
			i++
		}
		if i == d {
			v.bad = true
			return i, false
		}
	}
	text := src[start:i]
	if plain && isPlainInteger(text) {
		return i, true
	}
	return i, canonicalNumber(text) == text
}

// enter counts a level of nesting, failing past MaxDepth.
func (v *validator) enter() bool {
	v.depth++
	if v.depth > MaxDepth {
		v.bad = true
		return false
	}
	return true
}

// space skips the whitespace at i, inside the innermost container, which
// AppendJSON would not write: the container is then copied without it.
func (v *validator) space(i int) int {
	v.doc.spans[v.cur].spaced = true
	return skipSpaces(v.src, i)
}

// open records the container starting at i and returns its span.
func (v *validator) open(i int) int {
	d := v.doc
	sp := span{start: uint32(i), parent: v.cur, table: noTable}
	if v.src[i] == '{' {
		sp.slot = uint32(v.nObj)
		v.nObj++
	} else {
		sp.slot = uint32(v.nArr)
		v.nArr++
	}
	d.spans = append(d.spans, sp)
	v.cur = uint32(len(d.spans) - 1)
	return len(d.spans) - 1
}

// close completes span idx of a container of n members or elements ending
// before end.
func (v *validator) close(idx, end, n int, clean bool) {
	v.depth--
	d := v.doc
	sp := &d.spans[idx]
	sp.end, sp.n, sp.next = uint32(end), uint32(n), uint32(len(d.spans))
	v.cur = sp.parent
	if sp.spaced && sp.parent != noParent {
		d.spans[sp.parent].spaced = true
	}
	if !clean {
		sp.rewrite = true
		v.rewrite = true
	}
}

// object checks the object at i (a '{') and records it, with the index of
// its members when it is the top-level value or in it.
func (v *validator) object(i int) (int, bool) {
	if !v.enter() {
		return len(v.src), false
	}
	src := v.src
	idx := v.open(i)
	indexed := v.depth <= indexDepth
	stageBase := len(v.stage)
	keys := dedup{v: v, base: len(v.keys), mark: -1}
	clean := true
	n := 0
	i++
	if i < len(src) && src[i] <= ' ' {
		i = v.space(i)
	}
	if i < len(src) && src[i] == '}' {
		i++
	} else {
		for {
			if i >= len(src) || src[i] != '"' {
				v.bad = true
				return len(src), false
			}
			key := i + 1
			end, ok, keyEscaped := v.str(i)
			if v.bad {
				return end, false
			}
			clean = clean && ok && keys.add(keyRef{uint32(key), uint32(end - 1)})
			m := memberRef{key: uint32(key), keyEnd: uint32(end - 1)}
			if keyEscaped {
				m.keyEnd |= escapedBit
			}
			i = end
			if i < len(src) && src[i] <= ' ' {
				i = v.space(i)
			}
			if i >= len(src) || src[i] != ':' {
				v.bad = true
				return len(src), false
			}
			i++
			if i < len(src) && src[i] <= ' ' {
				i = v.space(i)
			}
			if i >= len(src) {
				v.bad = true
				return i, false
			}
			m.val = uint32(i)
			switch src[i] {
			case '"':
				var escaped bool
				i, ok, escaped = v.str(i)
				m.valEnd = uint32(i - 1)
				if escaped {
					m.valEnd |= escapedBit
				}
			case '{', '[':
				m.valEnd = uint32(len(v.doc.spans))
				i, ok = v.value(i)
			default:
				i, ok = v.value(i)
				m.valEnd = uint32(i)
			}
			if v.bad {
				return i, false
			}
			clean = clean && ok
			n++
			if indexed {
				v.stage = append(v.stage, m)
			}
			if i < len(src) && src[i] <= ' ' {
				i = v.space(i)
			}
			if i >= len(src) {
				v.bad = true
				return i, false
			}
			c := src[i]
			i++
			if c == '}' {
				break
			}
			if c != ',' {
				v.bad = true
				return i, false
			}
			if i < len(src) && src[i] <= ' ' {
				i = v.space(i)
			}
		}
	}
	keys.release()
	if indexed {
		v.doc.spans[idx].table = uint32(len(v.index))
		v.index = append(v.index, v.stage[stageBase:]...)
		v.stage = v.stage[:stageBase]
	}
	v.close(idx, i, n, clean)
	return i, clean
}

// array checks the array at i (a '[') and records it.
func (v *validator) array(i int) (int, bool) {
	if !v.enter() {
		return len(v.src), false
	}
	src := v.src
	idx := v.open(i)
	clean := true
	n := 0
	i++
	if i < len(src) && src[i] <= ' ' {
		i = v.space(i)
	}
	if i < len(src) && src[i] == ']' {
		i++
	} else {
		for {
			if i >= len(src) {
				v.bad = true
				return i, false
			}
			var ok bool
			i, ok = v.value(i)
			if v.bad {
				return i, false
			}
			clean = clean && ok
			n++
			if i < len(src) && src[i] <= ' ' {
				i = v.space(i)
			}
			if i >= len(src) {
				v.bad = true
				return i, false
			}
			c := src[i]
			i++
			if c == ']' {
				break
			}
			if c != ',' {
				v.bad = true
				return i, false
			}
			if i < len(src) && src[i] <= ' ' {
				i = v.space(i)
			}
		}
	}
	v.close(idx, i, n, clean)
	return i, clean
}

// dedup finds duplicate keys in one object, by their text: two keys whose
// texts differ but mean the same string have an escape that is not as
// AppendJSON writes it, and the object is rewritten anyway.
type dedup struct {
	v     *validator
	base  int // the object's first key in v.keys
	bloom [2]uint64
	// mark is where the object's hash tables start in v.table, -1 while
	// the filter serves; table is the offset of the current one and size
	// its number of slots.
	mark, table, size int
}

// add records a key and reports whether it is new.
func (d *dedup) add(ref keyRef) bool {
	v := d.v
	key := v.src[ref.start:ref.end]
	n := len(v.keys) - d.base
	if d.size == 0 {
		h := bloomHash(key)
		w, bit := h>>6, uint64(1)<<(h&63)
		if d.bloom[w]&bit != 0 {
			for _, k := range v.keys[d.base:] {
				if v.src[k.start:k.end] == key {
					return false
				}
			}
		}
		d.bloom[w] |= bit
		v.keys = append(v.keys, ref)
		if n+1 > bloomKeys {
			d.rehash(4 * bloomKeys)
		}
		return true
	}
	if 2*(n+1) > d.size {
		d.rehash(4 * d.size)
	}
	mask := d.size - 1
	t := v.table[d.table : d.table+d.size]
	for j := int(maphash.String(keySeed, key)) & mask; ; j = (j + 1) & mask {
		slot := t[j]
		if slot == 0 {
			t[j] = uint32(len(v.keys) + 1)
			v.keys = append(v.keys, ref)
			return true
		}
		if k := v.keys[slot-1]; v.src[k.start:k.end] == key {
			return false
		}
	}
}

// bloomHash is a 7-bit hash of a key for the filter of small objects:
// length, first and last byte tell most keys of one object apart.
func bloomHash(key string) uint32 {
	h := uint32(len(key))
	if len(key) > 0 {
		h = h<<16 | uint32(key[0])<<8 | uint32(key[len(key)-1])
	}
	return h * 0x9E3779B1 >> 25
}

// rehash moves the object's keys into a new table of size slots (a power
// of two) at the top of v.table. Objects inside this one have released
// their tables by the time it grows, so the old table is just below and is
// left behind until the object ends.
func (d *dedup) rehash(size int) {
	v := d.v
	if d.mark < 0 {
		d.mark = len(v.table)
	}
	off := len(v.table)
	v.table = slices.Grow(v.table, size)[:off+size]
	t := v.table[off:]
	clear(t)
	mask := size - 1
	for k := d.base; k < len(v.keys); k++ {
		ref := v.keys[k]
		j := int(maphash.String(keySeed, v.src[ref.start:ref.end])) & mask
		for t[j] != 0 {
			j = (j + 1) & mask
		}
		t[j] = uint32(k + 1)
	}
	d.table, d.size = off, size
}

// release drops the object's keys and hash tables.
func (d *dedup) release() {
	v := d.v
	v.keys = v.keys[:d.base]
	if d.mark >= 0 {
		v.table = v.table[:d.mark]
	}
}
