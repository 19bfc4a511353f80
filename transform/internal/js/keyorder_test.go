package js

import (
	"testing"

	"github.com/cio-transformer/cio-transformer/internal/jsvalue"
)

// TestKeyOrderIndexKeys checks IndexTally against KeyOrder: when the index
// keys are ascending, KeyOrder lists them as the object holds them, then
// the others.
func TestKeyOrderIndexKeys(t *testing.T) {
	for _, tc := range []struct {
		obj       string
		indexes   int
		ascending bool
	}{
		{`{}`, 0, true},
		{`{"a":1,"b":2}`, 0, true},
		{`{"a":1,"0":2,"b":3,"2":4}`, 2, true},
		{`{"2":1,"0":2}`, 2, false},
		{`{"01":1,"1":2,"-1":3,"4294967295":4}`, 1, true},
		{`{"1":1,"a":2,"1.5":3,"3":4}`, 2, true},
	} {
		v, err := jsvalue.Parse([]byte(tc.obj))
		if err != nil {
			t.Fatal(err)
		}
		var tally IndexTally
		for k := range v.All() {
			tally.Note(k)
		}
		n, asc := tally.Indexes(), tally.Ascending()
		if n != tc.indexes || asc != tc.ascending {
			t.Errorf("IndexTally of %s = %d, %v, want %d, %v", tc.obj, n, asc, tc.indexes, tc.ascending)
		}
		if !asc {
			continue
		}
		var want, got []string
		for _, m := range KeyOrder(v.Members()) {
			want = append(want, m.Key)
		}
		for k := range v.All() {
			if _, ok := jsvalue.ArrayIndex(k); ok {
				got = append(got, k)
			}
		}
		for k := range v.All() {
			if _, ok := jsvalue.ArrayIndex(k); !ok {
				got = append(got, k)
			}
		}
		if len(got) != len(want) {
			t.Fatalf("%s: index keys then others %v, KeyOrder %v", tc.obj, got, want)
		}
		for i := range got {
			if got[i] != want[i] {
				t.Errorf("%s: index keys then others %v, KeyOrder %v", tc.obj, got, want)
				break
			}
		}
	}
}
