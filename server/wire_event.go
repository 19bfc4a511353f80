package server

import (
	"cmp"
	"math"
	"slices"
	"strings"

	ciotransformerv1 "github.com/cio-transformer/cio-transformer/gen/ciotransformer/v1"
	"github.com/cio-transformer/cio-transformer/internal/jsvalue"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
)

// eventKeys are the RudderStack keys of the Event fields, by field number,
// in the order the event object takes them. The free-form fields are those
// of eventStructs.
var eventKeys = [...]string{
	1: "type", 2: "messageId", 3: "userId", 4: "anonymousId", 5: "previousId",
	6: "groupId", 7: "event", 8: "name", 9: "category", 10: "channel",
	11: "timestamp", 12: "originalTimestamp", 13: "sentAt", 14: "receivedAt",
	15: "traits", 16: "properties", 17: "context", 18: "integrations",
	19: "user_properties", 20: "action", 21: "identifiers",
}

// eventStructs marks the Event fields that are google.protobuf.Struct.
var eventStructs = [len(eventKeys)]bool{15: true, 16: true, 17: true, 18: true, 19: true, 21: true}

// eventWire returns the wire bytes of a typed event: those the codec kept
// (see jobBuilder), or its encoding when it was built otherwise.
func eventWire(e *ciotransformerv1.Event) []byte {
	unknown := e.ProtoReflect().GetUnknown()
	if proto.Size(e) == len(unknown) {
		// No field is set: the bytes are all there is.
		return unknown
	}
	b, err := proto.Marshal(e)
	if err != nil {
		// A built message always encodes; its strings were decoded or
		// set valid.
		return unknown
	}
	return b
}

// eventJSON reads the wire bytes of an Event, which protobuf's decoding
// accepts, into the RudderStack JSON it stands for: empty strings and
// absent Structs are left out, as absent keys; Struct members are in key
// order, since protobuf maps have none, the last of a key's entries
// winning as it does in protobuf's decoding. It costs one pass over b and,
// of its strings, one copy of b.
func eventJSON(b []byte) jsvalue.Value {
	r := wireReader{b: b, s: string(b)}
	var strs [len(eventKeys)]span
	var structs [len(eventKeys)]spans
	for fs := (fields{b: b}); fs.next(); {
		if fs.typ != protowire.BytesType || fs.num <= 0 || int(fs.num) >= len(eventKeys) {
			continue
		}
		if eventStructs[fs.num] {
			structs[fs.num].add(fs.val)
		} else {
			strs[fs.num] = fs.val
		}
	}
	v := jsvalue.NewObject(len(eventKeys) - 1)
	for num := 1; num < len(eventKeys); num++ {
		switch {
		case eventStructs[num] && structs[num].n > 0:
			v.Set(eventKeys[num], r.structValue(structs[num]))
		case !eventStructs[num] && strs[num].end > strs[num].off:
			v.Set(eventKeys[num], jsvalue.String(r.str(strs[num])))
		}
	}
	return v
}

// spans are the occurrences of one message field, which merge as their
// concatenation decodes; the first is held without an allocation.
type spans struct {
	first span
	rest  []span
	n     int
}

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

// wireReader reads spans of b, a message protobuf's decoding accepts; s
// holds the same bytes as a string, which the values' strings share.
type wireReader struct {
	b []byte
	s string
	// more holds the further occurrences of Struct members' values.
	more []moreValue
}

// str returns the bytes at v as a string.
func (r *wireReader) str(v span) string { return r.s[v.off:v.end] }

// fields returns the fields of the message at m, which an accepted message
// has readable.
func (r *wireReader) fields(m span) fields { return fieldsOf(r.b, m) }

// Kinds of a google.protobuf.Value, by the field that sets it.
const (
	kindUnset  = 0
	kindNull   = valueNullField
	kindNumber = valueNumberField
	kindString = valueStringField
	kindBool   = valueBoolField
	kindStruct = valueStructField
	kindList   = valueListField
)

// wireValue is a google.protobuf.Value read from its occurrences.
type wireValue struct {
	kind protowire.Number
	num  float64
	b    bool
	str  span
	// sub holds the occurrences of a Struct or ListValue.
	sub spans
}

// value reads a Value from its occurrences: the last member of the kind
// oneof wins; the same message member again merges.
func (r *wireReader) value(occ spans) wireValue {
	var w wireValue
	for i := range occ.n {
		for fs := r.fields(occ.at(i)); fs.next(); {
			num, typ := fs.num, fs.typ
			switch {
			case num == valueNullField && typ == protowire.VarintType:
				w.kind = kindNull
			case num == valueNumberField && typ == protowire.Fixed64Type:
				w.kind, w.num = kindNumber, math.Float64frombits(fs.x)
			case num == valueStringField && typ == protowire.BytesType:
				w.kind, w.str = kindString, fs.val
			case num == valueBoolField && typ == protowire.VarintType:
				w.kind, w.b = kindBool, fs.x != 0
			case (num == valueStructField || num == valueListField) && typ == protowire.BytesType:
				if w.kind != num {
					w.kind, w.sub = num, spans{}
				}
				w.sub.add(fs.val)
			}
		}
	}
	return w
}

// structMember is one entry of a Struct being read: where its key lies,
// the occurrences of its value (the first, and a list in the reader's
// more of the others) and its place among the entries. It holds no
// pointers, so that sorting moves it cheaply.
type structMember struct {
	// prefix holds the first 8 bytes of the key, big-endian, zeros past
	// its end: most keys compare by it alone.
	prefix     uint64
	key, first span32
	values     int32
	more, last int32
	index      int32
}

// span32 is a span of a message, which protobuf bounds to 2 GiB.
type span32 struct{ off, end int32 }

