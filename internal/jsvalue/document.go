package jsvalue

import (
	"reflect"
	"sync/atomic"
	"unsafe"
)

// Most of an event is never looked at by the mapping, or is copied to the
// request as it came: the context's library and screen, the properties of a
// track event, the nested values of traits. Parse therefore checks the
// whole document and indexes its tokens (index.go) but builds none of its
// containers: each is read from the index when an accessor first needs
// its members, and until then Get and All look its members up in the
// index. A container not read yet, whose text is what AppendJSON would
// write for it (whitespace aside), is copied to the output verbatim.
//
// A Value, and everything reached from it, is read and changed by one
// goroutine at a time: reading a container on first use changes it, with
// no synchronization.

// doc is one parsed document: its text, its index, and the storage of its
// containers, which every Value reaching one of them shares.
type doc struct {
	src   string
	nodes []node
	infos []containerInfo
	cs    []container
	// gen tells the containers of this document from those a lease's
	// earlier documents left in cs (see Lease): zero for a document of
	// its own, whose containers are all new.
	gen uint16
	// loaded is set once one of the containers has storage (see load).
	loaded bool
}

// container is an object or array Value. A parsed container is small
// until it is read: its document holds one per container, and most are
// never read (see load).
type container struct {
	// storage holds the members or elements; nil while a parsed
	// container is unread.
	*storage
	// doc and node place a parsed container in its document (node is its
	// first node); doc is nil for a container built in Go.
	doc  *doc
	node uint32
	// searches counts lookups in an unread container, then scans of an
	// object's members until it is indexed (see keyindex.go).
	searches uint16
	// gen is the gen of the document that placed c (see doc.container).
	gen uint16
}

// storage is what a container holds once built or read.
type storage struct {
	// members holds an object's members in insertion order, keys unique;
	// elems an array's elements.
	members []Member
	elems   []Value
	index   *keyIndex
}

// builtContainer is a container built in Go with its storage, in one
// allocation.
type builtContainer struct {
	c container
	s storage
}

// newContainer returns a container built in Go holding s.
func newContainer(s storage) *container {
	b := &builtContainer{s: s}
	b.c.storage = &b.s
	return &b.c
}

// A parsed document is one allocation: the doc, its containers (two
// pointers, a node and a count each, until read), then its nodes, container
// infos and text, which hold no pointers. Go has no type for such an
// object, so one is made for each number of containers and size class and
// kept (docShapes): the collector scans an object only as far as its type's
// last pointer, so it never reads the text, and the doc's slices and the
// strings read from the text point into the object itself and keep it alive
// as any pointer into an object does. A document with more text than the
// shapes cover has its nodes, infos and text apart, and one with more
// containers its containers too. ParseNoCopy leaves the text out: the doc
// and the strings read from it point into the caller's data instead.

// docShape is the type of the one allocation of a document with a given
// number of containers and size class, and where its parts lie.
type docShape struct {
	// typ is the type, and rtype its descriptor, which newObject
	// allocates (see typeDescriptor).
	typ   reflect.Type
	rtype unsafe.Pointer
	// cs and tail are the offsets of the containers and of the tail, and
	// tailLen the size of the tail.
	cs, tail uintptr
	tailLen  int
}

// maxShapeRoom is the most containers of a document given one allocation.
const maxShapeRoom = 64

// shapeClasses are the allocator's size classes a document's allocation
// takes, from the smallest a doc fits in to 32 KB, past which the
// allocator rounds up to pages.
var shapeClasses = [...]int{
	128, 144, 160, 176, 192, 208, 224, 240, 256, 288, 320, 352, 384, 416, 448, 480, 512,
	576, 640, 704, 768, 896, 1024, 1152, 1280, 1408, 1536, 1792, 2048, 2304, 2688, 3072,
	3200, 3456, 4096, 4864, 5376, 6144, 6528, 6784, 6912, 8192, 9472, 9728, 10240, 10880,
	12288, 13568, 14336, 16384, 18432, 19072, 20480, 21760, 24576, 27264, 28672, maxShapeClass,
}

