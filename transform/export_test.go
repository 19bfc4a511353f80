package transform

import "github.com/cio-transformer/cio-transformer/internal/jsvalue"

// The tests and benchmarks map events one mode at a time, through these
// names; the service maps jobs through Mode.Map.

// Transform maps one event in API mode v1 with the default limits.
func Transform(msg jsvalue.Value, dest *Destination) Result {
	return DefaultLimits().mapV1(msg, dest, nil)
}

// BatchPayload maps one event in API mode v2 with the default limits.
func BatchPayload(msg, connection jsvalue.Value, dest *Destination) Result {
	return V2Limits().mapV2(msg, connection, dest, nil)
}

// Transform maps one event in API mode v1 with the limits l.
func (l Limits) Transform(msg jsvalue.Value, dest *Destination) Result {
	return l.mapV1(msg, dest, nil)
}

// BatchPayload maps one event in API mode v2 with the limits l.
func (l Limits) BatchPayload(msg, connection jsvalue.Value, dest *Destination) Result {
	return l.mapV2(msg, connection, dest, nil)
}

// BatchOfOne returns the request of a single object: a batch holding only
// it.
func BatchOfOne(dest *Destination, r Result) *Request { return batchOfOne(dest, r) }

// Unbatched returns an API mode v2 result as a request of its own.
func Unbatched(dest *Destination, r Result) Result { return unbatched(dest, r) }

// UnixSeconds converts a date as upstream converts dates: Unix seconds, or
// null for an invalid date.
func UnixSeconds(v jsvalue.Value) jsvalue.Value { return unixSeconds(v, nil) }

// MapOwned maps a raw event and checks that its Result owns its text.
var MapOwned = mapOwned
