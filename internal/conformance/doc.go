// Package conformance replays the shared conformance corpus (JSONL lines
// of upstream processor, router and delivery cases) through a
// TransformerService, over gRPC or rudder-transformer's HTTP protocol, and
// compares every answer with the case's expected one (project_expected
// where a documented deviation changes upstream's answer). It decodes the
// cases, renders their requests, compares the answers structurally and
// checks ordering and batch limits; Run is the cio-verify command.
// ReadProcessorCases and ProcessorCase.Compare give transform's own tests
// the same decoding, rendering and comparison of the processor cases, for
// events they map in process; ReadLines gives them every line of a file,
// decoded, for checks of their own.
//
// It is an oracle independent of the code it checks: it does not call
// transform, and reaches the server only through its public contract.
// Comments that cite "deviation Dn" mean the numbered entries of
// docs/DEVIATIONS.md.
package conformance
