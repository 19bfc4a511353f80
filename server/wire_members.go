package server

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"slices"

	"google.golang.org/protobuf/encoding/protowire"
)

// spans are the occurrences of one message field, which merge as their
// concatenation decodes; the first is held without an allocation.
type spans struct {
	first span
	rest  []span
	n     int
}

// one returns the spans of a field that occurs once, at v.
func one(v span) spans { return spans{first: v, n: 1} }

// add appends an occurrence.
func (s *spans) add(v span) {
	if s.n == 0 {
		s.first = v
	} else {
		s.rest = append(s.rest, v)
	}
	s.n++
}

// at returns the i-th occurrence.
func (s *spans) at(i int) span {
	if i == 0 {
		return s.first
	}
	return s.rest[i-1]
}

// wireReader reads spans of b, a message protobuf's decoding accepts.
type wireReader struct {
	b []byte
	// more holds the further occurrences of Struct members' values.
	more []moreValue
}

// fields returns the fields of the message at m, which an accepted message
// has readable.
func (r *wireReader) fields(m span) fields { return fieldsOf(r.b, m) }

// structMember is one entry of a Struct being read: where its key lies
// and the occurrences of its value, the first, and a list in the reader's
// more of the others.
type structMember struct {
	key, first span32
	values     int32
	more, last int32
}

// memberRef places a member among the entries of its Struct, for sorting:
// the first 8 bytes of its key, by which most keys compare, and its place.
type memberRef struct {
	// prefix holds the first 8 bytes of the key, big-endian, zeros past
	// its end.
	prefix uint64
	place  int32
}

// span32 is a span of a message, which protobuf bounds to 2 GiB.
type span32 struct{ off, end int32 }

// moreValue is a further occurrence of a member's value, with the next.
type moreValue struct {
	v    span
	next int32
}

// Tags of a Struct's entries and of their keys and values, as protobuf
// writes them: each is length-delimited.
const (
	structFieldsTag = byte(structFieldsField)<<3 | byte(protowire.BytesType)
	entryKeyTag     = byte(entryKeyField)<<3 | byte(protowire.BytesType)
	entryValueTag   = byte(entryValueField)<<3 | byte(protowire.BytesType)
)

// entry reads the map entry at e into m, with its key's prefix.
func (r *wireReader) entry(e span) (m structMember, prefix uint64) {
	m = structMember{more: -1, last: -1}
	b := r.b
	if k, v, ok := entryAtSight(b, e); ok {
		return soleMember(k, v), keyPrefixAt(b, k)
	}
	for es := r.fields(e); es.next(); {
		if es.typ != protowire.BytesType {
			continue
		}
		switch v := es.val; es.num {
		case entryKeyField:
			m.key = span32{int32(v.off), int32(v.end)}
			prefix = keyPrefix(b[v.off:v.end])
		case entryValueField:
			r.addValue(&m, v)
		}
	}
	return m, prefix
}

// soleMember is the member of an entry of key k whose value occurs once,
// at v.
func soleMember(k, v span) structMember {
	return structMember{key: span32{int32(k.off), int32(k.end)}, first: span32{int32(v.off), int32(v.end)}, values: 1, more: -1, last: -1}
}

// addValue adds the value occurrence v to m.
func (r *wireReader) addValue(m *structMember, v span) {
	m.values++
	if m.values == 1 {
		m.first = span32{int32(v.off), int32(v.end)}
		return
	}
	r.more = append(r.more, moreValue{v: v, next: -1})
	k := int32(len(r.more) - 1)
	if m.last >= 0 {
		r.more[m.last].next = k
	} else {
		m.more = k
	}
	m.last = k
}

// occurrences returns the occurrences of m's value.
func (r *wireReader) occurrences(m *structMember) spans {
	occ := spans{first: span{int(m.first.off), int(m.first.end)}, n: int(m.values)}
	for k := m.more; occ.n > 1 && k >= 0; k = r.more[k].next {
		occ.rest = append(occ.rest, r.more[k].v)
	}
	return occ
}

// keyPrefix returns the first 8 bytes of key, big-endian, zeros past its
// end, which order as the keys do where they differ.
func keyPrefix(key []byte) uint64 {
	if len(key) >= 8 {
		return binary.BigEndian.Uint64(key)
	}
	var p uint64
	for i := range 8 {
		p <<= 8
		if i < len(key) {
			p |= uint64(key[i])
		}
	}
	return p
}

