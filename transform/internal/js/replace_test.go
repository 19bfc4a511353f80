package js

import "testing"

// TestSubstitution checks the replacement patterns against what
// "<before>:id<after>".replace(":id", replacement) gives in Node.
func TestSubstitution(t *testing.T) {
	t.Parallel()
	const matched, before, after = ":id", "B/", "/A"
	for _, tc := range []struct {
		replacement, want string
		special           bool
	}{
		{"", "", false},
		{"plain", "plain", false},
		{"$", "$", false},
		{"a$", "a$", false},
		{"$$", "$", true},
		{"$$$", "$$", true},
		{"$$&", "$&", true},
		{"$&", ":id", true},
		{"$`", "B/", true},
		{"$'", "/A", true},
		{"x$&y$`z$'w", "x:idyB/z/Aw", true},
		{"$1", "$1", false},
		{"$0$<n>", "$0$<n>", false},
		{"$a$", "$a$", false},
		{"é$&é", "é:idé", true},
	} {
		got := string(AppendSubstitution(nil, tc.replacement, matched, before, after))
		if got != tc.want {
			t.Errorf("AppendSubstitution(%q) = %q, want %q", tc.replacement, got, tc.want)
		}
		if n := SubstitutionLen(tc.replacement, len(matched), len(before), len(after)); n != len(tc.want) {
			t.Errorf("SubstitutionLen(%q) = %d, want %d", tc.replacement, n, len(tc.want))
		}
		if HasSubstitution(tc.replacement) != tc.special {
			t.Errorf("HasSubstitution(%q) = %v, want %v", tc.replacement, !tc.special, tc.special)
		}
	}
}
