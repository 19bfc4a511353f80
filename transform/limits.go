package transform

// The Customer.io Track API as the mapping uses it: every host, path,
// method, header and limit is a constant here.

// Track API paths and their endpointPath labels.
const (
	customersPath       = "/api/v1/customers/"
	eventsSuffix        = "/events"
	devicesSuffix       = "/devices"
	anonymousEventsPath = "/api/v1/events"
	mergeCustomersPath  = "/api/v1/merge_customers"
	batchPath           = "/api/v2/batch"

	customersEndpointPath    = "v1/customers"
	eventsEndpointPath       = "v1/customers/events"
	anonymousEndpointPath    = "v1/events"
	mergeEndpointPath        = "v1/merge_customers"
	devicesEndpointPath      = "v1/customers/devices"
	deviceDeleteEndpointPath = "v1/customers/devices/delete"
	batchEndpointPath        = "v2/batch"
)

// HTTP methods and request headers of Track API requests: Authorization on
// every request, Content-Type on /api/v2/batch requests.
const (
	methodPost          = "POST"
	methodPut           = "PUT"
	methodDelete        = "DELETE"
	authorizationHeader = "Authorization"
	contentTypeHeader   = "Content-Type"
	contentTypeJSON     = "application/json"
)

// Customer.io Track API hosts and limits.
const (
	// hostUS is the Track API host of the US data centre.
	hostUS = "https://track.customer.io"
	// hostEU is the Track API host of the EU data centre, selected by
	// datacenter "EU" (Customer.io, "Track API" regions).
	hostEU = "https://track-eu.customer.io"

	// MaxBatchObjects is the most objects one /api/v2/batch request holds
	// (Customer.io destination definition: 1000 events per batch).
	MaxBatchObjects = 1000
	// MaxBatchBytes is the largest serialized /api/v2/batch body, in bytes
	// (Customer.io Track API limits: 500 KB per batch request).
	MaxBatchBytes = 500000
	// MaxObjectBytes is the largest serialized object of a /api/v2/batch
	// request, in bytes (Customer.io Track API limits: 32 KB per entity).
	MaxObjectBytes = 32768
	// maxAnonymousNameBytes is how many UTF-8 bytes of an anonymous event's
	// name are kept (Customer.io Track API limits: event name 100 bytes).
	maxAnonymousNameBytes = 100
	// maxScreenNameBytes is how many bytes of an anonymous screen's name are
	// kept inside "Viewed ... Screen", as upstream does.
	maxScreenNameBytes = 86
)

// DefaultMaxEventBytes is the default cap on the bytes one event may
// produce: its request body, or its /api/v2/batch object. It is above
// anything Customer.io accepts from one event (event data of 100,000 bytes;
// 300 attributes of at most 1,000 bytes each, about 345 KB with their
// names; a v2 entity of 32 KB), so no event Customer.io would take fails
// it, and it keeps what a small event can amplify into (one key per
// character of a spread string, array holes from key paths) to a megabyte.
const DefaultMaxEventBytes = 1 << 20
