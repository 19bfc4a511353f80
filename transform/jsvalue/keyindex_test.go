package jsvalue

import (
	"slices"
	"strconv"
	"sync"
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
			o.Object().Members = append(o.Object().Members, Member{Key: "direct", Value: Null()})
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

// TestLargeObjectConcurrentGet reads one large parsed object from several
// goroutines, which index it on first use (run with -race).
func TestLargeObjectConcurrentGet(t *testing.T) {
	t.Parallel()
	text := `{`
	for i := range 100 {
		if i > 0 {
			text += ","
		}
		text += `"k` + strconv.Itoa(i) + `":` + strconv.Itoa(i)
	}
	v, err := Parse([]byte(text + `}`))
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for i := range 100 {
				if got := v.Get("k" + strconv.Itoa(i)).NumberText(); got != strconv.Itoa(i) {
					t.Errorf("Get(k%d) = %s", i, got)
				}
			}
		})
	}
	wg.Wait()
}
