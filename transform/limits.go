package transform

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