// maxShapeClass is the largest of shapeClasses.
const maxShapeClass = 32768

// shapeClassOf holds, for each number of 16-byte units a document's
// allocation may need, the index in shapeClasses of the smallest class
// that holds them: every class is a multiple of 16 bytes, so it is the
// class a need of any byte count in the unit's range goes to
// (TestShapeClassOf). A table costs less than a search of the classes.
var shapeClassOf = func() (t [maxShapeClass/16 + 1]uint8) {
	k := 0
	for u := range t {
		for shapeClasses[k] < u*16 {
			k++
		}
		t[u] = uint8(k)
	}
	return t
}()

// docShapes holds the shapes made so far, by number of containers and
// size class.
var docShapes [maxShapeRoom + 1][len(shapeClasses)]atomic.Pointer[docShape]

// mallocHeader is the word the allocator adds to an object of more than
// 512 bytes that has pointers.
const mallocHeader = 8

// shapeFor returns the shape of a document of nc containers whose tail
// takes tailLen bytes, or nil when none is made for it.
func shapeFor(nc, tailLen int) *docShape {
	if nc > maxShapeRoom {
		return nil
	}
	head := int(unsafe.Sizeof(doc{})) + nc*int(unsafe.Sizeof(container{}))
	need := head + tailLen
	if need > 512 {
		need += mallocHeader
	}
	if need > maxShapeClass {
		return nil
	}
	k := int(shapeClassOf[(need+15)/16])
	p := &docShapes[nc][k]
	if s := p.Load(); s != nil {
		return s
	}
	size := shapeClasses[k]
	if size > 512 {
		size -= mallocHeader
	}
	typ := reflect.StructOf([]reflect.StructField{
		{Name: "Doc", Type: reflect.TypeFor[doc]()},
		{Name: "Cs", Type: reflect.ArrayOf(nc, reflect.TypeFor[container]())},
		{Name: "Tail", Type: reflect.ArrayOf((size-head)/8, reflect.TypeFor[uint64]())},
	})
	s := &docShape{typ: typ, rtype: typeDescriptor(typ), cs: typ.Field(1).Offset, tail: typ.Field(2).Offset, tailLen: int(typ.Field(2).Type.Size())}
	p.Store(s)
	return s
}

// newObject allocates a zeroed object of the type whose descriptor is t,
// as reflect.New does, without reflect.New's look-up of the pointer type,
// which for a type made by reflect.StructOf is a search of a map at every
// call. The runtime provides reflect.unsafe_New to reflect, and keeps its
// name and signature for packages outside it (go.dev/issue/67401).
//
//go:linkname newObject reflect.unsafe_New
func newObject(t unsafe.Pointer) unsafe.Pointer

// typeDescriptor returns the descriptor of typ, for newObject: the data
// word of the reflect.Type, which points to the descriptor reflect wraps
// (TestNewObject checks that it is the type word of an interface holding
// a typ).
func typeDescriptor(typ reflect.Type) unsafe.Pointer {
	return (*[2]unsafe.Pointer)(unsafe.Pointer(&typ))[1]
}

