package jsvalue

import (
	"hash/maphash"
	"slices"
)

// The index: one pass over the document that checks it with the tokenizer,
// reports the first error as the JSON parser would, and records every
// token in a table of nodes, in document order. The reader (document.go)
// builds values from the nodes alone.

// node is one token of the document: a value, or an object member's key
// (the node before the member's value). An object or array has two nodes,
// its contents follow them:
//
//	{start: where it starts, end: the index of the node after its contents}
//	{start: its slot in doc.cs and doc.infos, end: its number of members or elements}
//
// A scalar has one, {start, end | flags<<flagShift}: where its text
// starts and ends, and its tokenFlags.
type node struct {
	start uint32
	end   uint32
}

// flagShift places a scalar's tokenFlags in node.end, above its offset:
// the document is shorter than 1<<flagShift bytes.
const flagShift = 30

// endOf returns where the text of scalar node nd ends.
func (nd node) endOf() uint32 { return nd.end & (1<<flagShift - 1) }

// flagsOf returns the tokenFlags of scalar node nd.
func (nd node) flagsOf() tokenFlags { return tokenFlags(nd.end >> flagShift) }

// frame is an object or array the index is inside: its first node, its
// slot, how many members or elements it has so far, and its keys.
type frame struct {
	node  uint32
	slot  uint32
	n     uint32
	isObj bool
	keys  dedup
}

// indexer is the state of one indexing pass. Its slices are pooled.
type indexer struct {
	src   string
	nodes []node
	// cs holds, for each container in document order, what the reader
	// needs beyond its node.
	cs    []containerInfo
	stack []frame
	// keys and table find duplicate keys (see dedup).
	keys  []keyRef
	table []uint32
}

// containerInfo is what the index learns about a container: where its
// text ends, the slot of the container holding it (noParent for the
// top-level value), and its flags.
type containerInfo struct {
	end    uint32
	parent uint32
	flags  uint32
}

// Container flags.
const (
	// rewritten: the text is not what AppendJSON writes for the
	// container, even without its whitespace.
	rewritten uint32 = 1 << iota
	// spaced: the text has whitespace between its tokens.
	spaced
	// duplicated: an object may have a key more than once (the same text
	// twice, or a key spelled with an escape AppendJSON does not write), so
	// it is built, keeping one member per key, before its members are read.
	duplicated
	// stale: a container inside this one has been read, and may have
	// changed since, so the text is no longer the container. Set by the
	// reader.
	stale
)

// noParent is the parent of the top-level container.
const noParent = ^uint32(0)

// run indexes the document, returning the first error.
func (x *indexer) run() *SyntaxError {
	src := x.src
	i := skipSpace(src, 0)
	for {
		// A value is expected at i.
		if i >= len(src) {
			return errorAt(src, i, "")
		}
		switch c := src[i]; c {
		case '"':
			end, fl, err := consumeString(src, i)
			if err != nil {
				return err
			}
			x.scalar(i, end, fl)
			i = end
		case '{', '[':
			if len(x.stack) >= MaxDepth {
				return &SyntaxError{Offset: i, msg: "nesting too deep"}
			}
			x.open(i, c == '{')
			j := i + 1
			if j < len(src) && src[j] <= ' ' {
				j = x.space(j)
			}
			if j < len(src) && (src[j] == '}' && c == '{' || src[j] == ']' && c == '[') {
				i = j + 1
				x.close(i)
				break
			}
			if c == '[' {
				i = j
				continue
			}
			var err *SyntaxError
			if i, err = x.key(j); err != nil {
				return err
			}
			continue
		case 't':
			end, err := consumeLiteral(src, i, "true")
			if err != nil {
				return err
			}
			x.scalar(i, end, 0)
			i = end
		case 'f':
			end, err := consumeLiteral(src, i, "false")
			if err != nil {
				return err
			}
			x.scalar(i, end, 0)
			i = end
		case 'n':
			end, err := consumeLiteral(src, i, "null")
			if err != nil {
				return err
			}
			x.scalar(i, end, 0)
			i = end
		default:
			if c != '-' && (c < '0' || c > '9') {
				return &SyntaxError{Offset: i, msg: "invalid character looking for beginning of value"}
			}
			end, fl, err := consumeNumber(src, i)
			if err != nil {
				return err
			}
			x.scalar(i, end, fl)
			i = end
		}
		// A value ended before i: close the containers it ends, then
		// move to the next member or element.
		for {
			if len(x.stack) == 0 {
				if i = skipSpace(src, i); i < len(src) {
					return &SyntaxError{Offset: i, msg: "unexpected data after top-level value"}
				}
				return nil
			}
			f := &x.stack[len(x.stack)-1]
			f.n++
			if i < len(src) && src[i] <= ' ' {
				i = x.space(i)
			}
			if i >= len(src) {
				return errorAt(src, i, "")
			}
			c := src[i]
			i++
			if f.isObj {
				if c == '}' {
					x.close(i)
					continue
				}
				if c != ',' {
					return &SyntaxError{Offset: i - 1, msg: "expected ',' or '}' after object member"}
				}
				if i < len(src) && src[i] <= ' ' {
					i = x.space(i)
				}
				var err *SyntaxError
				if i, err = x.key(i); err != nil {
					return err
				}
				break
			}
			if c == ']' {
				x.close(i)
				continue
			}
			if c != ',' {
				return &SyntaxError{Offset: i - 1, msg: "expected ',' or ']' after array element"}
			}
			if i < len(src) && src[i] <= ' ' {
				i = x.space(i)
			}
			break
		}
	}
}

