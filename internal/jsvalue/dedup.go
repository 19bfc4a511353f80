package jsvalue

import (
	"hash/maphash"
	"slices"
)

// bloomKeys is how many keys an object may have before duplicate keys are
// found through a hash table rather than a 128-bit filter and a scan.
const bloomKeys = 32

// keySeed seeds the hash of keys in large objects.
var keySeed = maphash.MakeSeed()

// dedup finds duplicate keys in one object while it is indexed, by their
// text: two keys whose texts differ but mean the same string have an
// escape that is not as AppendJSON writes it, and the object is rewritten
// anyway.
//
// Most objects have a few keys: a 128-bit filter of them tells almost
// every new key from the others, and the object's earlier keys, read from
// its nodes, are compared only when the filter cannot. Past bloomKeys keys
// the object's keys are copied to indexer.keys, where objects being
// indexed keep theirs, innermost last, and found through a hash table on
// indexer.table.
type dedup struct {
	bloom [2]uint64
	// base is the object's first key in x.keys and mark where its hash
	// tables start in x.table; table is the offset of the current one and
	// size its number of slots, 0 while the filter serves.
	base, mark, table, size int
}

// keyRef is the text of a key, quotes excluded.
type keyRef struct{ start, end uint32 }

// keyText returns the text of k.
func (x *indexer) keyText(k keyRef) string { return x.src[k.start:k.end] }

// add records key k of the object of frame f, the member after its f.n
// members, and reports whether its text is new.
func (d *dedup) add(x *indexer, f *frame, k keyRef) bool {
	key := x.keyText(k)
	if d.size == 0 {
		h := bloomHash(key)
		w, bit := h>>6, uint64(1)<<(h&63)
		if d.bloom[w]&bit != 0 && x.hasKey(f, key) {
			return false
		}
		d.bloom[w] |= bit
		if f.n+1 > bloomKeys {
			d.base, d.mark = len(x.keys), len(x.table)
			x.appendKeys(f)
			x.keys = append(x.keys, k)
			d.rehash(x, 4*bloomKeys)
		}
		return true
	}
	n := len(x.keys) - d.base
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

// hasKey reports whether one of the first f.n members of f's object has
// key as the text of its key.
func (x *indexer) hasKey(f *frame, key string) bool {
	j := f.node + 2
	for range f.n {
		nd := x.nodes[j]
		if x.src[nd.start+1:nd.endOf()-1] == key {
			return true
		}
		j = x.after(j + 1)
	}
	return false
}

// appendKeys appends the keys of the first f.n members of f's object to
// x.keys.
func (x *indexer) appendKeys(f *frame) {
	j := f.node + 2
	for range f.n {
		nd := x.nodes[j]
		x.keys = append(x.keys, keyRef{nd.start + 1, nd.endOf() - 1})
		j = x.after(j + 1)
	}
}

// after returns the node after node j, and its contents when it is a
// container, which has been closed.
func (x *indexer) after(j uint32) uint32 {
	if c := x.src[x.nodes[j].start]; c == '{' || c == '[' {
		return x.nodes[j].end
	}
	return j + 1
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
	if d.size > 0 {
		x.keys = x.keys[:d.base]
		x.table = x.table[:d.mark]
	}
}
