// Package transform maps RudderStack events to Customer.io Track API
// requests, exactly as RudderStack's customerio destination transformer does,
// with a documented set of deliberate deviations. Comments cite them as
// "deviation D1" to "deviation D10": the numbered entries of
// docs/DEVIATIONS.md, which says what each one changes and why.
//
// Mode.Map is the one entry for a job: it decides the API mode (v1's
// requests, or v2's /api/v2/batch objects), what the job's dontBatch means
// and the per-event cap, and maps the job. Mode.Limits are the limits of the
// Batcher the results go to; Batcher merges objects into /api/v2/batch
// requests while keeping each user's events in order, and Alone answers a
// job on its own. Results and requests say what they are
// (Result.Kind, Result.Type, Request.IsBatch). The package is pure: no I/O,
// no clock, no logging, no gRPC.
//
// Event types and the requests they become:
//
//	identify                  PUT    /api/v1/customers/{id}                  v1/customers
//	track, page, screen       POST   /api/v1/customers/{id}/events           v1/customers/events
//	  anonymous               POST   /api/v1/events                          v1/events
//	  device registration     PUT    /api/v1/customers/{id}/devices          v1/customers/devices
//	  Application Uninstalled DELETE /api/v1/customers/{id}/devices/{token}  v1/customers/devices/delete
//	alias                     POST   /api/v1/merge_customers                 v1/merge_customers
//	group                     POST   /api/v2/batch                           v2/batch
//
// # Cost of one event
//
// Mapping one event costs time and memory linear in its size: objects of
// the JSON model find keys through an index once they are large (see
// package jsvalue), key paths are read and written without joining strings
// per segment, and the output of one event is capped at
// Limits.MaxEventBytes (DefaultMaxEventBytes, 1 MiB), counted while the
// output is built: the steps that can write more than they read (a string
// spread into one key per character, arrays a key path grows) spend from
// the cap as they go and fail the event with a 400 naming it. An array
// index above 6,553 in a key path fails the event with a 400 naming the key
// (deviation D9). So no loop inside one event runs long enough to need a
// context: a caller that honours deadlines checks between events.
package transform
