package server

import (
	"encoding/binary"
	"unicode/utf8"

	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/known/structpb"
)

// maxScanDepth matches protobuf's default recursion limit: deeper messages
// do not decode.
const maxScanDepth = protowire.DefaultRecursionLimit

// Descriptors of the free-form messages, which the walk reads by hand.
var (
	structDesc = (&structpb.Struct{}).ProtoReflect().Descriptor()
	valueDesc  = (&structpb.Value{}).ProtoReflect().Descriptor()
	listDesc   = (&structpb.ListValue{}).ProtoReflect().Descriptor()
)

// Field numbers of google.protobuf.Struct, its map entry, Value and
// ListValue.
const (
	structFieldsField protowire.Number = 1
	entryKeyField     protowire.Number = 1
	entryValueField   protowire.Number = 2
	valueNullField    protowire.Number = 1
	valueNumberField  protowire.Number = 2
	valueStringField  protowire.Number = 3
	valueBoolField    protowire.Number = 4
	valueStructField  protowire.Number = 5
	valueListField    protowire.Number = 6
	listValuesField   protowire.Number = 1
)

// span is a range of a message's bytes, [off, end).
type span struct{ off, end int }

// wireWalk is one pass over the wire bytes of a request message. It counts
// what wireCost holds, checks what protobuf's decoding checks, and, when
// capture is set, notes where the top-level destination and job fields
// lie, so that the jobs are built from the bytes without reading their
// contents again.
type wireWalk struct {
	wireCost
	// suspect is set when protobuf's decoding may refuse the message:
	// malformed bytes, a field number out of range, invalid UTF-8 in a
	// string field, or nesting deeper than the walk follows. Protobuf then
	// decodes the message to tell.
	suspect bool
	// capture turns on the notes below, for the fields numbered destField
	// and jobField, up to maxParts of each; overflow is set past that.
	capture             bool
	destField, jobField protowire.Number
	maxParts            int
	overflow            bool
	destParts, jobParts []span
}

// message walks b, a message of type t at depth, counting nested
// messages as scanWire does. Malformed input ends the walk of that message
// (not of the messages around it).
func (w *wireWalk) message(b []byte, t *wireType, depth int) {
	fs := fields{b: b}
	for fs.next() {
		fd := t.field(fs.num)
		if depth == 0 && fs.typ == protowire.VarintType && fd.requestID {
			w.requestID = fs.x
			continue
		}
		if fs.typ != protowire.BytesType {
			continue
		}
		switch fd.kind {
		case protoreflect.StringKind:
			if !shortASCII(b, fs.val) && !validUTF8(fs.bytes()) {
				w.suspect = true
			}
		case protoreflect.MessageKind, protoreflect.GroupKind:
			w.nodes++
			if depth == 0 {
				if fs.num == 3 && t.batch {
					w.jobs++
				}
				if w.capture {
					w.note(fs.num, fs.val)
				}
			}
			if depth < maxScanDepth {
				w.child(fs.bytes(), fd.msg, depth+1)
			}
		}
	}
	w.check(&fs)
}

// note records the top-level field num at s when it is one captured.
func (w *wireWalk) note(num protowire.Number, s span) {
	var parts *[]span
	switch num {
	case w.destField:
		parts = &w.destParts
	case w.jobField:
		parts = &w.jobParts
	default:
		return
	}
	if len(*parts) >= w.maxParts {
		w.overflow = true
		return
	}
	*parts = append(*parts, s)
}

// child walks a nested message at depth, if the walk goes that deep; the
// free-form messages have walks of their own.
func (w *wireWalk) child(b []byte, t *wireType, depth int) {
	if depth >= maxScanDepth-2 {
		// Near protobuf's recursion limit: let protobuf decide.
		w.suspect = true
	}
	switch t.form {
	case formStruct:
		w.structMsg(b, depth)
	case formValue:
		w.valueMsg(b, depth)
	case formList:
		w.listMsg(b, depth)
	default:
		w.message(b, t, depth)
	}
}

