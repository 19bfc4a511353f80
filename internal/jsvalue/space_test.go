package jsvalue

import "testing"

// TestTrimSpace checks the characters String.prototype.trim removes, and
// that a lone surrogate is not one of them.
func TestTrimSpace(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		" \t\n\v\f\r a b \u00a0":    "a b",
		"\ufeffx\u3000\u2028\u200a": "x",
		"\u0085x\u0085":             "\u0085x\u0085",
		"\xed\xa0\x80 ":             "\xed\xa0\x80",
		"   ":                       "",
	} {
		if got := TrimSpace(in); got != want {
			t.Errorf("TrimSpace(%q) = %q, want %q", in, got, want)
		}
	}
}
