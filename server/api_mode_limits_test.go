package server

import (
	"strings"
	"testing"

	ciotransformerv1 "github.com/cio-transformer/cio-transformer/gen/ciotransformer/v1"
	"github.com/cio-transformer/cio-transformer/internal/jsvalue"
	"github.com/cio-transformer/cio-transformer/transform"
)

// TestMapEventMaxEventBytes checks that the per-event cap reaches the
// mapping in both API modes: an event over it is a 400 naming the cap.
func TestMapEventMaxEventBytes(t *testing.T) {
	t.Parallel()
	ev, err := jsvalue.Parse([]byte(`{"type":"identify","userId":"u1","traits":{"name":"` + strings.Repeat("x", 200) + `"}}`))
	if err != nil {
		t.Fatal(err)
	}
	dest := &transform.Destination{SiteID: "s", APIKey: "k"}
	for _, v2 := range []bool{false, true} {
		for _, tt := range []struct {
			max     int
			wantErr bool
		}{{0, false}, {100, true}} {
			r := mapEvent(&ciotransformerv1.Job{}, ev, dest, v2, tt.max)
			if got := r.Err != nil; got != tt.wantErr {
				t.Fatalf("v2=%v max=%d: error %v, want error %v", v2, tt.max, r.Err, tt.wantErr)
			}
			if tt.wantErr && (r.Err.StatusCode != 400 || !strings.Contains(r.Err.Message, "100 bytes")) {
				t.Errorf("v2=%v: error %d %q, want a 400 naming the cap", v2, r.Err.StatusCode, r.Err.Message)
			}
		}
	}
}
