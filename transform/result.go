package transform

import "github.com/cio-transformer/cio-transformer/internal/jsvalue"

// Destination is one Customer.io destination's configuration, as the
// transformer reads it.
type Destination struct {
	// ID identifies the destination to the caller; the mapping never reads it.
	ID string
	// SiteID is the Track API site id, the Basic-auth user name. Empty means
	// missing.
	SiteID string
	// APIKey is the Track API key, the Basic-auth password. Empty means
	// missing.
	APIKey string
	// EU selects the EU data centre (track-eu.customer.io).
	EU bool
	// DeviceTokenEventName is an extra event name that registers a device, in
	// addition to the Application Installed/Opened/Uninstalled events. Empty
	// means unset.
	DeviceTokenEventName string
	// Config is the destination's raw RudderStack configuration object,
	// when the caller has it (undefined otherwise). API mode v2 then checks
	// it as upstream's input schema does, which tells an empty credential
	// from a missing or mistyped one; the typed fields above still drive
	// the mapping.
	Config jsvalue.Value
}

// Header is one HTTP header of a Request.
type Header struct {
	Name  string
	Value string
}

// Request is one HTTP request to the Customer.io Track API.
//
// Strings taken from the event are JavaScript strings: Endpoint (a path
// id that is not a string, inserted with String()), UserID, and the
// Message of an Error may hold a lone UTF-16 surrogate, in the form
// jsvalue.DecodeRune reads. Write them with jsvalue.AppendJSONString for
// JSON, which escapes it as upstream does, or with jsvalue.ToWellFormed
// where only valid UTF-8 will do (a protobuf string). Body is JSON and
// always valid UTF-8.
type Request struct {
	// Method is POST, PUT or DELETE.
	Method string
	// Endpoint is the full URL, path ids already encoded.
	Endpoint string
	// EndpointPath is the low-cardinality label of the endpoint
	// (v1/customers, v1/customers/events, v1/events, v1/merge_customers,
	// v1/customers/devices, v1/customers/devices/delete, v2/batch).
	EndpointPath string
	// Headers are Authorization, then Content-Type for v2/batch requests.
	Headers []Header
	// Body is the JSON body.
	Body []byte
	// UserID is the RudderStack user id the request is attributed to (the
	// resolved user id, else the anonymous id, as a string; may be empty).
	UserID string
}

// Result is the outcome of mapping one event: exactly one of Request,
// Object or Err is set.
type Result struct {
	// Request is the event's own request (identify, track, page, screen,
	// alias and device events).
	Request *Request
	// Object is the JSON of a group event's Customer.io object, to be sent
	// in a /api/v2/batch request (see Batcher).
	Object []byte
	// UserID is the RudderStack user id of a group event's object (as in
	// Request.UserID).
	UserID string
	// Keys are the event's ordering keys: two events that share a key must
	// reach Customer.io in input order. Set on success only.
	Keys []string
	// Err is set when the event cannot be mapped.
	Err *Error
}

// Error categories and types, as RudderStack's statTags name them.
const (
	CategoryDataValidation = "dataValidation"
	CategoryTransformation = "transformation"

	TypeConfiguration   = "configuration"
	TypeInstrumentation = "instrumentation"
)

// Error is a per-event failure, worded exactly as upstream words it.
type Error struct {
	// StatusCode is 400 for bad input.
	StatusCode int
	// Message is the upstream message, e.g. "userId or email is not present".
	Message string
	// Category is the statTags errorCategory (CategoryDataValidation).
	Category string
	// Type is the statTags errorType (TypeConfiguration or
	// TypeInstrumentation).
	Type string
}

// Error returns the message.
func (e *Error) Error() string { return e.Message }

// instrumentationError returns a 400 instrumentation error.
func instrumentationError(msg string) *Error {
	return &Error{StatusCode: 400, Message: msg, Category: CategoryDataValidation, Type: TypeInstrumentation}
}

// configurationError returns a 400 configuration error.
func configurationError(msg string) *Error {
	return &Error{StatusCode: 400, Message: msg, Category: CategoryDataValidation, Type: TypeConfiguration}
}
