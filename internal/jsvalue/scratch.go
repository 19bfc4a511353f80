package jsvalue

import (
	"strconv"
	"unsafe"

	"github.com/cio-transformer/cio-transformer/internal/slab"
)

// A Scratch stores objects built in Go that are needed for a short while
// and then all given up at once, such as the objects built while one event
// is mapped, which are written out as JSON before the mapping returns. It
// lends their storage again after Reset, so that building them allocates
// nothing once the scratch has grown. A Scratch is for one goroutine at a
// time; its zero value is ready to use, and a nil *Scratch builds objects
// as NewObject does.
type Scratch struct {
	containers slab.Slab[builtContainer]
	members    slab.Slab[Member]
	texts      slab.Slab[byte]
}

const (
	// scratchContainers and scratchMembers are how many containers and
	// members one allocation of a Scratch holds. An object with room for
	// more members than a chunk holds has its members apart.
	scratchContainers = 32
	scratchMembers    = 128
	// scratchText is the size of one chunk of the text of numbers.
	scratchText = 1 << 10
	// maxKeptScratch bounds the chunks of each kind Reset keeps, so that
	// one huge event does not pin its storage for good.
	maxKeptScratch = 4
)

// NewObject returns an empty object with room for n members, as NewObject
// does, stored in s: it is valid until s's next Reset. Members added past
// n are stored apart.
func (s *Scratch) NewObject(n int) Value {
	if s == nil {
		return NewObject(n)
	}
	b := &s.containers.Take(1, scratchContainers)[0]
	b.c.storage = &b.s
	switch {
	case n > scratchMembers:
		b.s.members = make([]Member, 0, n)
	case n > 0:
		b.s.members = s.members.Take(n, scratchMembers)[:0]
	}
	return Value{kind: KindObject, c: &b.c}
}

// Int returns a number Value for i, as Int does, its text stored in s: it
// is valid until s's next Reset.
func (s *Scratch) Int(i int64) Value {
	if s == nil {
		return Int(i)
	}
	var buf [20]byte
	digits := strconv.AppendInt(buf[:0], i, 10)
	t := s.texts.Take(len(digits), scratchText)
	copy(t, digits)
	return Value{kind: KindNumber, s: unsafe.String(&t[0], len(t))}
}

// Reset makes every object and number built in s since the last Reset
// invalid, and lends their storage to those built next. Nothing they held
// is kept alive by s afterwards.
func (s *Scratch) Reset() {
	s.containers.Reset(maxKeptScratch)
	s.members.Reset(maxKeptScratch)
	s.texts.Rewind(maxKeptScratch)
}
