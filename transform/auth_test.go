package transform

import (
	"encoding/base64"
	"strings"
	"testing"
)

func TestBasicAuth(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("k", 100)
	tests := []struct {
		name, siteID, apiKey, want string
	}{
		{"ascii", "customerio1", "customerio2", "Basic Y3VzdG9tZXJpbzE6Y3VzdG9tZXJpbzI="},
		{"numeric strings", "123", "456", "Basic MTIzOjQ1Ng=="},
		{"empty", "", "", "Basic Og=="},
		{"latin1 not utf8", "sïte", "k€y", "Basic c+90ZTprrHk="},
		{"astral char is two surrogates", "s😀", "k", "Basic cz0AOms="},
		{"U+00FF U+0100 U+0101 U+FFFF", "\u00ff\u0100\u0101", "\uffff", "Basic /wABOv8="},
		{"non-ascii across chunks", strings.Repeat("ü", 30), strings.Repeat("€", 30),
			"Basic /Pz8/Pz8/Pz8/Pz8/Pz8/Pz8/Pz8/Pz8/Pz8/Pz8OqysrKysrKysrKysrKysrKysrKysrKysrKysrKysrA=="},
		{"astral across chunks", strings.Repeat("𝄞", 20), "xxxxxxx",
			"Basic NB40HjQeNB40HjQeNB40HjQeNB40HjQeNB40HjQeNB40HjQeNB40Hjp4eHh4eHh4"},
		{"long ascii", long, long, "Basic " + base64.StdEncoding.EncodeToString([]byte(long+":"+long))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := basicAuth(tt.siteID, tt.apiKey); got != tt.want {
				t.Errorf("basicAuth(%q, %q) = %q, want %q", tt.siteID, tt.apiKey, got, tt.want)
			}
		})
	}
}

func BenchmarkBasicAuth(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		_ = basicAuth("customerio1", "customerio2")
	}
}
