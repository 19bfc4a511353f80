package conformance

import (
	"encoding/json"
	"math"
	"testing"

	ciotransformerv1 "github.com/cio-transformer/cio-transformer/gen/ciotransformer/v1"
)

func TestModeOf(t *testing.T) {
	t.Parallel()
	tests := []struct {
		variant    string
		apiMode    ciotransformerv1.ApiMode
		maxObjects int
	}{
		{variant: "", apiMode: ciotransformerv1.ApiMode_API_MODE_V1, maxObjects: limitBatchObjects},
		{variant: variantLegacy, apiMode: ciotransformerv1.ApiMode_API_MODE_V1, maxObjects: limitBatchObjects},
		{variant: variantBatchingV2, apiMode: ciotransformerv1.ApiMode_API_MODE_V2_BATCH, maxObjects: math.MaxInt},
	}
	for _, tt := range tests {
		t.Run(tt.variant, func(t *testing.T) {
			t.Parallel()
			m := modeOf(tt.variant)
			if m.apiMode != tt.apiMode || m.maxObjects != tt.maxObjects {
				t.Errorf("modeOf(%q) = %+v, want %v and %d objects", tt.variant, m, tt.apiMode, tt.maxObjects)
			}
		})
	}
}

func TestGroupsCarryConnectionsAndMode(t *testing.T) {
	t.Parallel()
	var inputs []routerInput
	err := json.Unmarshal([]byte(`[
		{"message":{"type":"record"},"destination":{"Config":{}},
		 "connection":{"sourceId":"src","destinationId":"dst","enabled":true,"unknown":1,"config":{"destination":{"object":"event"}}}},
		{"message":{"type":"track"},"destination":{"Config":{}}}
	]`), &inputs)
	if err != nil {
		t.Fatal(err)
	}
	groups, err := groupByDestination(inputs)
	if err != nil {
		t.Fatal(err)
	}
	modeOf(variantBatchingV2).apply(groups)
	if len(groups) != 1 || len(groups[0].jobs) != 2 {
		t.Fatalf("groups %v, want one of two jobs", groups)
	}
	if m := groups[0].dest.GetApiMode(); m != ciotransformerv1.ApiMode_API_MODE_V2_BATCH {
		t.Errorf("api mode %v", m)
	}
	c := groups[0].jobs[0].GetConnection()
	object := c.GetConfig().GetFields()["destination"].GetStructValue().GetFields()["object"].GetStringValue()
	if c.GetSourceId() != "src" || c.GetDestinationId() != "dst" || !c.GetEnabled() || object != "event" {
		t.Errorf("connection %v", c)
	}
	if c := groups[0].jobs[1].GetConnection(); c != nil {
		t.Errorf("job without a connection got %v", c)
	}
}

func TestConnectionFromRejectsBadJSON(t *testing.T) {
	t.Parallel()
	if _, err := connectionFrom(json.RawMessage(`{"config":1}`)); err == nil {
		t.Error("a config that is not an object was accepted")
	}
}
