// Package httpapi serves the transformer over rudder-transformer's own
// HTTP/JSON protocol, so that rudder-server can use the service as its
// DEST_TRANSFORM_URL without any change:
//
//	POST /v0/destinations/customerio       processor transform: array in, array out
//	POST /routerTransform                  router transform: {input, destType} in, {output} out
//	POST /v1/destinations/customerio/proxy delivery (see Deliverer)
//	GET  /health                           liveness
//	GET  /features                         what the transformer supports
//
// Requests come plain or compacted (X-Content-Format: json+compactedv1),
// optionally gzip-compressed (Content-Encoding: gzip); answers are
// gzip-compressed for clients that send X-Feature-Gzip-Support: ?1 and
// accept gzip, as rudder-server's do. Every answer carries the apiVersion
// header rudder-server checks.
//
// Jobs are mapped and batched by the same calls the gRPC service makes
// (transform.Mode and transform.Batcher): the HTTP face only converts the wire
// once in and once out. Its answers are upstream's response documents, with
// the service's documented deviations (D1 to D10): the same keys, batchedRequest,
// metadata and destination shapes, error strings and statTags. The router
// selects upstream's batching-framework path (API mode v2) as upstream
// does, from CUSTOMERIO_BATCHING_FRAMEWORK_ENABLED_WORKSPACE_IDS.
//
// The proxy delivers through Config.Deliverer (the server's delivery
// client, shared with the gRPC Deliver call) and answers upstream's proxy
// document, one response element per job; /features advertises it only
// when a Deliverer is set.
//
// Requests for any other destination type, and any other path, are
// forwarded unchanged to the rudder-transformer at Config.Fallback when one
// is set; without one they are answered 404, which rudder-server reports
// as a terminal failure of each job.
//
// Bad input is a per-job error, never a failed request, except for a body
// that is not the protocol's JSON at all (400), too large or with too many
// jobs (413). Logs carry one line per request: method, route, status,
// duration and job count; never bodies, credentials or tokens.
package httpapi
