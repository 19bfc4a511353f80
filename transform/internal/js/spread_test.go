package js

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/cio-transformer/cio-transformer/internal/jsvalue"
)

// TestIndexKeys checks the counted-up indexes against strconv's.
func TestIndexKeys(t *testing.T) {
	t.Parallel()
	for _, n := range []int{0, 1, 9, 10, 11, 99, 100, 101, 1000, 12345} {
		var want strings.Builder
		for i := range n {
			want.WriteString(strconv.Itoa(i))
		}
		if got := indexKeys(n); got != want.String() {
			t.Errorf("indexKeys(%d) differs from the indexes strconv writes", n)
		}
		if got := indexDigits(n); got != want.Len() {
			t.Errorf("indexDigits(%d) = %d, want %d", n, got, want.Len())
		}
	}
}

// TestAppendSpread checks that the members AppendSpread writes of a string
// are those of the object SpreadString makes of it, encoded.
func TestAppendSpread(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, s string
	}{
		{"empty", ""},
		{"ascii", "abc"},
		{"escapes", "a\"b\\c\n\t\x00\x1f\x7f</script>"},
		{"two-byte and three-byte", "é€ü"},
		{"astral", "a😀b🎉"},
		{"lone surrogates", "\xed\xa0\xbd" + "x" + "\xed\xb0\x80"},
		{"invalid UTF-8", "a\xffb\xc3"},
		{"line separators", "\u2028\u2029"},
		{"eleven keys", "0123456789a"},
		{"a hundred and one keys", strings.Repeat("p", 101)},
		{"a thousand mixed keys", strings.Repeat("ab\"é😀\x01c", 125)},
		// Runs of plain characters whose keys cross 10, 100, 1,000 and
		// 10,000, from the first index and from others.
		{"ten thousand plain keys", strings.Repeat("p", 10_500)},
		{"plain keys after others", "é" + strings.Repeat("q", 98) + "\n" + strings.Repeat("r", 1_001)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dst := jsvalue.NewObject(0)
			SpreadString(dst, tt.s, CountSpread(tt.s))
			want := string(dst.AppendJSON(nil))
			if got := "{" + string(AppendSpread(nil, tt.s)) + "}"; got != want {
				t.Errorf("AppendSpread(%q) = %s, want %s", tt.s, got, want)
			}
			// After what dst holds, in a buffer with no room to spare.
			prefix := []byte(`{"device":{`)
			if got := string(AppendSpread(prefix[:len(prefix):len(prefix)], tt.s)) + "}"; got != `{"device":`+want {
				t.Errorf("AppendSpread(%q) after a prefix = %s, want %s", tt.s, got, `{"device":`+want)
			}
		})
	}
}

// TestSpreadRoom checks that AppendSpread never grows a dst with the room
// SpreadCount.Room asks for, whatever the runs of plain characters and the
// characters between them, and whatever the widths of their keys.
func TestSpreadRoom(t *testing.T) {
	t.Parallel()
	var strs []string
	for _, n := range []int{0, 1, 9, 10, 11, 99, 100, 101, 999, 1_000, 1_001, 9_999, 10_000, 10_001, 100_000} {
		strs = append(strs, strings.Repeat("p", n), "é"+strings.Repeat("p", n), strings.Repeat("\n", n/2)+strings.Repeat("p", n))
	}
	strs = append(strs, strings.Repeat("ab\"é😀\x01c", 1_500), strings.Repeat("\u2028", 3_000)+strings.Repeat("p", 9_000))
	for _, s := range strs {
		c := CountSpread(s)
		for _, lead := range []int{0, 11} {
			dst := make([]byte, lead, lead+c.Room())
			out := AppendSpread(dst, s)
			if cap(out) != cap(dst) || (len(out) > 0 && &out[0] != &dst[:1][0]) {
				t.Fatalf("AppendSpread of %d units (%.20q) grew its dst of room %d to %d bytes", c.Units(), s, c.Room(), len(out)-lead)
			}
		}
	}
}

// TestAppendPlainMembers checks the members appendPlainMembers writes,
// with keys that carry in every digit and keys too long for a word,
// against keys formatted one by one.
func TestAppendPlainMembers(t *testing.T) {
	t.Parallel()
	for _, first := range []int{0, 7, 89, 995, 9_990, 99_999_990, maxWordIndex - 3, maxWordIndex + 5} {
		s := "abcdefghijklmnopqrstuvwxyz\"rest"
		var want []byte
		for i := range 26 {
			want = fmt.Appendf(want, `"%d":"%c",`, first+i, s[i])
		}
		got, n := appendPlainMembers([]byte("{"), s, first)
		if n != 26 || string(got) != "{"+string(want) {
			t.Errorf("from %d: %d members %s, want 26 members %s", first, n, got, want)
		}
	}
}