// check notes, after the fields of a message are read, what protobuf's
// decoding may refuse of them: malformed bytes, which end the walk of the
// message, and field numbers out of range.
func (w *wireWalk) check(fs *fields) {
	if fs.bad || fs.outOfRange {
		w.suspect = true
	}
}

// structMsg walks a google.protobuf.Struct at depth.
func (w *wireWalk) structMsg(b []byte, depth int) {
	// Entries as protobuf writes them, short records, are read at sight;
	// from the first written otherwise, the fields are read one by one.
	// Above the depths where the walk doubts, deeper need not be asked of
	// each entry and value.
	shallow := depth+2 < maxScanDepth-2
	p := 0
	for p < len(b) && b[p] == structFieldsTag {
		// The common entry, its length, its key's and its value's each
		// a byte, is read here: a call to entryAtSight costs more than
		// the reading.
		// The entry's tag and length and its key's are read as one word.
		const entryHead = uint32(entryKeyTag)<<16 | uint32(structFieldsTag)
		if shallow && p+6 <= len(b) {
			h := binary.LittleEndian.Uint32(b[p:])
			e, k := p+2+int(h>>8&0x7f), span{p + 4, p + 4 + int(h>>24)}
			if h&0x80ff80ff == entryHead && e <= len(b) && k.end+2 <= e && b[k.end] == entryValueTag && b[k.end+1] < 0x80 && k.end+2+int(b[k.end+1]) == e {
				p = e
				w.nodes += 2
				if !shortASCII(b, k) && !validUTF8(b[k.off:k.end]) {
					w.suspect = true
				}
				// The value, a string or a scalar as valueAtSight reads
				// them, or any other as entryValue walks it.
				v := span{k.end + 2, e}
				switch n := e - v.off; {
				case n >= 2 && b[v.off] == valueStringTag && int(b[v.off+1]) == n-2:
					if x := (span{v.off + 2, e}); !shortASCII(b, x) && !validUTF8(b[x.off:x.end]) {
						w.suspect = true
					}
				case n == 9 && b[v.off] == valueNumberTag:
				default:
					w.entryValue(b, v, depth)
				}
				continue
			}
		}
		e, ok := shortRecord(b, p, len(b))
		if !ok {
			break
		}
		p = e.end
		w.nodes++
		if !w.deeper(depth) {
			continue
		}
		k, v, ok := entryAtSight(b, e)
		if !ok {
			w.entryMsg(b[e.off:e.end], depth+1)
			continue
		}
		// The entry, at depth+1, as entryMsg walks it, and its value,
		// at depth+2, as valueMsg does.
		if !validUTF8(b[k.off:k.end]) {
			w.suspect = true
		}
		w.nodes++
		if !w.deeper(depth + 1) {
			continue
		}
		w.entryValue(b, v, depth)
	}
	if p == len(b) {
		return
	}
	fs := fields{b: b, pos: p}
	for fs.next() {
		if fs.num == structFieldsField && fs.typ == protowire.BytesType {
			w.nodes++
			if w.deeper(depth) {
				w.entryMsg(fs.bytes(), depth+1)
			}
		}
	}
	w.check(&fs)
}

// entryValue walks the value at v of b of an entry read at sight of a
// Struct at depth: the value is at depth+2, as valueMsg walks it.
func (w *wireWalk) entryValue(b []byte, v span, depth int) {
	switch tag, x, ok := valueAtSight(b, v); {
	case !ok:
		w.valueMsg(b[v.off:v.end], depth+2)
	case tag == valueStringTag:
		if !validUTF8(b[x.off:x.end]) {
			w.suspect = true
		}
	case tag == valueStructTag || tag == valueListTag:
		w.valueField(tag, b[x.off:x.end], depth+2)
	}
}

