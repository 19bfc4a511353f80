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
