package jsvalue

import (
	"sync"
	"unsafe"
)

// A parsed document is one allocation (see newDoc), made for each document
// because its Values may live as long as their holder likes. A caller that
// reads a document and is done with it before the next one, as the mapping
// of one event is, can lend the document its storage instead: the index
// Parse builds anyway becomes the document's, and the document and its
// containers are kept for the next one. The storage is then the caller's
// to hand back (Lease.Release), and every Value of the document is invalid
// from that moment.

// A Lease is the storage of one document parsed by ParseLeased. It is for
// one goroutine, like the document.
//
// A document's containers are placed in cs as they are first read (see
// doc.container). Handing the lease back leaves them there, unless one
// has storage: the next document's gen tells them from its own, so that
// a document of many containers, most never read, is not cleared whole
// each time.
type Lease struct {
	x indexer
	d doc
	// cs holds the containers of the documents the lease has held: those
	// of the current one, then those of earlier ones, none with storage.
	cs []container
}

var leasePool = sync.Pool{New: func() any { return new(Lease) }}

// ParseLeased parses data as ParseNoCopy does, into storage lent for the
// document, which Release hands back: neither the returned Value nor any
// Value read from it may be used once the lease is released. Strings read
// from it stay valid, as they are data's or their own, and so do the
// containers built by a caller (Object, Set on a copy), but not any that
// holds a Value of the document. On error the lease is nil.
func ParseLeased(data []byte) (Value, *Lease, error) {
	l := leasePool.Get().(*Lease)
	if err := l.x.index(data); err != nil {
		l.recycle()
		return Value{}, nil, err
	}
	return l.document(data), l, nil
}

// document makes the lease's document of text, whose index l.x holds, and
// returns its Value.
func (l *Lease) document(text []byte) Value {
	x := &l.x
	nc := len(x.cs)
	if cap(l.cs) < nc {
		l.cs = make([]container, nc)
	}
	gen := l.d.gen + 1
	if gen == 0 {
		// The gens have come round: a container left by a document
		// 65,536 back would pass for one of this document's.
		clear(l.cs[:cap(l.cs)])
		gen = 1
	}
	l.d.src = unsafe.String(unsafe.SliceData(text), len(text))
	l.d.nodes, l.d.infos, l.d.cs = x.nodes, x.cs, l.cs[:nc:nc]
	l.d.gen, l.d.loaded = gen, false
	return l.d.value(0)
}

// Release hands the lease's storage back for another document. The
// document's Values must not be used afterwards, nor the lease. Handing
// the storage back twice would lend it to two documents at once: a second
// Release panics, unless the storage has been lent again in between,
// which it cannot tell.
func (l *Lease) Release() {
	if l.d.nodes == nil {
		panic("jsvalue: Lease released twice")
	}
	l.recycle()
}

// recycle empties l and returns it to the pool.
func (l *Lease) recycle() {
	l.empty()
	leasePool.Put(l)
}

// empty lets go of l's document. The containers the document placed stay
// unless one has storage, which may hold strings of the text: cleared,
// they keep nothing of it alive.
func (l *Lease) empty() {
	if l.d.loaded {
		clear(l.d.cs)
		l.d.loaded = false
	}
	// The document keeps its gen, which the containers left in l.cs
	// were placed with.
	l.d.src, l.d.nodes, l.d.infos, l.d.cs = "", nil, nil, nil
	if cap(l.cs) > maxPooledIndexer {
		l.cs = nil
	}
	l.x.reset()
}
