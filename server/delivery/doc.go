// Package delivery sends Customer.io Track API requests built by package
// transform and turns each answer into per-job outcomes with
// transform.Deliver.
//
// A Client holds one pooled keep-alive HTTP client per Customer.io data
// centre (HTTP/2 where the server offers it, TLS verified), a per-request
// timeout, a bounded response read, and a token bucket per site
// (golang.org/x/time/rate) so that one service instance keeps each
// Customer.io workspace under the configured request rate. Redirects are
// never followed. Only requests for the Customer.io Track API hosts are
// sent, to the base URL configured for their data centre, so that a caller
// cannot make the service send credentials anywhere else.
//
// The Client never logs URLs (they carry user ids), headers (they carry the
// api key) or bodies (they carry traits). Both the gRPC service and an HTTP
// face call Client.Deliver; it never returns an error: every failure is an
// outcome for every job.
package delivery