// newDoc builds the doc of the indexed src. The nodes, the container infos
// and, when copyText is set, a copy of the text, none of which holds
// pointers, share one allocation; with the doc and its containers too,
// when a shape covers the document. Without copyText the doc reads src
// itself (see ParseNoCopy).
func newDoc(src []byte, x *indexer, copyText bool) *doc {
	const unit = int(unsafe.Sizeof(node{}))
	nn, nc := len(x.nodes), len(x.cs)
	infoUnits := (nc*int(unsafe.Sizeof(containerInfo{})) + unit - 1) / unit
	units := nn + infoUnits
	if copyText {
		units += (len(src) + unit - 1) / unit
	}
	var d *doc
	var arena []node
	s := shapeFor(nc, units*unit)
	whole := s != nil
	if !whole {
		// Too many nodes, or too much text, for a shape: they go apart.
		s = shapeFor(nc, 0)
	}
	if s != nil {
		p := newObject(s.rtype)
		d = (*doc)(p)
		if nc > 0 {
			d.cs = unsafe.Slice((*container)(unsafe.Add(p, s.cs)), nc)
		}
		if whole {
			arena = unsafe.Slice((*node)(unsafe.Add(p, s.tail)), units)
		}
	} else {
		d = new(doc)
		d.cs = make([]container, nc)
	}
	if arena == nil {
		arena = make([]node, units)
	}
	copy(arena, x.nodes)
	d.nodes = arena[:nn:nn]
	if nc > 0 {
		d.infos = unsafe.Slice((*containerInfo)(unsafe.Pointer(&arena[nn])), nc)
		copy(d.infos, x.cs)
	}
	switch {
	case len(src) == 0:
	case copyText:
		text := unsafe.Slice((*byte)(unsafe.Pointer(&arena[nn+infoUnits])), len(src))
		copy(text, src)
		d.src = unsafe.String(unsafe.SliceData(text), len(text))
	default:
		d.src = unsafe.String(unsafe.SliceData(src), len(src))
	}
	return d
}

// isContainer reports whether node j is an object or array.
func (d *doc) isContainer(j uint32) bool {
	c := d.src[d.nodes[j].start]
	return c == '{' || c == '['
}

// next returns the node after node j and its contents.
func (d *doc) next(j uint32) uint32 {
	if d.isContainer(j) {
		return d.nodes[j].end
	}
	return j + 1
}

// str returns the string of string node j.
func (d *doc) str(j uint32) string {
	nd := d.nodes[j]
	text := d.src[nd.start+1 : nd.endOf()-1]
	if nd.flagsOf()&flagDecode == 0 {
		return text
	}
	return string(decodeString(make([]byte, 0, len(text)), text))
}

// value returns the value of node j.
func (d *doc) value(j uint32) Value {
	nd := d.nodes[j]
	switch d.src[nd.start] {
	case '"':
		return Value{kind: KindString, s: d.str(j)}
	case '{':
		return Value{kind: KindObject, c: d.container(j)}
	case '[':
		return Value{kind: KindArray, c: d.container(j)}
	case 't':
		return Value{kind: KindBool, b: true}
	case 'f':
		return Value{kind: KindBool}
	case 'n':
		return Value{kind: KindNull}
	}
	text := d.src[nd.start:nd.endOf()]
	if nd.flagsOf()&flagRewrite != 0 {
		text = canonicalNumber(text)
	}
	return Value{kind: KindNumber, s: text}
}

// container returns the storage of the object or array at node j.
func (d *doc) container(j uint32) *container {
	c := &d.cs[d.nodes[j+1].start]
	if c.gen != d.gen || c.doc != d {
		// A new container, or one an earlier document of a lease left,
		// which has no storage (see Lease.empty) and already names the
		// lease's doc: the pointer is written only when it changes.
		if c.doc != d {
			c.doc = d
		}
		c.node, c.searches, c.gen = j, 0, d.gen
	}
	return c
}

// info returns what the index knows of parsed container c.
func (c *container) info() *containerInfo {
	return &c.doc.infos[c.doc.nodes[c.node+1].start]
}

// unread reports whether c is a parsed container not built yet.
func (c *container) unread() bool { return c.storage == nil }

// lazy reports whether the members or elements of c may be read from the
// index: c is unread, and has no duplicate key.
func (c *container) lazy() bool { return c.unread() && c.info().flags&duplicated == 0 }

// verbatim reports whether c is still exactly its text, whitespace aside:
// unread, nothing inside it read, and its text as AppendJSON writes it.
func (c *container) verbatim() bool {
	return c.unread() && c.info().flags&(stale|rewritten) == 0
}

