package server

import (
	"bytes"
	"testing"

	"google.golang.org/protobuf/encoding/protowire"
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
