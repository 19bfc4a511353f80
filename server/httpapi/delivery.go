package httpapi

import (
	"context"
	"encoding/json"
)

// Deliverer performs one delivery that rudder-server asks for through
// POST /v1/destinations/customerio/proxy: it sends the request to
// Customer.io and maps the answer to one outcome per job, as upstream's
// Customer.io network handler does (spec §11).
type Deliverer interface {
	Deliver(ctx context.Context, req DeliveryRequest) (DeliveryResult, error)
}

// DeliveryRequest is one proxied request, as rudder-server sends it.
type DeliveryRequest struct {
	// Method, Endpoint and EndpointPath are the request's.
	Method, Endpoint, EndpointPath string
	// Headers are the request headers, Authorization included.
	Headers map[string]string
	// Params are the query parameters.
	Params map[string]any
	// Body is the JSON body (body.JSON), nil when it is empty.
	Body json.RawMessage
	// Jobs is how many jobs the request covers: Deliver answers one
	// outcome for each, in order.
	Jobs int
}

// DeliveryResult is a delivery's answer: the proxy response's output
// document.
type DeliveryResult struct {
	// HTTPStatus is the status of the proxy response itself.
	HTTPStatus int
	// Status and Message are output.status and output.message.
	Status  int
	Message string
	// ErrorType, when set, marks a proxy error (aborted, throttled,
	// retryable) and adds statTags to the output; AuthErrorCategory is
	// output.authErrorCategory when set.
	ErrorType         string
	AuthErrorCategory string
	// Outcomes has one element per job, in order.
	Outcomes []DeliveryOutcome
}

// DeliveryOutcome is one job's outcome.
type DeliveryOutcome struct {
	StatusCode int
	Error      string
}
