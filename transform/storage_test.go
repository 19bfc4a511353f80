package transform

import (
	"testing"

	"github.com/cio-transformer/cio-transformer/internal/jsvalue"
)

// TestStorageBodyReachesNoString writes over and appends to a request's body
// and a group's object: the endpoint and the ordering keys cut from the same
// allocation must not change.
func TestStorageBodyReachesNoString(t *testing.T) {
	t.Parallel()
	dest := NewDestination(DestinationConfig{SiteID: "s", APIKey: "k"})
	for _, be := range benchEvents {
		t.Run(be.name, func(t *testing.T) {
			t.Parallel()
			r := transformRaw([]byte(be.event), dest)
			if r.Err != nil {
				t.Fatal(r.Err.Message)
			}
			keys := append([]string(nil), r.Keys...)
			out, endpoint := r.Object, ""
			if r.Request != nil {
				out, endpoint = r.Request.Body, string([]byte(r.Request.Endpoint))
			}
			for i := range out {
				out[i] = 'x'
			}
			_ = append(out, "yyyyyyyy"...)
			for i, k := range r.Keys {
				if k != keys[i] {
					t.Errorf("key %d changed from %q to %q", i, keys[i], k)
				}
			}
			if r.Request != nil && r.Request.Endpoint != endpoint {
				t.Errorf("endpoint changed from %q to %q", endpoint, r.Request.Endpoint)
			}
		})
	}
}

// TestMapAllocations checks that mapping a parsed event of a common shape
// allocates at most once: its result's storage.
func TestMapAllocations(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector makes sync.Pool drop buffers")
	}
	dest := NewDestination(DestinationConfig{SiteID: "s", APIKey: "k"})
	for _, name := range []string{"identify", "track", "track-anonymous", "page", "device-delete", "alias", "group"} {
		for _, be := range benchEvents {
			if be.name != name {
				continue
			}
			msg, err := jsvalue.Parse([]byte(be.event))
			if err != nil {
				t.Fatal(err)
			}
			if n := testing.AllocsPerRun(100, func() { Transform(msg, dest) }); n > 1 {
				t.Errorf("%s: %v allocations per event, want at most 1", name, n)
			}
		}
	}
}
