package js

import (
	"cmp"
	"slices"

	"github.com/cio-transformer/cio-transformer/internal/jsvalue"
)

// KeyOrder returns the members in the order JavaScript's Object.keys
// lists them: array-index keys ("0", "7", not "07") first, in ascending
// order, then the others as inserted. The order decides which of two keys
// writing the same key path wins ("01" is written after "1").
func KeyOrder(ms []jsvalue.Member) []jsvalue.Member {
	// Index keys that come in order, as they usually do, need no sort.
	var t IndexTally
	for _, m := range ms {
		t.Note(m.Key)
	}
	if t.Indexes() == 0 {
		return ms
	}
	out := make([]jsvalue.Member, 0, len(ms))
	for _, m := range ms {
		if _, ok := jsvalue.ArrayIndex(m.Key); ok {
			out = append(out, m)
		}
	}
	if !t.Ascending() {
		slices.SortFunc(out, func(a, b jsvalue.Member) int {
			i, _ := jsvalue.ArrayIndex(a.Key)
			j, _ := jsvalue.ArrayIndex(b.Key)
			return cmp.Compare(i, j)
		})
	}
	for _, m := range ms {
		if _, ok := jsvalue.ArrayIndex(m.Key); !ok {
			out = append(out, m)
		}
	}
	return out
}

// IndexTally counts, key by key, the keys of an object that are array
// indexes (see KeyOrder), and tells whether they come in ascending order:
// then Object.keys lists the index keys as the object holds them, then the
// others, and its keys need no reordered copy. Its zero value has seen no
// key.
type IndexTally struct {
	indexes int
	last    int64
	// unordered is set once an index key is not above the one before.
	unordered bool
}

// Note counts key k.
func (t *IndexTally) Note(k string) {
	i, ok := jsvalue.ArrayIndex(k)
	if !ok {
		return
	}
	if t.indexes > 0 && i <= t.last {
		t.unordered = true
	}
	t.indexes++
	t.last = i
}

// Indexes returns how many of the keys noted are array indexes.
func (t *IndexTally) Indexes() int { return t.indexes }

// Ascending reports whether the index keys noted came in ascending order.
func (t *IndexTally) Ascending() bool { return !t.unordered }
