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

// TestSubstitutionExhaustive checks every replacement of up to six bytes
// of "$&`'a" against a byte-by-byte reading of GetSubstitution.
func TestSubstitutionExhaustive(t *testing.T) {
	t.Parallel()
	const matched, before, after = ":id", "B/", "/A"
	reference := func(r string) string {
		var out []byte
		for i := 0; i < len(r); i++ {
			if r[i] == '$' && i+1 < len(r) {
				switch r[i+1] {
				case '$':
					out = append(out, '$')
					i++
					continue
				case '&':
					out = append(out, matched...)
					i++
					continue
				case '`':
					out = append(out, before...)
					i++
					continue
				case '\'':
					out = append(out, after...)
					i++
					continue
				}
			}
			out = append(out, r[i])
		}
		return string(out)
	}
	var walk func(r string)
	walk = func(r string) {
		want := reference(r)
		if got := string(AppendSubstitution(nil, r, matched, before, after)); got != want {
			t.Fatalf("AppendSubstitution(%q) = %q, want %q", r, got, want)
		}
		if n := SubstitutionLen(r, len(matched), len(before), len(after)); n != len(want) {
			t.Fatalf("SubstitutionLen(%q) = %d, want %d", r, n, len(want))
		}
		// Every pattern changes the text.
		if HasSubstitution(r) != (want != r) {
			t.Fatalf("HasSubstitution(%q) = %v", r, HasSubstitution(r))
		}
		if len(r) < 6 {
			for _, c := range "$&`'a" {
				walk(r + string(c))
			}
		}
	}
	walk("")
}
