package jsvalue

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestDuplicateKeys checks duplicate-key detection against a plain
// oracle on objects of every size around the switch from filter to hash
// table, with keys the filter cannot tell apart, and members whose values
// are containers, large objects among them, that the scan of earlier keys
// steps over.
func TestDuplicateKeys(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	keyStyles := map[string]func(i int) string{
		"distinct":  func(i int) string { return "k" + strconv.Itoa(i) },
		"colliding": func(i int) string { return fmt.Sprintf("a%03dyz", i) }, // one length, first and last two bytes
	}
	for style, keyOf := range keyStyles {
		for n := 1; n <= 2*bloomKeys+6; n++ {
			for _, dup := range []bool{false, true} {
				keys := make([]string, n)
				for i := range keys {
					keys[i] = keyOf(i)
				}
				if dup && n > 1 {
					keys[1+rng.IntN(n-1)] = keys[rng.IntN(n-1)]
				}
				var b strings.Builder
				b.WriteString("{")
				var wantKeys []string
				wantVals := map[string]string{}
				for i, k := range keys {
					if i > 0 {
						b.WriteString(",")
					}
					val := strconv.Itoa(i)
					switch i % 4 {
					case 1:
						val = `[` + val + `,{"x":1}]`
					case 2:
						val = innerObject(i%3*bloomKeys, i)
					}
					b.WriteString(`"` + k + `":` + val)
					if _, ok := wantVals[k]; !ok {
						wantKeys = append(wantKeys, k)
					}
					wantVals[k] = val
				}
				b.WriteString("}")
				text := b.String()
				name := fmt.Sprintf("%s/%d/dup=%v", style, n, dup)
				v, err := Parse([]byte(text))
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				if got := v.c.info().flags&duplicated != 0; got != (len(wantKeys) < n) {
					t.Errorf("%s: duplicated flag %v, want %v", name, got, !got)
				}
				var gotKeys []string
				for _, m := range v.Members() {
					gotKeys = append(gotKeys, m.Key)
					if got := string(m.Value.AppendJSON(nil)); got != wantVals[m.Key] {
						t.Errorf("%s: %s = %s, want %s", name, m.Key, got, wantVals[m.Key])
					}
				}
				if !slices.Equal(gotKeys, wantKeys) {
					t.Errorf("%s: keys %v, want %v", name, gotKeys, wantKeys)
				}
			}
		}
	}
}

// innerObject returns an object of n+1 distinct keys: when n is large,
// its own keys and table sit above its parent's while it is indexed.
func innerObject(n, seed int) string {
	var b strings.Builder
	b.WriteString(`{"s":` + strconv.Itoa(seed))
	for i := range n {
		b.WriteString(`,"i` + strconv.Itoa(i) + `":` + strconv.Itoa(i))
	}
	b.WriteString("}")
	return b.String()
}

// TestBloomTellsNumberedKeysApart checks that the filter of small objects
// tells apart keys that differ only in their last digits, as numbered
// keys do ("k12", "k22"): each one it cannot costs a scan of the earlier
// keys.
func TestBloomTellsNumberedKeysApart(t *testing.T) {
	t.Parallel()
	for _, format := range []string{"k%d", "item_%d", "%d"} {
		var d dedup
		hits := 0
		for i := range bloomKeys {
			src := `"` + fmt.Sprintf(format, i) + `"`
			if d.mayHave(bloomHash(src, 0, len(src))) {
				hits++
			}
		}
		if hits > bloomKeys/4 {
			t.Errorf("%q: %d of %d keys are not told from the earlier ones", format, hits, bloomKeys)
		}
	}
}

// TestBloomHashReadsTheKeyAlone checks that equal keys hash alike whatever
// comes before them, the empty and one-byte keys above all, whose
// second-to-last byte is a quote: a hash that read the byte before the key
// missed {"":"","":{}}'s duplicate.
func TestBloomHashReadsTheKeyAlone(t *testing.T) {
	t.Parallel()
	for _, key := range []string{``, `a`, `ab`, `k12`} {
		quoted := `"` + key + `"`
		var hashes []uint32
		for _, before := range []string{``, `{`, `,`, `x`, `"`} {
			src := before + quoted
			hashes = append(hashes, bloomHash(src, len(before), len(src)))
		}
		for _, h := range hashes[1:] {
			if h != hashes[0] {
				t.Errorf("key %q: hashes %v differ with what comes before it", key, hashes)
				break
			}
		}
	}
}
