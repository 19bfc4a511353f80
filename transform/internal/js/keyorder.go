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
	indexes := 0
	// ascending holds while the indexes met so far come in order, as
	// they usually do: then they need no sort.
	ascending, last := true, int64(-1)
	for _, m := range ms {
		if i, ok := jsvalue.ArrayIndex(m.Key); ok {
			indexes++
			ascending = ascending && i > last
			last = i
		}
	}
	if indexes == 0 {
		return ms
	}
	out := make([]jsvalue.Member, 0, len(ms))
	for _, m := range ms {
		if _, ok := jsvalue.ArrayIndex(m.Key); ok {
			out = append(out, m)
		}
	}
	if !ascending {
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

// IndexKeys reports how many of the keys of the object v are array indexes
// (see KeyOrder), and whether they come in ascending order: then Object.keys
// lists the index keys as v holds them, then the others, and v's keys need
// no reordered copy. It reads the keys in one pass over v.All.
func IndexKeys(v jsvalue.Value) (indexes int, ascending bool) {
	var t IndexTally
	for k := range v.All() {
		t.Note(k)
	}
	return t.Indexes(), t.Ascending()
}

// IndexTally counts, key by key, what IndexKeys reports, for a caller
// that reads an object's keys in a pass of its own. Its zero value has
// seen no key.
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
