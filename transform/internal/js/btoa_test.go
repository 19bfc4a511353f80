package js

import (
	"encoding/base64"
	"strings"
	"testing"
)

// TestBtoaASCIIMatchesBase64 checks every ASCII length around the
// chunk size against plain base64.
func TestBtoaASCIIMatchesBase64(t *testing.T) {
	t.Parallel()
	for n := 0; n < 3*latin1Chunk; n++ {
		site := strings.Repeat("s", n)
		want := base64.StdEncoding.EncodeToString([]byte(site + ":key"))
		if got := Btoa(site + ":key"); got != want {
			t.Fatalf("siteID of %d bytes: got %q, want %q", n, got, want)
		}
	}
}
