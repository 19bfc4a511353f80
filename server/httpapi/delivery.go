package httpapi

import (
	"context"

	"github.com/cio-transformer/cio-transformer/server/delivery"
	"github.com/cio-transformer/cio-transformer/transform"
)

// Deliverer performs the deliveries rudder-server asks for through
// POST /v1/destinations/customerio/proxy. *delivery.Client is one: the
// server's own client, shared with the gRPC Deliver call, so that both
// faces share connections and per-site rate limits and answer every job
// with the same outcome (transform.Deliver: Customer.io's 207 names failed
// objects by batch_index, other 2xx succeed, anything else fails every job
// with upstream's message, error type and auth category).
//
// Deliver must answer exactly one outcome per job of r (r.Jobs), in order,
// and never fail: a request that cannot be sent is an outcome too.
type Deliverer interface {
	Deliver(ctx context.Context, r delivery.Request) transform.Delivery
}

// The server's delivery client is a Deliverer.
var _ Deliverer = (*delivery.Client)(nil)
