package jsvalue

import (
	"reflect"
	"strings"
	"testing"
)

// buildIn builds, in s, an object of every kind of member, one nested
// object with more members than it had room for, one with more room than
// a chunk of members holds, a number and a member of a parsed document.
func buildIn(t *testing.T, s *Scratch, round int) Value {
	t.Helper()
	doc, err := Parse([]byte(`{"a":[1,{"b":"c"}],"n":2.5}`))
	if err != nil {
		t.Fatal(err)
	}
	o := s.NewObject(3)
	o.Set("type", String("person"))
	o.Set("round", s.Int(int64(round)*1_000_000_007))
	inner := s.NewObject(1)
	for i := range 5 {
		inner.Set(strings.Repeat("k", i+1), Bool(i%2 == 0))
	}
	o.Set("inner", inner)
	wide := s.NewObject(scratchMembers + 1)
	wide.Set("x", Null())
	o.Set("wide", wide)
	o.Set("empty", s.NewObject(0))
	o.Set("parsed", doc)
	return o
}

// TestScratchBuildsAsNewObject checks that objects and numbers built in a
// Scratch encode as those built without one, round after round of Reset,
// and that a nil Scratch builds as NewObject does.
func TestScratchBuildsAsNewObject(t *testing.T) {
	var s Scratch
	for round := range 4 {
		want := string(buildIn(t, nil, round).AppendJSON(nil))
		var got []string
		// Several objects per round, so that later ones are built in
		// storage lent before.
		for range 20 {
			got = append(got, string(buildIn(t, &s, round).AppendJSON(nil)))
		}
		for i, g := range got {
			if g != want {
				t.Fatalf("round %d, object %d built in the scratch:\n%s\nwithout:\n%s", round, i, g, want)
			}
		}
		s.Reset()
	}
}

// TestScratchResetLendsAgain checks that Reset lends the same storage
// again, keeps at most maxKeptScratch chunks of each kind, and leaves no
// pointer in what it keeps.
func TestScratchResetLendsAgain(t *testing.T) {
	var s Scratch
	first := s.NewObject(2)
	first.Set("a", String("b"))
	s.Reset()
	if again := s.NewObject(2); again.c != first.c {
		t.Fatal("Reset does not lend the first container again")
	}
	s.Reset()
	for range 10 * scratchContainers {
		o := s.NewObject(4)
		o.Set("k", String("v"))
		o.Set("n", s.Int(123456789))
	}
	if len(s.containers.Chunks()) <= maxKeptScratch || len(s.members.Chunks()) <= maxKeptScratch {
		t.Fatalf("%d and %d chunks: the test needs more than Reset keeps", len(s.containers.Chunks()), len(s.members.Chunks()))
	}
	s.Reset()
	if len(s.containers.Chunks()) > maxKeptScratch || len(s.members.Chunks()) > maxKeptScratch || len(s.texts.Chunks()) > maxKeptScratch {
		t.Fatalf("Reset keeps %d, %d and %d chunks, want at most %d of each", len(s.containers.Chunks()), len(s.members.Chunks()), len(s.texts.Chunks()), maxKeptScratch)
	}
	for _, c := range s.containers.Chunks() {
		for i := range c {
			if !reflect.ValueOf(c[i]).IsZero() {
				t.Fatal("a container still holds its storage after Reset")
			}
		}
	}
	for _, c := range s.members.Chunks() {
		for i := range c {
			if c[i] != (Member{}) {
				t.Fatalf("a member still holds %q after Reset", c[i].Key)
			}
		}
	}
}
