// Package fakecio is a fake Customer.io Track API for tests and for
// replaying delivery cases: an HTTP server that answers each request with a
// scripted Response chosen by the request's test-dest-response-key header
// (else by its path), and records what it received.
//
// Besides ordinary answers it can misbehave as a real network does: hang
// until the client gives up, reset the connection, send a huge body, or
// redirect.
package fakecio
