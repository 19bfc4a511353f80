package transform

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
	// They may be shared with other Requests: never write them.
	Headers []Header
	// Body is the JSON body. Its bytes are the Request's own: they share
	// nothing with the job's event or with a Batcher's buffers, and are
	// not written once the Request is returned (for a Request mapped into
	// an Arena, until the arena is reset), so that a holder may read them
	// as a string without copying them (the server does).
	Body []byte
	// UserID is the RudderStack user id the request is attributed to (the
	// resolved user id, else the anonymous id, as a string; may be empty).
	UserID string
	// UserIDFalsy says which falsy value the event left the user id as,
	// UserID then being empty; NotFalsy when it is truthy. Upstream's
	// processor transform answers a falsy user id as "", its router
	// transform as it was: absent, null, false or "".
	UserIDFalsy FalsyID
	// WellFormed reports that Endpoint and UserID are known to be ASCII,
	// so valid UTF-8 with no lone surrogate: a holder may use them where
	// only valid UTF-8 will do without jsvalue.ToWellFormed. When it is
	// false they may still be: they have not been checked.
	WellFormed bool
}

// IsBatch reports whether r is a /api/v2/batch request.
func (r *Request) IsBatch() bool { return r.EndpointPath == batchEndpointPath }

// Result is the outcome of mapping one event: exactly one of Request,
// Object or Err is set. Its strings and bytes are its own (or, mapped
// into an Arena, the arena's until it is reset): none is the event's text,
// which its holder may reuse once the Result is made.
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
	// Type is the class of the event's type, set by Mode.Map.
	Type EventType
}

// Kind is what a Result holds.
type Kind uint8

// The kinds of a Result.
const (
	// KindError is a result whose event cannot be mapped.
	KindError Kind = iota
	// KindRequest is a result with a request of its own.
	KindRequest
	// KindObject is a result with an object, which a Batcher places in a
	// /api/v2/batch request.
	KindObject
)

// Kind returns what r holds.
func (r Result) Kind() Kind {
	switch {
	case r.Err != nil:
		return KindError
	case r.Object != nil:
		return KindObject
	}
	return KindRequest
}

// Error categories and types, as RudderStack's statTags name them.
const (
	CategoryDataValidation = "dataValidation"
	CategoryTransformation = "transformation"

	TypeConfiguration   = "configuration"
	TypeInstrumentation = "instrumentation"
)

// Error is a per-event failure, worded exactly as upstream words it. It is
// plain data, the job's outcome rather than a Go error: its Message keeps
// upstream's wording and capitals, and the caller renders it (the server
// as a JobError).
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
	// Schema reports that the event failed API mode v2's input schema and
	// was not mapped. Upstream's router lists these errors before the
	// ones its mapping raises.
	Schema bool
}

// instrumentationError returns a 400 instrumentation error.
func instrumentationError(msg string) *Error {
	return &Error{StatusCode: 400, Message: msg, Category: CategoryDataValidation, Type: TypeInstrumentation}
}

// configurationError returns a 400 configuration error.
func configurationError(msg string) *Error {
	return &Error{StatusCode: 400, Message: msg, Category: CategoryDataValidation, Type: TypeConfiguration}
}
