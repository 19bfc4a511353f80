package server

import (
	"bytes"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// TestKeyPrefixAt checks keyPrefixAt against keyPrefix for keys of every
// length up to a word and a half, every byte at every place, followed by
// 0 to 8 bytes of their message.
func TestKeyPrefixAt(t *testing.T) {
	t.Parallel()
	for n := 0; n <= 12; n++ {
		for tail := 0; tail <= 8; tail++ {
			for i := -1; i < n; i++ {
				for _, c := range []byte{0, 1, 'a', 0x7f, 0x80, 0xff} {
					b := append(append([]byte{0x0a, byte(n)}, bytes.Repeat([]byte("k"), n)...), bytes.Repeat([]byte{0xff}, tail)...)
					if i >= 0 {
						b[2+i] = c
					}
					k := span{2, 2 + n}
					if got, want := keyPrefixAt(b, k), keyPrefix(b[k.off:k.end]); got != want {
						t.Fatalf("keyPrefixAt(%x, %v) = %016x, want %016x", b, k, got, want)
					}
				}
			}
		}
	}
}

// TestInKeyOrder checks memberOrder.inKeyOrder against slices.Sort of the
// keys: members in key order, of a key given again the last, for Structs of
// every size the sort takes a path for (by insertion, by comparison, by
// radix), with keys that share prefixes, differ past their first word or
// only by a trailing zero byte, given in random order, in order and in
// reverse, and each once, in order and in random order.
func TestInKeyOrder(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []string{"", "a", "a\x00", "b", "é", "\xff", "abcdefgh", "abcdefghi", "abcdefgh\x00", "abcdefgz", "k1", "k10", "k2", "context", "contexts"}
	for _, size := range []int{0, 1, 2, 3, comparedMembers, comparedMembers + 1, 50, radixMembers - 1, radixMembers, 600} {
		for round := range 8 {
			keys := make([]string, size)
			for i := range keys {
				switch rng.IntN(3) {
				case 0:
					keys[i] = alphabet[rng.IntN(len(alphabet))]
				case 1:
					keys[i] = "key-" + strings.Repeat("x", rng.IntN(6)) + string(rune('a'+rng.IntN(26)))
				default:
					keys[i] = string(rune('a'+rng.IntN(4))) + string(rune('a'+rng.IntN(4)))
				}
			}
			switch round {
			case 1:
				slices.Sort(keys)
			case 2:
				slices.Sort(keys)
				slices.Reverse(keys)
			case 3:
				// Each key once, in order.
				slices.Sort(keys)
				keys = slices.Compact(keys)
			case 4:
				// Each key once, in random order.
				slices.Sort(keys)
				keys = slices.Compact(keys)
				rng.Shuffle(len(keys), func(i, j int) { keys[i], keys[j] = keys[j], keys[i] })
			}
			// The keys as a message holds them, each after a tag and a
			// length.
			var msg []byte
			members := make([]structMember, len(keys))
			refs := make([]memberRef, len(keys))
			for i, k := range keys {
				msg = append(msg, entryKeyTag, byte(len(k)))
				s := span{len(msg), len(msg) + len(k)}
				msg = append(msg, k...)
				members[i] = soleMember(s, s)
			}
			for i := range members {
				refs[i] = memberRef{prefix: keyPrefixAt(msg, span{int(members[i].key.off), int(members[i].key.end)}), place: int32(i)}
			}
			sorted := slices.Clone(keys)
			slices.Sort(sorted)
			sorted = slices.Compact(sorted)
			last := map[string]int32{}
			for i, k := range keys {
				last[k] = int32(i)
			}
			var want []int32
			for _, k := range sorted {
				want = append(want, last[k])
			}
			var got []int32
			for _, r := range (memberOrder{members, msg}).inKeyOrder(refs) {
				got = append(got, r.place)
			}
			if !slices.Equal(got, want) {
				t.Fatalf("size %d, round %d: inKeyOrder places %v, want %v", size, round, got, want)
			}
		}
	}
}
