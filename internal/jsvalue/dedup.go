package jsvalue

import (
	"hash/maphash"
	"math/bits"
)

// bloomKeys is how many keys an object may have before duplicate keys are
// found through a hash table, once the object ends, rather than by a
// 256-bit filter and a scan as each key comes.
const bloomKeys = 32

// keySeed seeds the hash of keys in large objects.
var keySeed = maphash.MakeSeed()

// dedup finds duplicate keys in one object while it is indexed, by their
// text: two keys whose texts differ but mean the same string have an
// escape that is not as AppendJSON writes it, and the object is rewritten
// anyway.
//
// Most objects have a few keys: a 256-bit filter of them tells almost
// every new key from the others, and the object's earlier keys, read from
// its nodes, are compared only when the filter cannot. An object with
// more than bloomKeys keys is checked once it ends, when its number of
// keys is known: its keys, read from its nodes, go into a hash table on
// indexer.table sized for them, so that it is allocated at most once.
type dedup struct {
	bloom [4]uint64
}

// mayHave records the key of hash h (see bloomHash), the key of the
// object's next member while it has fewer than bloomKeys, and reports
// whether one of its earlier keys may have the same text: when it may,
// the index compares them (see hasKey). It is small enough to be inlined
// in the index's loop, whose keys are mostly new.
func (d *dedup) mayHave(h uint32) bool {
	w, bit := h>>6&3, uint64(1)<<(h&63)
	seen := d.bloom[w]
	d.bloom[w] = seen | bit
	return seen&bit != 0
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

// after returns the node after node j, and its contents when it is a
// container, which has been closed.
func (x *indexer) after(j uint32) uint32 {
	if c := x.src[x.nodes[j].start]; c == '{' || c == '[' {
		return x.nodes[j].end
	}
	return j + 1
}

// bloomHash is an 8-bit hash of the key src[start:end], quotes included,
// for the filter of small objects: length, first and last two bytes tell
// most keys of one object apart, numbered ones too ("k12" and "k22"). It
// reads the key's text alone, so that equal keys hash alike wherever they
// are: the bytes of the empty key are its quotes, and a key of one byte or
// none has its opening quote for the second-to-last byte. The key is a
// token the index has read, both quotes within src, so its bytes are read
// without bounds checks (byteAt), which cost more here than the hash.
func bloomHash(src string, start, end int) uint32 {
	h := uint32(end-start)<<24 | uint32(*byteAt(src, uint32(start+1)))<<16 |
		uint32(*byteAt(src, uint32(max(end-3, start))))<<8 | uint32(*byteAt(src, uint32(end-2)))
	return h * 0x9E3779B1 >> 24
}

// hasDuplicateKey reports whether two of the f.n members of the closed
// object of frame f have the same key text. The table it uses, twice as
// many slots as keys or more, stays in x.table for the next object.
func (x *indexer) hasDuplicateKey(f *frame) bool {
	size := 1 << bits.Len(2*uint(f.n))
	if cap(x.table) < size {
		x.table = make([]uint32, size)
	}
	t := x.table[:size]
	clear(t)
	mask := size - 1
	j := f.node + 2
	for range f.n {
		nd := x.nodes[j]
		key := x.src[nd.start+1 : nd.endOf()-1]
		h := int(maphash.String(keySeed, key)) & mask
		for ; t[h] != 0; h = (h + 1) & mask {
			o := x.nodes[t[h]]
			if x.src[o.start+1:o.endOf()-1] == key {
				return true
			}
		}
		t[h] = j
		j = x.after(j + 1)
	}
	return false
}
