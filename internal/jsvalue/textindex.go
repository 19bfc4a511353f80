package jsvalue

import (
	"fmt"
	"unsafe"
)

// TextIndex records the index of JSON text while a writer writes it, so
// that a Value is made of the text without the pass of Parse over it. The
// writer says where each token of the text starts and ends as it writes
// it; Value then builds the document Parse would build of the text.
//
// The text must be what AppendJSON writes, as the writer knows it is: no
// whitespace, an object's keys distinct, and each number and plain string
// as AppendJSON writes it. A string whose text the writer did not check
// is given as written (WrittenKey, WrittenString), and its flags are read
// from its text as the index reads them. A TextIndex is reused from one
// text to the next (Reset).
type TextIndex struct {
	x indexer
	// bad is set when the text nests deeper than Parse accepts, or a
	// string given as written is not one.
	bad bool
}

// Reset empties ix for a new text of about size bytes, for whose tokens
// it makes room at once, as Parse does. It keeps the space of earlier
// texts unless one huge text has grown it past what is kept for reuse.
func (ix *TextIndex) Reset(size int) {
	x := &ix.x
	x.reset()
	if n := size/bytesPerNode + 16; cap(x.nodes) < n && size > 0 {
		x.nodes = make([]node, 0, n)
	}
	ix.bad = false
}

// Open records an object (isObj) or array whose '{' or '[' is at start.
func (ix *TextIndex) Open(start int, isObj bool) {
	if len(ix.x.stack) >= MaxDepth {
		ix.bad = true
	}
	ix.x.open(start, isObj)
}

// Close records the end of the innermost object or array, whose '}' or
// ']' ends before end.
func (ix *TextIndex) Close(end int) {
	x := &ix.x
	if len(x.stack) == 0 {
		ix.bad = true
		return
	}
	// As indexer.close completes a container, without its check of an
	// object's keys, which are distinct. A helper both called cost the
	// parse a call per container: it is too large to be inlined.
	f := &x.stack[len(x.stack)-1]
	x.nodes[f.node].end = uint32(len(x.nodes))
	x.nodes[f.node+1].end = f.n
	info := &x.cs[f.slot]
	info.end = uint32(end)
	x.stack = x.stack[:len(x.stack)-1]
	if len(x.stack) > 0 {
		// The container is a value of the one holding it, which is not
		// copied verbatim if it is not.
		x.stack[len(x.stack)-1].n++
		x.cs[info.parent].flags |= info.flags & rewritten
	}
}

// Key records the key of an object member, a string from start to end
// with nothing to escape.
func (ix *TextIndex) Key(start, end int) {
	ix.x.nodes = append(ix.x.nodes, node{start: uint32(start), end: uint32(end)})
}

// Scalar records a value from start to end that is a string with nothing
// to escape, a number or a literal.
func (ix *TextIndex) Scalar(start, end int) {
	ix.x.nodes = append(ix.x.nodes, node{start: uint32(start), end: uint32(end)})
	if n := len(ix.x.stack); n > 0 {
		ix.x.stack[n-1].n++
	}
}

// WrittenKey records the key of an object member, the string literal at
// start that ends text. A key the index does not take for AppendJSON's
// writing (a lone surrogate's escape) has its object's keys compared when
// it is read, as Parse has them.
func (ix *TextIndex) WrittenKey(text []byte, start int) {
	x := &ix.x
	end, fl := ix.written(text, start)
	x.nodes = append(x.nodes, node{start: uint32(start), end: uint32(end) | uint32(fl)<<flagShift})
	if fl&flagRewrite != 0 && len(x.stack) > 0 {
		x.cs[x.stack[len(x.stack)-1].slot].flags |= rewritten | duplicated
	}
}

// WrittenString records a value, the string literal at start that ends
// text.
func (ix *TextIndex) WrittenString(text []byte, start int) {
	x := &ix.x
	end, fl := ix.written(text, start)
	x.scalar(start, end, fl)
	if n := len(x.stack); n > 0 {
		x.stack[n-1].n++
	}
}

// written reads the string literal at start that ends text as the index
// reads it, returning where it ends and its flags.
func (ix *TextIndex) written(text []byte, start int) (int, tokenFlags) {
	src := unsafe.String(unsafe.SliceData(text), len(text))
	end, fl, err := consumeString(src, start)
	if err != nil || end != len(text) {
		// Not a string literal: the text is for Parse to read.
		ix.bad = true
	}
	return end, fl
}

// Value returns the Value of text, whose tokens ix has recorded, as Parse
// returns it; ok is false when ix cannot make it (the text nests too
// deep, or is too long), and the text is then for Parse to read. The
// Value does not refer to text.
func (ix *TextIndex) Value(text []byte) (v Value, ok bool) {
	if !ix.usable(text) {
		return Value{}, false
	}
	return newDoc(text, &ix.x, true).value(0), true
}

// Lease returns the Value of text as Value does, but reading text in
// place, in storage lent as ParseLeased lends it: neither the Value nor
// any Value read from it may be used once the lease is released, and
// text must not change until then. Strings read from it refer to text.
// The index goes to the lease: ix is empty afterwards, as after Reset.
func (ix *TextIndex) Lease(text []byte) (v Value, l *Lease, ok bool) {
	if !ix.usable(text) {
		return Value{}, nil, false
	}
	l = leasePool.Get().(*Lease)
	// The lease takes the index, and leaves ix its own empty space.
	l.x, ix.x = ix.x, l.x
	return l.document(text), l, true
}

// usable reports whether the index ix has recorded of text makes a
// document: it does not when the text nests too deep or is too long.
func (ix *TextIndex) usable(text []byte) bool {
	x := &ix.x
	return !ix.bad && len(x.stack) == 0 && len(x.nodes) > 0 && len(text) <= maxDocument
}

// Verify reports where the index ix has recorded of text differs from the
// one Parse makes of it, for the tests of a writer; "" when it does not.
func (ix *TextIndex) Verify(text []byte) string {
	var p indexer
	p.src = string(text)
	if err := p.run(); err != nil {
		return fmt.Sprintf("the text does not parse: %v", err)
	}
	if ix.bad || len(ix.x.stack) > 0 {
		return "the index is incomplete"
	}
	for i := range max(len(p.nodes), len(ix.x.nodes)) {
		if i >= len(p.nodes) || i >= len(ix.x.nodes) || p.nodes[i] != ix.x.nodes[i] {
			return fmt.Sprintf("node %d of %d: %+v, Parse has %+v of %d", i, len(ix.x.nodes), at(ix.x.nodes, i), at(p.nodes, i), len(p.nodes))
		}
	}
	for i := range max(len(p.cs), len(ix.x.cs)) {
		if i >= len(p.cs) || i >= len(ix.x.cs) || p.cs[i] != ix.x.cs[i] {
			return fmt.Sprintf("container %d of %d: %+v, Parse has %+v of %d", i, len(ix.x.cs), at(ix.x.cs, i), at(p.cs, i), len(p.cs))
		}
	}
	return ""
}

// at returns s[i], or the zero value past the end of s.
func at[T any](s []T, i int) T {
	var zero T
	if i < len(s) {
		return s[i]
	}
	return zero
}
