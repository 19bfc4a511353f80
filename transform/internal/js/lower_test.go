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

func TestToLowerCaseFinalSigma(t *testing.T) {
	t.Parallel()
	// Each want is what String.prototype.toLowerCase gives in V8.
	for _, tt := range []struct{ in, want string }{
		{"ΣΑΣ", "σας"},
		{"Σ", "σ"},
		{"ΑΣ ΑΣ", "ας ας"},
		{"ΑΣΑ", "ασα"},
		{"ΑΣ'", "ας'"},
		{"Α'Σ", "α'ς"},
		{"ΑΣ'Α", "ασ'α"},
		{"1Σ", "1σ"},
		{"ΑΣ1", "ας1"},
		{"İΣ", "i̇ς"},
		{"ΑΣ\u0301", "ας\u0301"},
	} {
		if got := ToLowerCase(tt.in); got != tt.want {
			t.Errorf("ToLowerCase(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
