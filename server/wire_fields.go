package server

import "google.golang.org/protobuf/encoding/protowire"

// fields reads the field records of a message's wire bytes one at a time:
//
//	fs := fields{b: b}
//	for fs.next() {
//		switch fs.num { ... }
//	}
//	if fs.bad { ... }
//
// The message is b[pos:]: a message nested in b is read with b cut at its
// end and pos at its start, so that the positions read are those of b.
type fields struct {
	b   []byte
	pos int
	// The field last read: its number and wire type, where its record
	// (tag and value) starts (it ends at pos), the value of a
	// length-delimited field and that of a varint or fixed-size one.
	num   protowire.Number
	typ   protowire.Type
	start int
	val   span
	x     uint64
	// bad is set when next stopped at bytes that are not a field record,
	// outOfRange when it read a field number above the valid ones.
	bad, outOfRange bool
}

// fieldsOf returns the fields of the message at m of b.
func fieldsOf(b []byte, m span) fields { return fields{b: b[:m.end], pos: m.off} }

// next reads the next field record, reporting false at the end of the
// message or at malformed bytes (bad is then set).
func (fs *fields) next() bool {
	if fs.pos >= len(fs.b) {
		return false
	}
	b := fs.b[fs.pos:]
	if t := b[0]; t&7 == byte(protowire.BytesType) && t >= 1<<3 && t < 0x80 {
		// The common record, read without the general decoding: a
		// length-delimited field numbered below 16, its tag one byte and
		// its length one or two (see shortRecord).
		if v, ok := shortRecord(fs.b, fs.pos, len(fs.b)); ok {
			fs.num, fs.typ, fs.start = protowire.Number(t>>3), protowire.BytesType, fs.pos
			fs.val = v
			fs.pos = v.end
			return true
		}
	}
	num, typ, n := protowire.ConsumeTag(b)
	if n < 0 {
		fs.bad = true
		return false
	}
	var m int
	switch typ {
	case protowire.BytesType:
		var v []byte
		v, m = protowire.ConsumeBytes(b[n:])
		fs.val = span{fs.pos + n + m - len(v), fs.pos + n + m}
	case protowire.VarintType:
		fs.x, m = protowire.ConsumeVarint(b[n:])
	case protowire.Fixed64Type:
		fs.x, m = protowire.ConsumeFixed64(b[n:])
	case protowire.Fixed32Type:
		var x uint32
		x, m = protowire.ConsumeFixed32(b[n:])
		fs.x = uint64(x)
	default:
		m = protowire.ConsumeFieldValue(num, typ, b[n:])
	}
	if m < 0 {
		fs.bad = true
		return false
	}
	if num > protowire.MaxValidNumber {
		fs.outOfRange = true
	}
	fs.num, fs.typ, fs.start = num, typ, fs.pos
	fs.pos += n + m
	return true
}

// bytes returns the value of the length-delimited field last read.
func (fs *fields) bytes() []byte { return fs.b[fs.val.off:fs.val.end:fs.val.end] }

// shortRecord reads the length-delimited record whose tag is at p of b, a
// message ending at end, when its length takes one or two bytes, as
// protobuf writes lengths below 16 KiB: ok is false for any other, and for
// one that runs past end.
func shortRecord(b []byte, p, end int) (val span, ok bool) {
	if p+2 > end {
		return span{}, false
	}
	n, q := int(b[p+1]), p+2
	if n >= 0x80 {
		if q >= end || b[q] >= 0x80 {
			return span{}, false
		}
		n = n&0x7f | int(b[q])<<7
		q++
	}
	if n > end-q {
		return span{}, false
	}
	return span{q, q + n}, true
}

// entryAtSight reads the map entry of a Struct at e of b as protobuf
// writes it, a key and then a value, each a short record (see
// shortRecord): ok is false for an entry written otherwise, which is read
// by its fields.
func entryAtSight(b []byte, e span) (key, val span, ok bool) {
	if e.end-e.off < 4 || b[e.off] != entryKeyTag {
		return span{}, span{}, false
	}
	if key, ok = shortRecord(b, e.off, e.end); !ok || key.end >= e.end || b[key.end] != entryValueTag {
		return span{}, span{}, false
	}
	val, ok = shortRecord(b, key.end, e.end)
	return key, val, ok && val.end == e.end
}

// valueAtSight reads the google.protobuf.Value at v of b when it is
// written as protobuf writes it: no field (a Value of no kind, tag 0), or
// one field whose tag takes a byte, a null or a bool whose varint takes a
// byte, a number, or a string, Struct or ListValue in a short record. It
// returns the field's tag and the bytes of its value; ok is false for a
// Value written otherwise, which is read by its fields.
func valueAtSight(b []byte, v span) (tag byte, val span, ok bool) {
	n := v.end - v.off
	if n == 0 {
		return 0, v, true
	}
	switch tag = b[v.off]; tag {
	case valueNullTag, valueBoolTag:
		return tag, span{v.off + 1, v.end}, n == 2 && b[v.off+1] < 0x80
	case valueNumberTag:
		return tag, span{v.off + 1, v.end}, n == 9
	case valueStringTag, valueStructTag, valueListTag:
		val, ok = shortRecord(b, v.off, v.end)
		return tag, val, ok && val.end == v.end
	}
	return 0, span{}, false
}