// key checks the key of a member at i, and the ':' after it, and returns
// where the member's value starts.
func (x *indexer) key(i int) (int, *SyntaxError) {
	src := x.src
	if i >= len(src) || src[i] != '"' {
		return 0, errorAt(src, i, "expected string for object key")
	}
	end, fl, err := consumeString(src, i)
	if err != nil {
		return 0, err
	}
	x.scalar(i, end, fl)
	f := &x.stack[len(x.stack)-1]
	if !f.keys.add(x, keyRef{uint32(i + 1), uint32(end - 1)}) || fl&flagRewrite != 0 {
		x.cs[f.slot].flags |= rewritten | duplicated
	}
	i = end
	if i < len(src) && src[i] <= ' ' {
		i = x.space(i)
	}
	if i >= len(src) || src[i] != ':' {
		return 0, errorAt(src, i, "expected ':' after object key")
	}
	i++
	if i < len(src) && src[i] <= ' ' {
		i = x.space(i)
	}
	return i, nil
}

// scalar records a string, number or literal token.
func (x *indexer) scalar(start, end int, fl tokenFlags) {
	if fl&flagRewrite != 0 && len(x.stack) > 0 {
		x.cs[x.stack[len(x.stack)-1].slot].flags |= rewritten
	}
	x.nodes = append(x.nodes, node{start: uint32(start), end: uint32(end) | uint32(fl)<<flagShift})
}

// open records the container starting at i.
func (x *indexer) open(i int, isObj bool) {
	parent := noParent
	if len(x.stack) > 0 {
		parent = x.stack[len(x.stack)-1].slot
	}
	slot := uint32(len(x.cs))
	n := uint32(len(x.nodes))
	x.nodes = append(x.nodes, node{start: uint32(i)}, node{start: slot})
	x.cs = append(x.cs, containerInfo{parent: parent})
	x.stack = append(x.stack, frame{node: n, slot: slot, isObj: isObj, keys: dedup{base: len(x.keys), mark: -1}})
}

// close completes the innermost container, which ends before end.
func (x *indexer) close(end int) {
	f := &x.stack[len(x.stack)-1]
	x.nodes[f.node].end = uint32(len(x.nodes))
	x.nodes[f.node+1].end = f.n
	info := &x.cs[f.slot]
	info.end = uint32(end)
	if f.isObj {
		f.keys.release(x)
	}
	x.stack = x.stack[:len(x.stack)-1]
	if info.parent != noParent {
		x.cs[info.parent].flags |= info.flags & (rewritten | spaced)
	}
}

// space skips the whitespace at i, inside the innermost container, which
// AppendJSON would not write: the container is then copied without it.
func (x *indexer) space(i int) int {
	if len(x.stack) > 0 {
		x.cs[x.stack[len(x.stack)-1].slot].flags |= spaced
	}
	return skipSpace(x.src, i)
}

// bloomKeys is how many keys an object may have before duplicate keys are
// found through a hash table rather than a 128-bit filter and a scan.
const bloomKeys = 32

// keySeed seeds the hash of keys in large objects.
var keySeed = maphash.MakeSeed()

// dedup finds duplicate keys in one object, by their text: two keys whose
// texts differ but mean the same string have an escape that is not as
// AppendJSON writes it, and the object is rewritten anyway. The keys of
// the objects being indexed are on indexer.keys, innermost
// last; large objects also have hash tables on indexer.table.
type dedup struct {
	base  int // the object's first key in x.keys
	bloom [2]uint64
	// mark is where the object's hash tables start in x.table, -1 while
	// the filter serves; table is the offset of the current one and size
	// its number of slots.
	mark, table, size int
}

// keyRef is the text of a key, quotes excluded.
type keyRef struct{ start, end uint32 }

// keyText returns the text of k.
func (x *indexer) keyText(k keyRef) string { return x.src[k.start:k.end] }

// add records key k and reports whether its text is new.
func (d *dedup) add(x *indexer, k keyRef) bool {
	key := x.keyText(k)
	n := len(x.keys) - d.base
	if d.size == 0 {
		h := bloomHash(key)
		w, bit := h>>6, uint64(1)<<(h&63)
		if d.bloom[w]&bit != 0 {
			for _, other := range x.keys[d.base:] {
				if x.keyText(other) == key {
					return false
				}
			}
		}
		d.bloom[w] |= bit
		x.keys = append(x.keys, k)
		if n+1 > bloomKeys {
			d.rehash(x, 4*bloomKeys)
		}
		return true
	}
	if 2*(n+1) > d.size {
		d.rehash(x, 4*d.size)
	}
	mask := d.size - 1
	t := x.table[d.table : d.table+d.size]
	for j := int(maphash.String(keySeed, key)) & mask; ; j = (j + 1) & mask {
		slot := t[j]
		if slot == 0 {
			t[j] = uint32(len(x.keys) + 1)
			x.keys = append(x.keys, k)
			return true
		}
		if x.keyText(x.keys[slot-1]) == key {
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
// of two) at the top of x.table. Objects inside this one have released
// their tables by the time it grows, so the old table is just below and is
// left behind until the object ends.
func (d *dedup) rehash(x *indexer, size int) {
	if d.mark < 0 {
		d.mark = len(x.table)
	}
	off := len(x.table)
	x.table = slices.Grow(x.table, size)[:off+size]
	t := x.table[off:]
	clear(t)
	mask := size - 1
	for k := d.base; k < len(x.keys); k++ {
		j := int(maphash.String(keySeed, x.keyText(x.keys[k]))) & mask
		for t[j] != 0 {
			j = (j + 1) & mask
		}
		t[j] = uint32(k + 1)
	}
	d.table, d.size = off, size
}

// release drops the object's keys and hash tables.
func (d *dedup) release(x *indexer) {
	x.keys = x.keys[:d.base]
	if d.mark >= 0 {
		x.table = x.table[:d.mark]
	}
}