// SourceText returns the text an object or array Value was parsed from,
// exactly as it came (whitespace, escapes and numbers as written, a key
// given twice twice), and true; "" and false for any other Value and for
// a container built in Go. Changes made to the Value since it was parsed
// are not in the text. The text of a Value ParseNoCopy returned is read
// from the caller's data, which must not change.
func (v Value) SourceText() (string, bool) {
	if (v.kind != KindObject && v.kind != KindArray) || v.c.doc == nil {
		return "", false
	}
	c := v.c
	return c.doc.src[c.doc.nodes[c.node].start:c.info().end], true
}

// count returns the number of members or elements of an unread c.
func (c *container) count() int { return int(c.doc.nodes[c.node+1].end) }

// load reads an unread object's members or array's elements from the
// index, into storage of its own.
func (c *container) load() {
	if !c.unread() {
		return
	}
	c.storage = new(storage)
	d := c.doc
	d.loaded = true
	info := c.info()
	for p := info.parent; p != noParent && d.infos[p].flags&stale == 0; p = d.infos[p].parent {
		d.infos[p].flags |= stale
	}
	n := c.count()
	if n == 0 {
		return
	}
	j := c.node + 2
	if d.src[d.nodes[c.node].start] == '[' {
		// No spare capacity, so that appends never write into storage
		// another Value shares.
		c.elems = make([]Value, n)
		for k := range c.elems {
			c.elems[k] = d.value(j)
			j = d.next(j)
		}
		return
	}
	c.members = make([]Member, 0, n)
	var seen map[string]int
	for range n {
		key, val := d.str(j), d.value(j+1)
		j = d.next(j + 1)
		if info.flags&duplicated != 0 {
			// As JSON.parse: the first position, the last value.
			if i := c.findDuplicate(key, &seen); i >= 0 {
				c.members[i].Value = val
				continue
			}
		}
		c.members = append(c.members, Member{Key: key, Value: val})
	}
	c.members = c.members[:len(c.members):len(c.members)]
}

// findDuplicate returns where key already is among the members being
// loaded, or -1; seen maps keys to positions once there are many.
func (c *container) findDuplicate(key string, seen *map[string]int) int {
	ms := c.members
	if len(ms) <= indexMin {
		for i := range ms {
			if ms[i].Key == key {
				return i
			}
		}
		return -1
	}
	if *seen == nil {
		*seen = make(map[string]int, c.count())
		for i := range ms[:len(ms)-1] {
			(*seen)[ms[i].Key] = i
		}
	}
	// Keep the map in step with members: the last one may be new.
	(*seen)[ms[len(ms)-1].Key] = len(ms) - 1
	if i, ok := (*seen)[key]; ok {
		return i
	}
	return -1
}

// lookup returns member key of a lazy object, undefined if it has none.
// The comparison of each key and the step to the next are written out in
// its loop: most keys are plain and of another length than key, and a
// call per key cost more than telling so (TestLookupMatchesMembers).
func (c *container) lookup(key string) Value {
	d := c.doc
	src, nodes := d.src, d.nodes
	n := c.count()
	counted(n)
	j := c.node + 2
	for range n {
		// A member's value node follows its key's, and every token lies
		// within src (TestNodesWithinText).
		kv := (*[2]node)(unsafe.Pointer(&nodes[j]))
		k := kv[0]
		if k.flagsOf()&flagDecode != 0 {
			if d.str(j) == key {
				return d.value(j + 1)
			}
		} else if int(k.endOf()-k.start) == len(key)+2 && (key == "" || *byteAt(src, k.start+1) == key[0]) &&
			span(src, k.start+1, k.endOf()-1) == key {
			// The first bytes are compared first: keys of one length
			// (k1, k2, ...) mostly differ there, and the comparison of
			// the strings is a call.
			return d.value(j + 1)
		}
		if v := kv[1]; *byteAt(src, v.start) == '{' || *byteAt(src, v.start) == '[' {
			j = v.end
		} else {
			j += 2
		}
	}
	return Value{}
}

