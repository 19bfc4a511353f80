package server

import (
	"bytes"
	"testing"

	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/structpb"
)

// fieldRecord is what fields reports of one record.
type fieldRecord struct {
	num        protowire.Number
	typ        protowire.Type
	start, end int
	val        []byte
	x          uint64
}

// protowireRecords reads the records of b[off:] as protowire does, and
// whether it met malformed bytes.
func protowireRecords(b []byte, off int) (recs []fieldRecord, bad bool) {
	for pos := off; pos < len(b); {
		num, typ, n := protowire.ConsumeTag(b[pos:])
		if n < 0 {
			return recs, true
		}
		m := protowire.ConsumeFieldValue(num, typ, b[pos+n:])
		if m < 0 {
			return recs, true
		}
		r := fieldRecord{num: num, typ: typ, start: pos, end: pos + n + m}
		switch typ {
		case protowire.BytesType:
			r.val, _ = protowire.ConsumeBytes(b[pos+n:])
		case protowire.VarintType:
			r.x, _ = protowire.ConsumeVarint(b[pos+n:])
		case protowire.Fixed64Type:
			r.x, _ = protowire.ConsumeFixed64(b[pos+n:])
		case protowire.Fixed32Type:
			x, _ := protowire.ConsumeFixed32(b[pos+n:])
			r.x = uint64(x)
		}
		recs = append(recs, r)
		pos += n + m
	}
	return recs, false
}

// TestFields reads messages whose records take every path of next, and
// every truncation of them, as protowire reads them.
func TestFields(t *testing.T) {
	t.Parallel()
	var msg []byte
	msg = protowire.AppendTag(msg, 1, protowire.BytesType) // one-byte tag and length
	msg = protowire.AppendBytes(msg, []byte("short"))
	msg = protowire.AppendTag(msg, 2, protowire.BytesType) // two-byte length
	msg = protowire.AppendBytes(msg, bytes.Repeat([]byte("x"), 200))
	msg = protowire.AppendTag(msg, 300, protowire.BytesType) // two-byte tag
	msg = protowire.AppendBytes(msg, []byte("far"))
	msg = protowire.AppendTag(msg, 3, protowire.VarintType)
	msg = protowire.AppendVarint(msg, 1<<40)
	msg = protowire.AppendTag(msg, 4, protowire.Fixed64Type)
	msg = protowire.AppendFixed64(msg, 0x0102030405060708)
	msg = protowire.AppendTag(msg, 5, protowire.Fixed32Type)
	msg = protowire.AppendFixed32(msg, 0x01020304)
	msg = protowire.AppendTag(msg, 6, protowire.StartGroupType)
	msg = protowire.AppendTag(msg, 1, protowire.VarintType)
	msg = protowire.AppendVarint(msg, 7)
	msg = protowire.AppendTag(msg, 6, protowire.EndGroupType)
	msg = protowire.AppendTag(msg, 7, protowire.BytesType) // empty value
	msg = protowire.AppendBytes(msg, nil)
	msg = protowire.AppendTag(msg, protowire.MaxValidNumber+1, protowire.VarintType)
	msg = protowire.AppendVarint(msg, 1)
	inputs := [][]byte{
		{0x02, 0x00},       // field number 0
		{0x0a, 0x05, 'a'},  // value past the end
		{0x0c},             // end of a group never started
		{0x0a, 0x80},       // length cut short
		{0x0f, 0x00, 0x00}, // wire type 7
	}
	for n := 0; n <= len(msg); n++ {
		inputs = append(inputs, msg[:n])
	}
	for _, b := range inputs {
		for _, off := range []int{0, min(2, len(b))} {
			want, wantBad := protowireRecords(b, off)
			var got []fieldRecord
			fs := fields{b: b, pos: off}
			for fs.next() {
				r := fieldRecord{num: fs.num, typ: fs.typ, start: fs.start, end: fs.pos}
				switch fs.typ {
				case protowire.BytesType:
					r.val = fs.bytes()
				case protowire.VarintType, protowire.Fixed64Type, protowire.Fixed32Type:
					r.x = fs.x
				}
				got = append(got, r)
			}
			if fs.bad != wantBad || len(got) != len(want) {
				t.Errorf("%x from %d: %d records, bad %v; want %d, %v", b, off, len(got), fs.bad, len(want), wantBad)
				continue
			}
			outOfRange := false
			for i := range want {
				g, w := got[i], want[i]
				if g.num != w.num || g.typ != w.typ || g.start != w.start || g.end != w.end || !bytes.Equal(g.val, w.val) || g.x != w.x {
					t.Errorf("%x from %d: record %d is %+v, want %+v", b, off, i, g, w)
				}
				outOfRange = outOfRange || w.num > protowire.MaxValidNumber
			}
			if fs.outOfRange != outOfRange {
				t.Errorf("%x from %d: outOfRange %v, want %v", b, off, fs.outOfRange, outOfRange)
			}
		}
	}
}

