package server

import (
	"encoding/binary"
	"math"
	"math/bits"
	"slices"
	"strconv"
	"sync"
	"unsafe"

	ciotransformerv1 "github.com/cio-transformer/cio-transformer/gen/ciotransformer/v1"
	"github.com/cio-transformer/cio-transformer/internal/jsvalue"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/known/structpb"
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
// winning as it does in protobuf's decoding.
//
// The event is written as JSON text in one pass over b (see eventText),
// which is indexed as it is written and then read as a raw event is read:
// no container is built member by member, and those the mapping never
// reads are copied to its output as text. The Value reads the text in
// place, in storage lent for it (jsvalue.TextIndex.Lease): it is valid
// until the caller releases the returned eventText, which holds the text
// and the lease; a Result refers to neither (see transform.Result). The
// eventText is nil when the Value holds nothing of it: an event the text
// cannot say, one holding a number that is not finite, is decoded by
// protobuf instead (decodedEvent).
func eventJSON(b []byte) (jsvalue.Value, *eventText) {
	t := eventTexts.Get().(*eventText)
	if text, ok := t.event(b); ok {
		if v, lease, ok := t.index.Lease(text); ok {
			t.lease = lease
			return v, t
		}
		if v, err := jsvalue.Parse(text); err == nil {
			t.release()
			return v, nil
		}
	}
	t.release()
	return decodedEvent(b), nil
}

// decodedEvent reads b as eventJSON does, by decoding it with protobuf and
// converting its Structs as structValue does: JSON text has no NaN or
// Infinity, which a Value's number may be.
func decodedEvent(b []byte) jsvalue.Value {
	var e ciotransformerv1.Event
	// b is a message protobuf's decoding accepts; were it not, what was
	// read of it would still be a message.
	_ = proto.Unmarshal(b, &e)
	m := e.ProtoReflect()
	fds := m.Descriptor().Fields()
	v := jsvalue.NewObject(len(eventKeys) - 1)
	for num := 1; num < len(eventKeys); num++ {
		fd := fds.ByNumber(protoreflect.FieldNumber(num))
		switch {
		case !m.Has(fd):
		case eventStructs[num]:
			s, _ := m.Get(fd).Message().Interface().(*structpb.Struct)
			v.Add(eventKeys[num], structValue(s))
		default:
			v.Add(eventKeys[num], jsvalue.String(m.Get(fd).String()))
		}
	}
	return v
}

// eventText writes the JSON text of typed events, reusing its space from
// one event to the next.
type eventText struct {
	wireReader
	out []byte
	// index records the tokens of out as they are written, so that the
	// text need not be parsed (see jsvalue.TextIndex), and lease holds
	// the document made of them until release.
	index jsvalue.TextIndex
	lease *jsvalue.Lease
	// members and refs hold the entries of the Structs being written,
	// those of a nested Struct after its parent's.
	members []structMember
	refs    []memberRef
}

// eventTexts holds eventTexts for reuse.
var eventTexts = sync.Pool{New: func() any { return new(eventText) }}

// maxPooledText is the most bytes of text or entries an eventText keeps
// for reuse, so that one huge event does not pin its memory for good.
const maxPooledText = 64 << 10

// release returns t to eventTexts, keeping nothing of the event: the
// Value eventJSON made of it is invalid from then on.
func (t *eventText) release() {
	if t.lease != nil {
		t.lease.Release()
		t.lease = nil
	}
	if cap(t.out) > maxPooledText || cap(t.members) > maxPooledText/16 || cap(t.more) > maxPooledText/16 {
		return
	}
	t.wireReader = wireReader{more: t.more[:0]}
	t.out, t.members, t.refs = t.out[:0], t.members[:0], t.refs[:0]
	t.index.Reset(0)
	eventTexts.Put(t)
}

// event writes the JSON text of the Event at b, which is t's until its
// next use; ok is false when the event holds a number JSON cannot say.
func (t *eventText) event(b []byte) (text []byte, ok bool) {
	t.wireReader = wireReader{b: b, more: t.more[:0]}
	// The text is about as long as the wire bytes, shorter for members
	// that are numbers and longer for escapes.
	t.out = append(slices.Grow(t.out[:0], len(b)+len(b)/4), '{')
	t.index.Reset(cap(t.out))
	t.index.Open(0, true)
	// Protobuf writes a message's fields in the order of their numbers,
	// which is that of the event's keys: they are written as they come
	// unless a field comes again or out of order.
	last := protowire.Number(0)
	inOrder := true
	for fs := (fields{b: b}); fs.next(); {
		num := fs.num
		if fs.typ != protowire.BytesType || num <= 0 || int(num) >= len(eventKeys) {
			continue
		}
		if num <= last {
			inOrder = false
			break
		}
		last = num
		if !eventStructs[num] {
			// A string field, as member writes it.
			if v := fs.val; v.end > v.off {
				t.key(num)
				t.string(v)
			}
			continue
		}
		t.key(num)
		if !t.soleStructJSON(fs.val) {
			return nil, false
		}
	}
	if !inOrder {
		t.out = t.out[:1]
		t.index.Reset(cap(t.out))
		t.index.Open(0, true)
		var occs [len(eventKeys)]spans
		for fs := (fields{b: b}); fs.next(); {
			num := fs.num
			if fs.typ != protowire.BytesType || num <= 0 || int(num) >= len(eventKeys) {
				continue
			}
			if !eventStructs[num] {
				// The last of a string field's occurrences is its value.
				occs[num] = spans{}
			}
			occs[num].add(fs.val)
		}
		for num := 1; num < len(eventKeys); num++ {
			if occs[num].n > 0 && !t.member(protowire.Number(num), occs[num]) {
				return nil, false
			}
		}
	}
	t.out = append(t.out, '}')
	t.index.Close(len(t.out))
	return t.out, true
}

// member writes the event member of field num, which occurs at occ:
// a Struct, or a string left out when empty; false when it holds a number
// JSON cannot say.
func (t *eventText) member(num protowire.Number, occ spans) bool {
	if !eventStructs[num] {
		if v := occ.first; v.end > v.off {
			t.key(num)
			t.string(v)
		}
		return true
	}
	t.key(num)
	return t.structJSON(occ)
}

// eventKeyTexts are the texts of eventKeys as the event object's members
// begin, after a comma: `,"type":`.
var eventKeyTexts = func() (texts [len(eventKeys)]string) {
	for num, k := range eventKeys {
		texts[num] = `,"` + k + `":`
	}
	return texts
}()

// key writes the key of the event member of field num, after a comma
// unless it is the first.
func (t *eventText) key(num protowire.Number) {
	k := eventKeyTexts[num]
	if t.out[len(t.out)-1] == '{' {
		k = k[1:]
	}
	t.out = append(t.out, k...)
	// The key's text runs from its quote to the colon after it.
	start := len(t.out) - len(k)
	if k[0] == ',' {
		start++
	}
	t.index.Key(start, len(t.out)-1)
}

// string writes the string at v as a JSON string literal, a value, as
// literal does.
func (t *eventText) string(v span) {
	l := len(t.out)
	if t.literal(v) {
		t.index.Scalar(l, len(t.out))
	} else {
		t.index.WrittenString(t.out, l)
	}
}

// literal writes the string at v as a JSON string literal, as
// jsvalue.AppendJSONBytesAt writes it, and reports whether it copied the
// string as it is, with nothing to escape. Most strings need no escape:
// each word of the string is checked as it is copied, in one pass, and
// the string is escaped from its start only when a word holds a byte a
// JSON string does not hold as it is.
func (t *eventText) literal(v span) (plain bool) {
	out, b := t.out, t.b
	l, n := len(out), v.end-v.off
	// The words that hold the string, the last running past its end by
	// up to 7 bytes, are read from b and written to the spare capacity of
	// out after the opening quote: both must have them. The text of an
	// eventText never shares memory with its message.
	words := (n + 7) &^ 7
	if n == 0 || len(b)-v.off < words || cap(out)-l < words+2 {
		t.out = jsvalue.AppendJSONBytesAt(out, b, v.off, v.end)
		return false
	}
	// Safe: the words copied, from v.off of b to l+1 of out, are checked
	// above to lie in b and in the capacity of out, which do not overlap.
	escaped := copyWords(unsafe.Add(unsafe.Pointer(unsafe.SliceData(out)), l+1), unsafe.Add(unsafe.Pointer(unsafe.SliceData(b)), v.off), n)
	if escaped != 0 {
		t.out = jsvalue.AppendJSONBytes(out, b[v.off:v.end])
		return false
	}
	out = out[:l+2+n]
	out[l] = '"'
	out[l+1+n] = '"'
	t.out = out
	return true
}

// memberKey writes the key at k of a Struct's member, whose prefix (see
// keyPrefix) is prefix, as string writes it, and the colon after it. A key
// of a word or less, as most are, is all in its prefix: it is written
// from there, without reading the message again.
func (t *eventText) memberKey(prefix uint64, k span) {
	out := t.out
	l, n := len(out), k.end-k.off
	if uint(n-1) < 8 && cap(out)-l >= 11 {
		// The key's bytes in the order they are written, zeros past its
		// end, whose flags are shifted out.
		x := bits.ReverseBytes64(prefix)
		if jsvalue.EscapedBytes(x)<<(8*uint(8-n)) == 0 {
			d := out[l : l+11]
			d[0] = '"'
			binary.LittleEndian.PutUint64(d[1:], x)
			d[1+n] = '"'
			d[2+n] = ':'
			t.out = out[:l+3+n]
			t.index.Key(l, l+2+n)
			return
		}
	}
	if t.literal(k) {
		t.index.Key(l, len(t.out))
	} else {
		t.index.WrittenKey(t.out, l)
	}
	t.out = append(t.out, ':')
}

// copyWords copies the words that hold a string of n > 0 bytes at src to
// dst, the last running past its end by up to 7 bytes, and returns the
// flags of jsvalue.EscapedBytes of the string's bytes: none when the
// string needs no escape. Each word is read and written as an array of 8 bytes, which
// has no alignment. A function of its own, its loop keeps its values in
// registers.
func copyWords(dst, src unsafe.Pointer, n int) uint64 {
	var escaped uint64
	for k := 8; k < n; k += 8 {
		x := binary.LittleEndian.Uint64((*[8]byte)(src)[:])
		escaped |= jsvalue.EscapedBytes(x)
		binary.LittleEndian.PutUint64((*[8]byte)(dst)[:], x)
		src, dst = unsafe.Add(src, 8), unsafe.Add(dst, 8)
	}
	x := binary.LittleEndian.Uint64((*[8]byte)(src)[:])
	binary.LittleEndian.PutUint64((*[8]byte)(dst)[:], x)
	// Only the low bytes of the last word up to the string's end are the
	// string's: the flags of the others are shifted out, and a flag does
	// not carry downwards (see jsvalue.EscapedBytes).
	return escaped | jsvalue.EscapedBytes(x)<<(8*uint(-n&7))
}

// countedStruct is the size in bytes from which structJSON counts a
// Struct's entries before reading them, so that a wide Struct takes its
// room at once rather than growing it; a small one fits the room the
// reuse of an eventText leaves.
const countedStruct = 1 << 12

// structJSON writes a Struct read from its occurrences as a JSON object,
// members in key order; false when it holds a number JSON cannot say.
func (t *eventText) structJSON(occ spans) bool {
	base := len(t.members)
	if occ.n > 1 || occ.first.end-occ.first.off >= countedStruct {
		n := 0
		for i := range occ.n {
			for fs := t.fields(occ.at(i)); fs.next(); {
				n++
			}
		}
		t.members = slices.Grow(t.members, n)
		t.refs = slices.Grow(t.refs, n)
	}
	if occ.n > 1 || !t.entries(occ.first, base) {
		for i := range occ.n {
			for fs := t.fields(occ.at(i)); fs.next(); {
				if fs.num == structFieldsField && fs.typ == protowire.BytesType {
					t.addEntry(fs.val, base)
				}
			}
		}
	}
	return t.membersJSON(base)
}

// soleStructJSON writes the Struct at v, which occurs once, as structJSON
// does.
func (t *eventText) soleStructJSON(v span) bool {
	if base := len(t.members); v.end-v.off < countedStruct && t.entries(v, base) {
		return t.membersJSON(base)
	}
	return t.structJSON(one(v))
}

// membersJSON writes the Struct whose entries are those of t.members and
// t.refs from base on as a JSON object, as structJSON does, and drops
// them.
func (t *eventText) membersJSON(base int) bool {
	members := t.members[base:]
	// Nested Structs add their entries after these, which stay where they
	// are even when the stacks grow.
	refs := memberOrder{members, t.b}.inKeyOrder(t.refs[base:])
	t.index.Open(len(t.out), true)
	t.out = append(t.out, '{')
	for i, r := range refs {
		m := &members[r.place]
		if i > 0 {
			t.out = append(t.out, ',')
		}
		t.memberKey(r.prefix, span{int(m.key.off), int(m.key.end)})
		if m.values == 1 {
			if !t.soleValueJSON(span{int(m.first.off), int(m.first.end)}) {
				return false
			}
		} else if !t.valueJSON(t.occurrences(m)) {
			return false
		}
	}
	t.out = append(t.out, '}')
	t.index.Close(len(t.out))
	t.members, t.refs = t.members[:base], t.refs[:base]
	return true
}

// entries reads the entries of the Struct at v when all its fields are
// entries whose length takes one or two bytes, as protobuf writes them;
// otherwise it reads none and reports false.
func (t *eventText) entries(v span, base int) bool {
	b := t.b
	for p := v.off; p < v.end; {
		// The common entry, its length, its key's and its value's each
		// a byte, is read here, as the walk reads it: a call to
		// entryAtSight costs more than the reading.
		// The entry's tag and length and its key's are read as one word.
		const entryHead = uint32(entryKeyTag)<<16 | uint32(structFieldsTag)
		if p+6 <= v.end {
			h := binary.LittleEndian.Uint32(b[p:])
			e, k := p+2+int(h>>8&0x7f), span{p + 4, p + 4 + int(h>>24)}
			if h&0x80ff80ff == entryHead && e <= v.end && k.end+2 <= e && b[k.end] == entryValueTag && b[k.end+1] < 0x80 && k.end+2+int(b[k.end+1]) == e {
				t.refs = append(t.refs, memberRef{prefix: keyPrefixAt(b, k), place: int32(len(t.members) - base)})
				t.members = append(t.members, soleMember(k, span{k.end + 2, e}))
				p = e
				continue
			}
		}
		e, ok := shortRecord(t.b, p, v.end)
		if !ok || t.b[p] != structFieldsTag {
			t.members, t.refs = t.members[:base], t.refs[:base]
			return false
		}
		if k, x, ok := entryAtSight(t.b, e); ok {
			// The entry as wireReader.entry reads it, without the calls.
			t.refs = append(t.refs, memberRef{prefix: keyPrefixAt(t.b, k), place: int32(len(t.members) - base)})
			t.members = append(t.members, soleMember(k, x))
		} else {
			t.addEntry(e, base)
		}
		p = e.end
	}
	return true
}

// addEntry adds the map entry at e to the members of the Struct whose
// first member is at base.
func (t *eventText) addEntry(e span, base int) {
	m, prefix := t.entry(e)
	t.refs = append(t.refs, memberRef{prefix: prefix, place: int32(len(t.members) - base)})
	t.members = append(t.members, m)
}

// Tags of a Value's kinds as protobuf writes them.
const (
	valueNullTag   = byte(valueNullField)<<3 | byte(protowire.VarintType)
	valueNumberTag = byte(valueNumberField)<<3 | byte(protowire.Fixed64Type)
	valueStringTag = byte(valueStringField)<<3 | byte(protowire.BytesType)
	valueBoolTag   = byte(valueBoolField)<<3 | byte(protowire.VarintType)
	valueStructTag = byte(valueStructField)<<3 | byte(protowire.BytesType)
	valueListTag   = byte(valueListField)<<3 | byte(protowire.BytesType)
)

// valueJSON writes a Value read from its occurrences as JSON, a Value of
// no kind as null; false when it holds a number JSON cannot say.
func (t *eventText) valueJSON(occ spans) bool {
	if occ.n == 1 {
		return t.soleValueJSON(occ.first)
	}
	return t.valueFieldsJSON(occ)
}

// soleValueJSON writes the Value at v, which occurs once, as valueJSON
// does.
func (t *eventText) soleValueJSON(v span) bool {
	// A Value as protobuf writes it, one field whose tag and length take a
	// byte each, is read at sight, as valueAtSight reads it but without a
	// call, which costs more here than the reading; any other by its
	// fields.
	b := t.b
	switch n := v.end - v.off; {
	case n == 0:
		t.index.Scalar(len(t.out), len(t.out)+len("null"))
		t.out = append(t.out, "null"...)
		return true
	case n == 2 && b[v.off+1] < 0x80 && (b[v.off] == valueNullTag || b[v.off] == valueBoolTag):
		return t.scalarJSON(wireValue{kind: protowire.Number(b[v.off] >> 3), b: b[v.off+1] != 0})
	case n == 9 && b[v.off] == valueNumberTag:
		return t.scalarJSON(wireValue{kind: kindNumber, num: math.Float64frombits(binary.LittleEndian.Uint64(b[v.off+1 : v.end]))})
	case n >= 2 && b[v.off+1] < 0x80 && int(b[v.off+1]) == n-2:
		inner := span{v.off + 2, v.end}
		switch b[v.off] {
		case valueStringTag:
			t.string(inner)
			return true
		case valueStructTag:
			return t.soleStructJSON(inner)
		case valueListTag:
			return t.listJSON(one(inner))
		}
	}
	return t.valueFieldsJSON(one(v))
}

// valueFieldsJSON writes a Value read from its occurrences by their
// fields, as valueJSON does.
func (t *eventText) valueFieldsJSON(occ spans) bool {
	w := t.value(occ)
	switch w.kind {
	case kindStruct:
		return t.structJSON(w.sub)
	case kindList:
		return t.listJSON(w.sub)
	}
	return t.scalarJSON(w)
}

// scalarJSON writes a Value that is neither a Struct nor a list; false
// when it is a number JSON cannot say.
func (t *eventText) scalarJSON(w wireValue) bool {
	l := len(t.out)
	switch w.kind {
	case kindNumber:
		if math.IsNaN(w.num) || math.IsInf(w.num, 0) {
			return false
		}
		t.out = jsvalue.AppendNumber(t.out, w.num)
	case kindString:
		t.string(w.str)
		return true
	case kindBool:
		t.out = strconv.AppendBool(t.out, w.b)
	default:
		t.out = append(t.out, "null"...)
	}
	t.index.Scalar(l, len(t.out))
	return true
}

// listJSON writes a ListValue read from its occurrences as a JSON array;
// false when it holds a number JSON cannot say.
func (t *eventText) listJSON(occ spans) bool {
	t.index.Open(len(t.out), false)
	t.out = append(t.out, '[')
	first := true
	for i := range occ.n {
		for fs := t.fields(occ.at(i)); fs.next(); {
			if fs.num != listValuesField || fs.typ != protowire.BytesType {
				continue
			}
			if !first {
				t.out = append(t.out, ',')
			}
			first = false
			if !t.soleValueJSON(fs.val) {
				return false
			}
		}
	}
	t.out = append(t.out, ']')
	t.index.Close(len(t.out))
	return true
}

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
