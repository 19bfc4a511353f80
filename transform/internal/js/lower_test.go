package js

import (
	"testing"
)

func TestToLowerCaseKeepsLoneSurrogates(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"IDENTIFY", "identify"},
		{"A" + hiD83D + "B", "a" + hiD83D + "b"},
		{hiD83D, hiD83D},
		{"Ä" + loDC00 + "İ", "ä" + loDC00 + "i\u0307"},
		{"ÄB", "äb"},
	}
	for _, tt := range tests {
		if got := ToLowerCase(tt.in); got != tt.want {
			t.Errorf("ToLowerCase(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