// TestAtSight reads Struct entries and Values written in every way, and
// every truncation of them, with entryAtSight and valueAtSight: what they
// read at sight must be what protowire reads, and they must read at sight
// what protobuf writes.
func TestAtSight(t *testing.T) {
	t.Parallel()
	field := func(num protowire.Number, v []byte) []byte {
		return protowire.AppendBytes(protowire.AppendTag(nil, num, protowire.BytesType), v)
	}
	varint := func(num protowire.Number, x uint64) []byte {
		return protowire.AppendVarint(protowire.AppendTag(nil, num, protowire.VarintType), x)
	}
	long := bytes.Repeat([]byte("y"), 300)
	values := [][]byte{
		nil,
		varint(1, 0), varint(4, 1), varint(4, 300), varint(20, 1),
		protowire.AppendFixed64(protowire.AppendTag(nil, 2, protowire.Fixed64Type), 0x3ff0000000000000),
		protowire.AppendFixed32(protowire.AppendTag(nil, 2, protowire.Fixed32Type), 1),
		field(3, []byte("text")), field(3, long), field(3, bytes.Repeat([]byte("z"), 20000)), field(3, nil),
		field(5, field(1, field(1, []byte("k")))), field(6, field(1, nil)), field(7, []byte("x")), field(1, nil),
		append(field(3, []byte("a")), varint(4, 1)...), append(varint(1, 0), field(3, []byte("b"))...),
		{0x1a, 0x80, 0x01}, {0x1a, 0x05, 'a'}, {0x0a}, {0xff, 0x01},
	}
	var entries [][]byte
	for _, v := range values {
		entries = append(entries,
			append(field(1, []byte("key")), field(2, v)...),
			append(field(2, v), field(1, []byte("key"))...),
			append(field(1, long), field(2, v)...),
			field(2, v),
			append(append(field(1, []byte("k")), field(2, v)...), field(2, v)...),
		)
	}
	entries = append(entries, field(1, []byte("key")), nil, []byte{0x0a, 0x03, 'k', 'e', 'y', 0x12})
	cuts := func(bs [][]byte) (all [][]byte) {
		for _, b := range bs {
			if len(b) > 1<<10 {
				// Long records are cut at their ends only.
				all = append(all, b, b[:len(b)-1], b[:3])
				continue
			}
			for n := 0; n <= len(b); n++ {
				all = append(all, b[:n])
			}
		}
		return all
	}
	for _, v := range cuts(values) {
		// Put the value past the start of a larger buffer, as it lies in
		// a message.
		b := append([]byte{0xee, 0xee}, v...)
		tag, val, ok := valueAtSight(b, span{2, len(b)})
		recs, bad := protowireRecords(b, 2)
		if !ok {
			continue
		}
		switch {
		case bad:
			t.Errorf("valueAtSight(%x) reads malformed bytes", v)
		case len(v) == 0:
			if tag != 0 {
				t.Errorf("valueAtSight(%x) = tag %x", v, tag)
			}
		case len(recs) != 1 || recs[0].start != 2 || recs[0].end != len(b) || byte(recs[0].num)<<3|byte(recs[0].typ) != tag:
			t.Errorf("valueAtSight(%x) = tag %x, not its one field", v, tag)
		case recs[0].typ == protowire.BytesType && !bytes.Equal(b[val.off:val.end], recs[0].val):
			t.Errorf("valueAtSight(%x) = value %x, want %x", v, b[val.off:val.end], recs[0].val)
		}
	}
	for _, e := range cuts(entries) {
		b := append([]byte{0xee}, e...)
		key, val, ok := entryAtSight(b, span{1, len(b)})
		recs, bad := protowireRecords(b, 1)
		if !ok {
			if !bad && len(recs) == 2 && recs[0].num == 1 && recs[1].num == 2 && len(recs[0].val) < 1<<14 && len(recs[1].val) < 1<<14 &&
				recs[0].typ == protowire.BytesType && recs[1].typ == protowire.BytesType {
				t.Errorf("entryAtSight(%x) does not read an entry as protobuf writes it", e)
			}
			continue
		}
		if bad || len(recs) != 2 || recs[0].num != 1 || recs[1].num != 2 || recs[0].typ != protowire.BytesType || recs[1].typ != protowire.BytesType ||
			!bytes.Equal(b[key.off:key.end], recs[0].val) || !bytes.Equal(b[val.off:val.end], recs[1].val) {
			t.Errorf("entryAtSight(%x) = %x, %x; protowire reads %+v", e, b[key.off:key.end], b[val.off:val.end], recs)
		}
	}
	// What protobuf writes is read at sight.
	for _, v := range []*structpb.Value{
		structpb.NewNullValue(), structpb.NewBoolValue(true), structpb.NewNumberValue(1.5), structpb.NewStringValue("s"),
		structpb.NewStructValue(&structpb.Struct{}), structpb.NewListValue(&structpb.ListValue{}), {},
	} {
		b, err := proto.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, ok := valueAtSight(b, span{0, len(b)}); !ok {
			t.Errorf("valueAtSight does not read %x, %v as protobuf writes it", b, v)
		}
	}
}
