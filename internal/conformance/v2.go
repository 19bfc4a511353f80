package conformance

import (
	"encoding/json"
	"fmt"
	"math"

	ciotransformerv1 "github.com/cio-transformer/cio-transformer/gen/ciotransformer/v1"
	"google.golang.org/protobuf/encoding/protojson"
)

// routerMode is how the lines of one router variant are replayed: in
// which API mode, and under which batch object limit.
type routerMode struct {
	apiMode    ciotransformerv1.ApiMode
	maxObjects int
}

// modeOf returns the replay mode of a router line's variant: the
// batching-framework lines run in API mode v2, whose batches have no
// object count limit; the legacy lines in API mode v1.
func modeOf(variant string) routerMode {
	if variant == variantBatchingV2 {
		return routerMode{apiMode: ciotransformerv1.ApiMode_API_MODE_V2_BATCH, maxObjects: math.MaxInt}
	}
	return routerMode{apiMode: ciotransformerv1.ApiMode_API_MODE_V1, maxObjects: limitBatchObjects}
}

// apply sets the mode's API mode on every group's destination.
func (m routerMode) apply(groups []*destinationGroup) {
	for _, g := range groups {
		g.dest.ApiMode = m.apiMode
	}
}

// connectionFrom converts an upstream connection object ({sourceId,
// destinationId, enabled, config}) to the contract's Connection; nil when
// the input has none.
func connectionFrom(raw json.RawMessage) (*ciotransformerv1.Connection, error) {
	if !present(raw) {
		return nil, nil
	}
	c := &ciotransformerv1.Connection{}
	if err := (protojson.UnmarshalOptions{DiscardUnknown: true}).Unmarshal(raw, c); err != nil {
		return nil, fmt.Errorf("connection: %w", err)
	}
	return c, nil
}