// at returns element i of a lazy array, undefined past its end.
func (c *container) at(i int64) Value {
	if i >= int64(c.count()) {
		return Value{}
	}
	counted(int(i) + 1)
	d := c.doc
	j := c.node + 2
	for range i {
		j = d.next(j)
	}
	return d.value(j)
}

// each calls yield with the members of a lazy object, in order, until it
// returns false. It is str, value and next written out in one loop: the
// calls and the second look at each value's first byte cost more than
// the reading itself, for the few plain members most objects have. What
// it yields is what str and value return (TestEachMatchesValue). The
// text of a key or a scalar is cut from src by span, without the checks
// of slicing, as the index places every token within src.
func (c *container) each(yield func(string, Value) bool) {
	d := c.doc
	j := c.node + 2
	for n := c.count(); n > 0; n-- {
		// Read from d at each member: kept across yield, the slices
		// would be spilled and read back anyway, and more of them.
		// A member's value node follows its key's (TestNodesWithinText).
		src, kv := d.src, (*[2]node)(unsafe.Pointer(&d.nodes[j]))
		k, nd := kv[0], kv[1]
		key := span(src, k.start+1, k.endOf()-1)
		if k.flagsOf()&flagDecode != 0 {
			key = d.str(j)
		}
		next := j + 2
		var val Value
		switch *byteAt(src, nd.start) {
		case '"':
			val.kind, val.s = KindString, span(src, nd.start+1, nd.endOf()-1)
			if nd.flagsOf()&flagDecode != 0 {
				val.s = d.str(j + 1)
			}
		case '{':
			val.kind, val.c = KindObject, d.container(j+1)
			next = nd.end
		case '[':
			val.kind, val.c = KindArray, d.container(j+1)
			next = nd.end
		case 't':
			val.kind, val.b = KindBool, true
		case 'f':
			val.kind = KindBool
		case 'n':
			val.kind = KindNull
		default:
			val.kind, val.s = KindNumber, span(src, nd.start, nd.endOf())
			if nd.flagsOf()&flagRewrite != 0 {
				val.s = canonicalNumber(val.s)
			}
		}
		if !yield(key, val) {
			return
		}
		j = next
	}
}

// span returns src[start:end] without the bounds checks of slicing, for
// the text of a token: the index places every token within src, start at
// or before end (TestNodesWithinText). It never points past src, so that
// the string does not keep another object alive.
func span(src string, start, end uint32) string {
	return unsafe.String(byteAt(src, start), end-start)
}

// byteAt returns a pointer to src[i], which must be within src.
func byteAt(src string, i uint32) *byte {
	return (*byte)(unsafe.Add(unsafe.Pointer(unsafe.StringData(src)), i))
}

// appendText appends the text of a verbatim c, without whitespace.
func (c *container) appendText(dst []byte) []byte {
	d := c.doc
	info := c.info()
	if info.flags&spaced == 0 {
		return append(dst, d.src[d.nodes[c.node].start:info.end]...)
	}
	return d.appendCompact(dst, c.node)
}

// appendCompact appends the text of node j and its contents from the
// index, with none of the whitespace between tokens.
func (d *doc) appendCompact(dst []byte, j uint32) []byte {
	nd := d.nodes[j]
	open := d.src[nd.start]
	if open != '{' && open != '[' {
		return append(dst, d.src[nd.start:nd.endOf()]...)
	}
	dst = append(dst, open)
	k := j + 2
	for i := range d.nodes[j+1].end {
		if i > 0 {
			dst = append(dst, ',')
		}
		if open == '{' {
			key := d.nodes[k]
			dst = append(dst, d.src[key.start:key.endOf()]...)
			dst = append(dst, ':')
			k++
		}
		dst = d.appendCompact(dst, k)
		k = d.next(k)
	}
	return append(dst, open+2) // '}' is '{'+2, ']' is '['+2
}
