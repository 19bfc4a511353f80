package jsvalue

import (
	"bytes"
	"sync"
	"unsafe"
)

// MaxDepth is the deepest nesting of arrays and objects Parse accepts.
// Deeper input is an error rather than a risk to the stack.
const MaxDepth = 10000

// maxDocument is the longest text Parse reads (see node).
const maxDocument = 1<<flagShift - 1

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
// first read (by Members, Elems, Set and the like); until then Get and All
// read them from an index of the text, and AppendJSON copies the text,
// whitespace left out. This is invisible to callers except in speed: a
// caller that reads a few members and copies the rest whole pays little
// for what it does not read. The returned Value, like any Value, is for
// one goroutine at a time (see document.go).
//
// The returned Value does not refer to data, which the caller may reuse.
func Parse(data []byte) (Value, error) {
	return parse(data, true)
}

// ParseNoCopy parses data as Parse does, without copying it: the returned
// Value reads its text from data itself, and so do the strings read from
// it and the containers AppendJSON copies out whole. It saves Parse's copy
// of the text, for a caller whose data is never changed afterwards, such
// as a buffer received for this one use: a change to data would change
// the Value, and strings already read from it.
func ParseNoCopy(data []byte) (Value, error) {
	return parse(data, false)
}

// parse parses data for Parse (copyText set) and ParseNoCopy.
func parse(data []byte, copyText bool) (Value, error) {
	x := indexerPool.Get().(*indexer)
	err := x.index(data)
	var v Value
	if err == nil {
		v = newDoc(data, x, copyText).value(0)
	}
	x.release()
	if err != nil {
		return Value{}, err
	}
	return v, nil
}

// index indexes data, which it reads in place until reset, in room made
// for it first.
func (x *indexer) index(data []byte) *SyntaxError {
	if len(data) > maxDocument {
		return &SyntaxError{Offset: maxDocument, msg: "document too large"}
	}
	x.src = unsafe.String(unsafe.SliceData(data), len(data))
	nodes, containers := len(data)/bytesPerNode+16, 0
	if len(data) >= countedDocument {
		nodes, containers = tokenBounds(data)
	}
	if cap(x.nodes) < nodes {
		x.nodes = make([]node, 0, nodes)
	}
	if cap(x.cs) < containers {
		x.cs = make([]containerInfo, 0, containers)
	}
	return x.run()
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

// countedDocument is the size from which Parse counts a document's
// punctuation for the room its index takes, before indexing it: a large
// document of dense tokens (an array of empty objects, of digits) would
// otherwise grow the index many times over, by the quarter that append
// adds to a large slice, allocating several times its final size.
const countedDocument = 64 << 10

// tokenBounds returns bounds on the nodes and containers of the index of
// data, from its punctuation: each value is the first of its container or
// follows a comma, each key precedes a colon, and each container has two
// nodes. Punctuation inside strings counts too, so these are upper bounds;
// the nodes are never more than one per byte, and one more.
func tokenBounds(data []byte) (nodes, containers int) {
	containers = bytes.Count(data, []byte{'{'}) + bytes.Count(data, []byte{'['})
	nodes = bytes.Count(data, []byte{','}) + bytes.Count(data, []byte{':'}) + 2*containers + 1
	return min(nodes, len(data)+1), containers
}

// bytesPerNode is the fewest bytes of text per node Parse makes room for
// at first: tokens of events take 6 to 12 bytes each, so the index of a
// document is allocated once, not grown by doubling from the pool's size;
// text denser than this (an array of digits) grows it once or twice.
const bytesPerNode = 4

// maxPooledIndexer is the most nodes an indexer keeps for reuse, so that
// one huge document does not pin its memory for good.
const maxPooledIndexer = 1 << 14

var indexerPool = sync.Pool{New: func() any { return new(indexer) }}

// release returns x to the pool, reset.
func (x *indexer) release() {
	x.reset()
	indexerPool.Put(x)
}

// reset empties x for another document, without the slices a large
// document has grown past what the pool keeps.
func (x *indexer) reset() {
	x.src = ""
	x.nodes, x.cs, x.stack = pooled(x.nodes), pooled(x.cs), pooled(x.stack)
	if x.table = x.table[:0]; cap(x.table) > 4*maxPooledIndexer {
		x.table = nil
	}
}

// pooled returns s emptied, or nil when it is too large to keep.
func pooled[T any](s []T) []T {
	if cap(s) > maxPooledIndexer {
		return nil
	}
	return s[:0]
}
