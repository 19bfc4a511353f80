package jsvalue

// Objects keep their members in a slice, in insertion order. A search of
// a few members is fastest as a scan, but a scan per Get or Set makes an
// object of n keys cost O(n²) to build or to read key by key, which one
// event of 50 KB can turn into seconds. An object with more than indexMin
// members therefore gets a map from key to position once it has been
// searched more than scansBeforeIndex times: a single lookup in a large
// object costs a scan, as before, and many cost O(1) each.
const (
	// indexMin is the member count past which an object may be indexed.
	indexMin = 16
	// scansBeforeIndex is how many scans of a large object are made before
	// it is indexed, and how many lookups in the index of a container not
	// read yet before it is read.
	scansBeforeIndex = 4
)

// keyIndex maps the keys of an object's live members to their positions.
type keyIndex struct {
	pos map[string]int
	// short and lens hold the length of every key pos has held (short
	// those under 64, as bits): a key of another length is known missing
	// without hashing it, which keeps a search for each prefix of a long
	// dotted path (as get-value makes) cheap.
	short uint64
	lens  map[int]struct{}
	// n is how many members pos covers: members appended to Members
	// directly after it was built are found by a scan of the rest.
	n int
	// dead counts the members deleted in place (only an indexed object
	// deletes in place): their Value is undefined until the next
	// compaction.
	dead int
}

// newKeyIndex indexes ms. The first live member of a key wins, as a scan
// would find it. The map has room for as many members as ms has room for,
// so that an object built member by member is not rehashed as it grows.
func newKeyIndex(ms []Member) *keyIndex {
	ix := &keyIndex{pos: make(map[string]int, cap(ms)), n: len(ms)}
	for i := range ms {
		if ms[i].Value.kind == KindUndefined {
			continue
		}
		ix.put(ms[i].Key, i)
	}
	return ix
}

// put indexes key at position i, unless it is indexed already.
func (ix *keyIndex) put(key string, i int) {
	if _, dup := ix.pos[key]; !dup {
		ix.pos[key] = i
		ix.addLen(len(key))
	}
}

// addLen records that a key of n bytes has been indexed.
func (ix *keyIndex) addLen(n int) {
	if n < 64 {
		ix.short |= 1 << n
		return
	}
	if ix.lens == nil {
		ix.lens = make(map[int]struct{})
	}
	ix.lens[n] = struct{}{}
}

// hasLen reports whether a key of n bytes may be indexed.
func (ix *keyIndex) hasLen(n int) bool {
	if n < 64 {
		return ix.short&(1<<n) != 0
	}
	_, ok := ix.lens[n]
	return ok
}

// get returns the position of key, if indexed.
func (ix *keyIndex) get(key string) (int, bool) {
	if !ix.hasLen(len(key)) {
		return 0, false
	}
	i, ok := ix.pos[key]
	return i, ok
}

// searchedOften counts one search of a large container and reports
// whether it has now been searched often enough to be indexed (or, when
// unread, read).
func searchedOften(count *uint16) bool { return countTo(count, scansBeforeIndex) }

// readOften counts one lookup in the index of an unread container of n
// members or elements and reports whether it should now be read: after
// scansBeforeIndex lookups when it is large, after indexMin when it is
// small, as each lookup reads all of its keys again.
func readOften(count *uint16, n int) bool {
	if n > indexMin {
		return countTo(count, scansBeforeIndex)
	}
	return countTo(count, indexMin)
}

// countTo counts one event and reports whether more than limit have been
// counted.
func countTo(count *uint16, limit uint16) bool {
	if *count > limit {
		return true
	}
	*count++
	return *count > limit
}

// find returns the position of the live member key in o.members, or -1.
func (o *container) find(key string) int {
	ix := o.index
	if ix == nil {
		if len(o.members) <= indexMin || !searchedOften(&o.searches) {
			for i := range o.members {
				if o.members[i].Key == key {
					counted(i + 1)
					return i
				}
			}
			counted(len(o.members))
			return -1
		}
		ix = newKeyIndex(o.members)
		counted(len(o.members))
		o.index = ix
	}
	counted(1 + len(o.members) - ix.n)
	if i, ok := ix.get(key); ok {
		return i
	}
	for i := ix.n; i < len(o.members); i++ {
		if o.members[i].Key == key && o.members[i].Value.kind != KindUndefined {
			return i
		}
	}
	return -1
}

// writableIndex returns o's index, covering all of Members, for a change of
// o; nil while o is small or seldom searched, when a scan serves.
func (o *container) writableIndex() *keyIndex {
	ix := o.index
	if ix == nil {
		if len(o.members) <= indexMin || !searchedOften(&o.searches) {
			return nil
		}
		ix = newKeyIndex(o.members)
		counted(len(o.members))
		o.index = ix
		return ix
	}
	counted(1 + len(o.members) - ix.n)
	for i := ix.n; i < len(o.members); i++ {
		if m := &o.members[i]; m.Value.kind != KindUndefined {
			ix.put(m.Key, i)
		}
	}
	ix.n = len(o.members)
	return ix
}

// set writes member key of a loaded object (see Value.Set).
func (o *container) set(key string, val Value) {
	ix := o.writableIndex()
	if ix == nil {
		counted(len(o.members))
		for i := range o.members {
			if o.members[i].Key == key {
				if val.kind == KindUndefined {
					o.members = append(o.members[:i], o.members[i+1:]...)
					return
				}
				o.members[i].Value = val
				return
			}
		}
		if val.kind != KindUndefined {
			o.members = append(o.members, Member{Key: key, Value: val})
		}
		return
	}
	if i, ok := ix.get(key); ok {
		if val.kind != KindUndefined {
			o.members[i].Value = val
			return
		}
		// Deleted in place: the member stays as undefined, which is not
		// encoded, until enough of them make the slice worth compacting,
		// so that deleting many keys stays linear.
		o.members[i].Value = Value{}
		delete(ix.pos, key)
		ix.dead++
		if ix.dead > len(o.members)/2 {
			o.compact()
		}
		return
	}
	if val.kind == KindUndefined {
		return
	}
	// Known missing: indexed without put's second look.
	ix.pos[key] = len(o.members)
	ix.addLen(len(key))
	o.members = append(o.members, Member{Key: key, Value: val})
	ix.n = len(o.members)
}

// add appends member key, which o does not have (see Value.Add).
func (o *container) add(key string, val Value) {
	if val.kind == KindUndefined {
		return
	}
	if ix := o.index; ix != nil && ix.n == len(o.members) {
		ix.put(key, len(o.members))
		ix.n++
	}
	o.members = append(o.members, Member{Key: key, Value: val})
}

// dead returns how many of o's members are deleted in place.
func (o *container) dead() int {
	if o.index == nil {
		return 0
	}
	return o.index.dead
}

// compact removes the members deleted in place, and reindexes what is
// left.
func (o *container) compact() {
	if o.dead() == 0 {
		return
	}
	counted(len(o.members))
	live := o.members[:0]
	for _, m := range o.members {
		if m.Value.kind != KindUndefined {
			live = append(live, m)
		}
	}
	clear(o.members[len(live):])
	o.members = live
	if len(live) > indexMin {
		o.index = newKeyIndex(live)
	} else {
		o.index = nil
	}
}
