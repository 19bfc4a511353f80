package js

import (
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