// entryMsg walks an entry of a Struct's fields map at depth, one that
// structMsg does not read at sight.
func (w *wireWalk) entryMsg(b []byte, depth int) {
	fs := fields{b: b}
	for fs.next() {
		if fs.typ != protowire.BytesType {
			continue
		}
		switch fs.num {
		case entryKeyField:
			if !validUTF8(fs.bytes()) {
				w.suspect = true
			}
		case entryValueField:
			w.nodes++
			if w.deeper(depth) {
				w.valueMsg(fs.bytes(), depth+1)
			}
		}
	}
	w.check(&fs)
}

// valueMsg walks a google.protobuf.Value at depth.
func (w *wireWalk) valueMsg(b []byte, depth int) {
	if tag, v, ok := valueAtSight(b, span{0, len(b)}); ok {
		w.valueField(tag, b[v.off:v.end], depth)
		return
	}
	fs := fields{b: b}
	for fs.next() {
		if fs.typ == protowire.BytesType && fs.num < 1<<4 {
			w.valueField(byte(fs.num)<<3|byte(protowire.BytesType), fs.bytes(), depth)
		}
	}
	w.check(&fs)
}

// valueField walks the field of a Value at depth whose tag, as protobuf
// writes it, is tag, and whose value is v: the walk looks into strings,
// Structs and lists.
func (w *wireWalk) valueField(tag byte, v []byte, depth int) {
	switch tag {
	case valueStringTag:
		if !validUTF8(v) {
			w.suspect = true
		}
	case valueStructTag:
		w.nodes++
		if w.deeper(depth) {
			w.structMsg(v, depth+1)
		}
	case valueListTag:
		w.nodes++
		if w.deeper(depth) {
			w.listMsg(v, depth+1)
		}
	}
}

// listMsg walks a google.protobuf.ListValue at depth.
func (w *wireWalk) listMsg(b []byte, depth int) {
	fs := fields{b: b}
	for fs.next() {
		if fs.num == listValuesField && fs.typ == protowire.BytesType {
			w.nodes++
			if w.deeper(depth) {
				w.valueMsg(fs.bytes(), depth+1)
			}
		}
	}
	w.check(&fs)
}

// deeper reports whether the walk follows a message nested below depth.
func (w *wireWalk) deeper(depth int) bool {
	if depth+1 >= maxScanDepth-2 {
		w.suspect = true
	}
	return depth < maxScanDepth
}

// isRequestID reports whether fd is a stream request message's request_id.
func isRequestID(fd protoreflect.FieldDescriptor) bool {
	return fd != nil && fd.Name() == "request_id" && fd.Kind() == protoreflect.Uint64Kind
}

// hiBits has the high bit of each byte of a word set.
const hiBits = 0x8080808080808080

// shortASCII reports whether the text at s of b is ASCII of a word or
// less, read as the word of b that starts with it, which may run past its
// end: most keys and many strings are told valid UTF-8 so, without a loop
// over their bytes or a call.
func shortASCII(b []byte, s span) bool {
	n := s.end - s.off
	// Only the low n bytes of the word are the text's.
	return uint(n) <= 8 && s.off <= len(b)-8 && binary.LittleEndian.Uint64(b[s.off:])&hiBits&(1<<(8*uint(n))-1) == 0
}

// validUTF8 reports whether b is valid UTF-8, as utf8.Valid does, looking
// first for a byte that is not ASCII a word at a time: most text is ASCII.
func validUTF8(b []byte) bool {
	if n := len(b); n >= 8 {
		// The last word overlaps the one before it unless n is a
		// multiple of 8.
		x := binary.LittleEndian.Uint64(b[n-8:])
		for i := 0; i+8 <= n; i += 8 {
			x |= binary.LittleEndian.Uint64(b[i:])
		}
		return x&hiBits == 0 || utf8.Valid(b)
	}
	for _, c := range b {
		if c >= utf8.RuneSelf {
			return utf8.Valid(b)
		}
	}
	return true
}
