package jsvalue

import (
	"slices"
	"strconv"
	"testing"
)

// TestLargeObjectOperations checks that an object past indexMin behaves as
// a small one does: insertion order, replacement in place, deletion, a
// deleted key added again at the end, and members appended directly.
func TestLargeObjectOperations(t *testing.T) {
	t.Parallel()
	for _, n := range []int{3, indexMin + 1, 200} {
		t.Run(strconv.Itoa(n), func(t *testing.T) {
			t.Parallel()
			o := NewObject(0)
			var want []string
			for i := range n {
				o.Set("k"+strconv.Itoa(i), Int(int64(i)))
				want = append(want, "k"+strconv.Itoa(i))
			}
			// Searched often enough to be indexed.
			for i := range n {
				if got := o.Get("k" + strconv.Itoa(i)); got.NumberText() != strconv.Itoa(i) {
					t.Fatalf("Get(k%d) = %v", i, got)
				}
			}
			o.Set("k1", String("one"))
			o.Delete("k0")
			o.Delete("missing")
			o.Set("k0", Bool(true))
			want = append(want[1:], "k0")
			o.c.members = append(o.c.members, Member{Key: "direct", Value: Null()})
			want = append(want, "direct")
			if got := o.Get("direct"); !got.IsNull() {
				t.Errorf("Get(direct) = %v, want null", got)
			}
			o.Set("direct", Int(7))
			if got := o.Get("k1").Str(); got != "one" {
				t.Errorf("Get(k1) = %q, want one", got)
			}
			if o.Get("k0").Bool() != true || o.Len() != len(want) {
				t.Errorf("k0 = %v, Len = %d, want true and %d", o.Get("k0"), o.Len(), len(want))
			}
			var got []string
			for k := range o.All() {
				got = append(got, k)
			}
			if !slices.Equal(got, want) {
				t.Errorf("keys %v, want %v", got, want)
			}
			// Deleting most keys compacts the members.
			for _, k := range want[:len(want)-2] {
				o.Delete(k)
			}
			if ms := o.Members(); len(ms) != 2 || ms[0].Key != want[len(want)-2] || ms[1].Key != "direct" {
				t.Errorf("members after deletes: %v", ms)
			}
			if got, wantJSON := string(o.AppendJSON(nil)), `{"`+want[len(want)-2]+`":`+string(o.Get(want[len(want)-2]).AppendJSON(nil))+`,"direct":7}`; got != wantJSON {
				t.Errorf("JSON %s, want %s", got, wantJSON)
			}
		})
	}
}

// FuzzObjectOperations applies a sequence of Set, Add, Delete, Get and
// direct appends to an object and to a plain slice of members searched
// linearly, and checks that they always hold the same members in the same
// order, whether the object is indexed or not.
func FuzzObjectOperations(f *testing.F) {
	f.Add([]byte{0, 1, 0, 2, 3, 1, 2, 2, 0, 1, 4, 5})
	seed := make([]byte, 0, 600)
	for i := range 200 {
		seed = append(seed, byte(i%3), byte(i))
	}
	f.Add(seed)
	f.Fuzz(func(t *testing.T, ops []byte) {
		o := NewObject(0)
		var ref []Member
		find := func(key string) int {
			for i := range ref {
				if ref[i].Key == key {
					return i
				}
			}
			return -1
		}
		for i := 0; i+1 < len(ops); i += 2 {
			key := "k" + strconv.Itoa(int(ops[i+1]%64))
			val := Int(int64(i))
			switch ops[i] % 5 {
			case 0: // Set
				o.Set(key, val)
				if j := find(key); j >= 0 {
					ref[j].Value = val
				} else {
					ref = append(ref, Member{Key: key, Value: val})
				}
			case 1: // Delete
				o.Delete(key)
				if j := find(key); j >= 0 {
					ref = append(ref[:j], ref[j+1:]...)
				}
			case 2: // Get
				want := Value{}
				if j := find(key); j >= 0 {
					want = ref[j].Value
				}
				if got := o.Get(key); got.NumberText() != want.NumberText() || got.Kind() != want.Kind() {
					t.Fatalf("op %d: Get(%s) = %v, want %v", i, key, got, want)
				}
			case 3: // Add, of a key the object lacks
				if find(key) < 0 {
					o.Add(key, val)
					ref = append(ref, Member{Key: key, Value: val})
				}
			case 4: // appended directly
				if find(key) < 0 {
					o.c.members = append(o.c.members, Member{Key: key, Value: val})
					ref = append(ref, Member{Key: key, Value: val})
				}
			}
			if o.Len() != len(ref) {
				t.Fatalf("op %d: Len %d, want %d", i, o.Len(), len(ref))
			}
		}
		want := Value{kind: KindObject, c: newContainer(storage{members: ref})}
		if got, want := string(o.AppendJSON(nil)), string(want.AppendJSON(nil)); got != want {
			t.Fatalf("object %s, want %s", got, want)
		}
		ms := o.Members()
		if len(ms) != len(ref) {
			t.Fatalf("%d members, want %d", len(ms), len(ref))
		}
		for i := range ms {
			if ms[i].Key != ref[i].Key || ms[i].Value.NumberText() != ref[i].Value.NumberText() {
				t.Fatalf("member %d = %v, want %v", i, ms[i], ref[i])
			}
		}
	})
}