// moreValue is a further occurrence of a member's value, with the next.
type moreValue struct {
	v    span
	next int32
}

// occurrences returns the occurrences of m's value.
func (r *wireReader) occurrences(m *structMember) spans {
	occ := spans{first: span{int(m.first.off), int(m.first.end)}, n: int(m.values)}
	for k := m.more; occ.n > 1 && k >= 0; k = r.more[k].next {
		occ.rest = append(occ.rest, r.more[k].v)
	}
	return occ
}

// structValue reads a Struct from its occurrences into a JSON object,
// members in key order.
func (r *wireReader) structValue(occ spans) jsvalue.Value {
	n := 0
	for i := range occ.n {
		for fs := r.fields(occ.at(i)); fs.next(); {
			n++
		}
	}
	members := make([]structMember, 0, n)
	for i := range occ.n {
		for fs := r.fields(occ.at(i)); fs.next(); {
			if fs.num != structFieldsField || fs.typ != protowire.BytesType {
				continue
			}
			m := structMember{more: -1, last: -1, index: int32(len(members))}
			for es := r.fields(fs.val); es.next(); {
				if es.typ != protowire.BytesType {
					continue
				}
				switch v := es.val; es.num {
				case entryKeyField:
					m.key = span32{int32(v.off), int32(v.end)}
					m.prefix = keyPrefix(r.s[v.off:v.end])
				case entryValueField:
					r.addValue(&m, v)
				}
			}
			members = append(members, m)
		}
	}
	members = r.inKeyOrder(members)
	// The texts of the numbers are written into one string, rather than
	// one string each, before the members are added.
	var digits []byte
	var numberEnds []int32
	for i := range members {
		m := &members[i]
		if w := r.value(r.occurrences(m)); w.kind == kindNumber {
			if numberEnds == nil {
				numberEnds = make([]int32, len(members))
			}
			digits = jsvalue.AppendNumber(digits, w.num)
			numberEnds[i] = int32(len(digits))
		}
	}
	numbers := string(digits)
	o := jsvalue.NewObject(len(members))
	start := int32(0)
	for i := range members {
		m := &members[i]
		key := r.s[m.key.off:m.key.end]
		// Keys are unique now: added without Set's search.
		if numberEnds != nil && numberEnds[i] > 0 {
			o.Add(key, jsvalue.RawNumber(numbers[start:numberEnds[i]]))
			start = numberEnds[i]
			continue
		}
		o.Add(key, r.jsonValue(r.value(r.occurrences(m))))
	}
	return o
}

// radixMembers is the number of members from which sortMembers sorts by
// radix: fewer sort faster by comparison.
const radixMembers = 256

// sortMembers sorts members by key, then by place, so that of the entries
// of one key the last comes last. A large Struct is sorted by radix on the
// keys' prefixes, linear in its size, and then by comparison only within
// runs of one prefix.
func sortMembers(members []structMember, s string) {
	byKey := func(a, b structMember) int {
		if a.prefix != b.prefix {
			return cmp.Compare(a.prefix, b.prefix)
		}
		if c := strings.Compare(s[a.key.off:a.key.end], s[b.key.off:b.key.end]); c != 0 {
			return c
		}
		return int(a.index - b.index)
	}
	if len(members) < radixMembers {
		slices.SortFunc(members, byKey)
		return
	}
	// Least significant byte first; each pass is stable, so members of
	// one prefix stay in place order.
	src, dst := members, make([]structMember, len(members))
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
	if &src[0] != &members[0] {
		copy(members, src)
	}
	for i := 0; i < len(members); {
		j := i + 1
		for j < len(members) && members[j].prefix == members[i].prefix {
			j++
		}
		if j-i > 1 {
			slices.SortFunc(members[i:j], byKey)
		}
		i = j
	}
}

// keyPrefix returns the first 8 bytes of key, big-endian, zeros past its
// end, which order as the keys do where they differ.
func keyPrefix(key string) uint64 {
	var p uint64
	for i := range 8 {
		p <<= 8
		if i < len(key) {
			p |= uint64(key[i])
		}
	}
	return p
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

// inKeyOrder sorts members by key and keeps, of the members of one key,
// the last, as protobuf's decoding keeps it.
func (r *wireReader) inKeyOrder(members []structMember) []structMember {
	key := func(m *structMember) string { return r.s[m.key.off:m.key.end] }
	sorted := true
	for i := 1; i < len(members); i++ {
		if key(&members[i-1]) > key(&members[i]) {
			sorted = false
			break
		}
	}
	if !sorted {
		sortMembers(members, r.s)
	}
	out := members[:0]
	for i := range members {
		if i+1 < len(members) && key(&members[i+1]) == key(&members[i]) {
			continue
		}
		out = append(out, members[i])
	}
	return out
}

// jsonValue converts a Value to a JSON value; a Value of no kind is null.
func (r *wireReader) jsonValue(w wireValue) jsvalue.Value {
	switch w.kind {
	case kindNumber:
		return jsvalue.Number(w.num)
	case kindString:
		return jsvalue.String(r.str(w.str))
	case kindBool:
		return jsvalue.Bool(w.b)
	case kindStruct:
		return r.structValue(w.sub)
	case kindList:
		var elems []jsvalue.Value
		for i := range w.sub.n {
			for fs := r.fields(w.sub.at(i)); fs.next(); {
				if fs.num == listValuesField && fs.typ == protowire.BytesType {
					elems = append(elems, r.jsonValue(r.value(spans{first: fs.val, n: 1})))
				}
			}
		}
		if elems == nil {
			elems = []jsvalue.Value{}
		}
		return jsvalue.NewArray(elems...)
	}
	return jsvalue.Null()
}
