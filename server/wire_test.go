package server

import (
	"bytes"
	"testing"
	"unicode/utf8"

	ciotransformerv1 "github.com/cio-transformer/cio-transformer/gen/ciotransformer/v1"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
)

// TestValidUTF8 checks validUTF8 against utf8.Valid for every byte at
// every place of texts of every length up to three words.
func TestValidUTF8(t *testing.T) {
	t.Parallel()
	for n := 0; n <= 24; n++ {
		base := bytes.Repeat([]byte("a"), n)
		if !validUTF8(base) {
			t.Fatalf("validUTF8(%q) = false", base)
		}
		for i := range n {
			for c := 0x70; c < 0x100; c++ {
				b := bytes.Clone(base)
				b[i] = byte(c)
				if got, want := validUTF8(b), utf8.Valid(b); got != want {
					t.Fatalf("validUTF8(%x) = %v, want %v", b, got, want)
				}
				if i+2 < n {
					copy(b[i:], "é")
					if got, want := validUTF8(b), utf8.Valid(b); got != want {
						t.Fatalf("validUTF8(%x) = %v, want %v", b, got, want)
					}
				}
			}
		}
	}
}

// TestShortASCII checks shortASCII for every byte at every place of texts
// up to a word and a half long, followed by 0 to 8 bytes that are not
// ASCII: it tells a text of a word or less that is ASCII, with a word of
// its message to read, and no other.
func TestShortASCII(t *testing.T) {
	t.Parallel()
	for n := 0; n <= 12; n++ {
		for tail := 0; tail <= 8; tail++ {
			for i := -1; i < n; i++ {
				for c := 0x70; c < 0x100; c++ {
					if i < 0 && c > 0x70 {
						break
					}
					b := append(append([]byte("\x0a\x05"), bytes.Repeat([]byte("a"), n)...), bytes.Repeat([]byte{0xff}, tail)...)
					if i >= 0 {
						b[2+i] = byte(c)
					}
					s := span{2, 2 + n}
					ascii := i < 0 || c < 0x80
					want := n <= 8 && 2+8 <= len(b) && ascii
					if got := shortASCII(b, s); got != want {
						t.Fatalf("shortASCII(%x, %v) = %v, want %v", b, s, got, want)
					}
				}
			}
		}
	}
}

// TestWalkDoubtsWhatProtobufRefuses changes the bytes of request messages
// that hold typed events, one byte at a time, and checks that the walk
// doubts every message protobuf's decoding refuses: a message the walk
// does not doubt is built from it without protobuf, which must never
// accept what protobuf refuses.
func TestWalkDoubtsWhatProtobufRefuses(t *testing.T) {
	t.Parallel()
	jobWire := func(id uint64, event []byte) []byte {
		b, err := proto.Marshal(&ciotransformerv1.Job{JobId: id, Metadata: benchMetadata(t, int(id))})
		if err != nil {
			t.Fatal(err)
		}
		b = protowire.AppendTag(b, 3, protowire.BytesType) // Job.event
		return protowire.AppendBytes(b, event)
	}
	dest, err := proto.Marshal(testDestination)
	if err != nil {
		t.Fatal(err)
	}
	field := func(b []byte, num protowire.Number, v []byte) []byte {
		return protowire.AppendBytes(protowire.AppendTag(b, num, protowire.BytesType), v)
	}
	type request struct {
		b   []byte
		new func() proto.Message
	}
	var reqs []request
	events := append(typedMix(t, 6), eventEdges(t)...)
	for i, ev := range events {
		if len(ev) > 2048 {
			// The wide Struct reads as the others do, at a cost.
			continue
		}
		reqs = append(reqs, request{field(field(nil, 1, dest), 2, jobWire(uint64(i+1), ev)),
			func() proto.Message { return new(ciotransformerv1.TransformRequest) }})
	}
	batch := field(field(protowire.AppendVarint(protowire.AppendTag(nil, 1, protowire.VarintType), 7), 2, dest), 3, jobWire(1, events[0]))
	reqs = append(reqs, request{field(batch, 3, jobWire(2, events[1])),
		func() proto.Message { return new(ciotransformerv1.TransformBatchRequest) }})

	refused := 0
	check := func(r request, b []byte) {
		m := r.new()
		md := m.ProtoReflect().Descriptor()
		shape := requestShapes[md.FullName()]
		w := wireWalk{capture: true, destField: shape.destField, jobField: shape.jobField, maxParts: DefaultMaxJobsPerRequest}
		w.message(b, wireTypeOf(md), 0)
		if err := proto.Unmarshal(b, m); err != nil {
			refused++
			if !w.suspect {
				t.Errorf("the walk does not doubt %x, which protobuf refuses: %v", b, err)
			}
		}
	}
	for _, r := range reqs {
		check(r, r.b)
		if t.Failed() {
			t.Fatal("a valid request is refused")
		}
		b := make([]byte, len(r.b))
		for i, c := range r.b {
			for _, x := range []byte{0, 0x7f, 0x80, 0xc0, 0xff, c ^ 1, c + 1, c - 1, c ^ 0x80} {
				copy(b, r.b)
				b[i] = x
				check(r, b)
			}
			// The byte removed.
			check(r, append(append(b[:0], r.b[:i]...), r.b[i+1:]...))
		}
	}
	if refused == 0 {
		t.Fatal("protobuf refused none of the changed messages")
	}
	t.Logf("%d changed messages refused by protobuf", refused)
}