// keyPrefixAt returns keyPrefix of the key at k of b, reading it as the
// word of b that starts with it when there is one, which may run past its
// end: without a loop over the bytes of a short key.
func keyPrefixAt(b []byte, k span) uint64 {
	if k.off <= len(b)-8 {
		// The bytes past the key's end, the low 8-n of a key of n < 8
		// bytes, are cleared; none of a longer key.
		return binary.BigEndian.Uint64(b[k.off:]) &^ (^uint64(0) >> (8 * uint(k.end-k.off)))
	}
	return keyPrefix(b[k.off:k.end])
}

// memberOrder is the order of the members of one Struct, whose keys lie
// in msg.
type memberOrder struct {
	members []structMember
	msg     []byte
}

// compare compares the keys of the members a and c refer to.
func (o memberOrder) compare(a, c memberRef) int {
	if a.prefix != c.prefix {
		return cmp.Compare(a.prefix, c.prefix)
	}
	ka, kc := o.members[a.place].key, o.members[c.place].key
	return bytes.Compare(o.msg[ka.off:ka.end], o.msg[kc.off:kc.end])
}

// inKeyOrder sorts refs, in place order, by key and keeps, of the members
// of one key, the last, as protobuf's decoding keeps it.
func (o memberOrder) inKeyOrder(refs []memberRef) []memberRef {
	// Most keys differ in their prefixes, compared here without a call:
	// refs whose prefixes increase are in key order, each key once.
	i := 1
	for ; i < len(refs) && refs[i-1].prefix < refs[i].prefix; i++ {
	}
	if i >= len(refs) {
		return refs
	}
	for ; i < len(refs); i++ {
		if a, c := refs[i-1], refs[i]; a.prefix > c.prefix || a.prefix == c.prefix && o.compare(a, c) > 0 {
			o.sort(refs)
			break
		}
	}
	// Members of one key, which share a prefix, are side by side.
	i = 1
	for ; i < len(refs) && refs[i-1].prefix != refs[i].prefix; i++ {
	}
	if i >= len(refs) {
		return refs
	}
	out := refs[:i-1]
	for i := i - 1; i < len(refs); i++ {
		if i+1 < len(refs) && refs[i+1].prefix == refs[i].prefix && o.compare(refs[i+1], refs[i]) == 0 {
			continue
		}
		out = append(out, refs[i])
	}
	return out
}

// Sizes from which memberOrder.sort sorts by comparison, and then by
// radix: fewer members sort faster by insertion, more by radix.
const (
	comparedMembers = 12
	radixMembers    = 256
)

// sort sorts refs by key, then by place, so that of the entries of one
// key the last comes last. A large Struct is sorted by radix on the keys'
// prefixes, linear in its size, and then by comparison only within runs
// of one prefix.
func (o memberOrder) sort(refs []memberRef) {
	if len(refs) <= comparedMembers {
		// Insertion sort, stable: members of one key stay in place order.
		for i := 1; i < len(refs); i++ {
			r := refs[i]
			j := i
			for ; j > 0 && (refs[j-1].prefix > r.prefix || refs[j-1].prefix == r.prefix && o.compare(refs[j-1], r) > 0); j-- {
				refs[j] = refs[j-1]
			}
			refs[j] = r
		}
		return
	}
	byKey := func(a, c memberRef) int {
		// Most keys differ in their prefixes, compared here without a
		// call.
		if a.prefix != c.prefix {
			if a.prefix < c.prefix {
				return -1
			}
			return 1
		}
		if x := o.compare(a, c); x != 0 {
			return x
		}
		return int(a.place - c.place)
	}
	if len(refs) < radixMembers {
		slices.SortFunc(refs, byKey)
		return
	}
	// Least significant byte first; each pass is stable, so members of
	// one prefix stay in place order.
	src, dst := refs, make([]memberRef, len(refs))
	for shift := 0; shift < 64; shift += 8 {
		var counts [256]int
		for i := range src {
			counts[byte(src[i].prefix>>shift)]++
		}
		if counts[byte(src[0].prefix>>shift)] == len(src) {
			continue
		}
		pos := 0
		for b, c := range counts {
			counts[b] = pos
			pos += c
		}
		for i := range src {
			b := byte(src[i].prefix >> shift)
			dst[counts[b]] = src[i]
			counts[b]++
		}
		src, dst = dst, src
	}
	if &src[0] != &refs[0] {
		copy(refs, src)
	}
	for i := 0; i < len(refs); {
		j := i + 1
		for j < len(refs) && refs[j].prefix == refs[i].prefix {
			j++
		}
		if j-i > 1 {
			slices.SortFunc(refs[i:j], byKey)
		}
		i = j
	}
}
