package delivery

import "time"

// Defaults of Config, each with where it comes from.
const (
	// DefaultRate is the requests per second sent to one Customer.io site:
	// the Track API's published limit of 1000 requests per second across
	// v1 and v2 (Customer.io Track API reference, "Limits"; the same
	// figure as the 3000 requests per 3 seconds RudderStack's destination
	// documentation quotes).
	DefaultRate = 1000
	// DefaultBurst is how many requests a site may send at once above the
	// steady rate: a tenth of a second's worth.
	DefaultBurst = 100
	// DefaultTimeout bounds one exchange with Customer.io, from sending
	// the request to reading the response body, as the official Go
	// client's default does (customerio/go-customerio: 30 s).
	DefaultTimeout = 30 * time.Second
	// DefaultMaxResponseBytes is the most of a response body read. The
	// Track API answers with small JSON documents (a 207 lists at most one
	// error per object of a 500 KB batch); anything larger is not read
	// whole.
	DefaultMaxResponseBytes = 1 << 20
	// DefaultUSURL and DefaultEUURL are the Track API base URLs of the two
	// data centres.
	DefaultUSURL = "https://track.customer.io"
	DefaultEUURL = "https://track-eu.customer.io"
	// trackHostUS and trackHostEU are the Track API hosts a request's URL
	// may name; they are sent to the base URL of their data centre.
	trackHostUS = "track.customer.io"
	trackHostEU = "track-eu.customer.io"
	// maxSites bounds the rate-limit buckets held; when more sites are
	// seen, the buckets start afresh.
	maxSites = 10000
	// maxIdleConnsPerHost is how many idle keep-alive connections a data
	// centre's client keeps.
	maxIdleConnsPerHost = 64
	// idleConnTimeout closes a keep-alive connection unused for this long.
	idleConnTimeout = 90 * time.Second
)
