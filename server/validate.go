package server

import (
	"context"
	"encoding/base64"
	"fmt"

	ciotransformerv1 "github.com/cio-transformer/cio-transformer/gen/ciotransformer/v1"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/status"
)

// validator enforces the envelope rules of request messages: a destination,
// jobs with events and unique ids, at most maxJobs jobs, and at most
// maxHeaderBytes of Authorization headers repeated in a message's results.
// Violations are InvalidArgument with a BadRequest detail listing every
// violated field.
type validator struct {
	maxJobs int
	// maxHeaderBytes bounds what a TransformBatch message's results repeat
	// of its destination: every job's request carries the destination's
	// Authorization header, so that a message of many small jobs and long
	// credentials would otherwise be answered with many times its size.
	maxHeaderBytes int64
	inflight       *inflight
	metrics        *metrics
}

// unary refuses a request message the codec refused or that breaks the
// envelope rules, and charges the in-flight budget while handler runs.
func (v validator) unary(ctx context.Context, req any, handler grpc.UnaryHandler) (any, error) {
	cm := checkNote(req)
	if cm.refusal == errInflightSpent {
		v.metrics.refused(refusedInflight)
	}
	if cm.refusal != nil {
		return nil, cm.refusal.Err()
	}
	if st := v.check(req); st != nil {
		return nil, st.Err()
	}
	n := Charge(cm.cost)
	if !v.inflight.acquire(n) {
		v.metrics.refused(refusedInflight)
		return nil, errInflightSpent.Err()
	}
	defer v.inflight.release(n)
	return handler(ctx, req)
}

// check returns the InvalidArgument status of a malformed message, or nil.
func (v validator) check(m any) *status.Status {
	var violations []*errdetails.BadRequest_FieldViolation
	add := func(field, desc string) {
		violations = append(violations, &errdetails.BadRequest_FieldViolation{Field: field, Description: desc})
	}
	switch req := m.(type) {
	case *ciotransformerv1.TransformRequest:
		if req.GetDestination() == nil {
			add("destination", "a destination is required")
		}
		if req.GetJob() == nil {
			add("job", "a job is required")
		} else if req.GetJob().GetPayload() == nil {
			add("job.payload", "the job needs an event or a raw_event")
		}
	case *ciotransformerv1.DeliverRequest:
		v.checkDelivery(req.GetRequest(), req.GetJobs(), add)
	case *ciotransformerv1.DeliverBatchRequest:
		v.checkDelivery(req.GetRequest(), req.GetJobs(), add)
	case *ciotransformerv1.TransformBatchRequest:
		if req.GetDestination() == nil {
			add("destination", "a destination is required")
		}
		jobs := req.GetJobs()
		if len(jobs) > v.maxJobs {
			add("jobs", fmt.Sprintf("%d jobs exceed the limit of %d per request message", len(jobs), v.maxJobs))
		}
		if d := req.GetDestination(); d != nil && v.maxHeaderBytes > 0 {
			if n := int64(len(jobs)) * authorizationBytes(d); n > v.maxHeaderBytes {
				add("destination", fmt.Sprintf("the requests of the %d jobs would repeat the destination's Authorization header, %d bytes, more than the limit of %d: send fewer jobs per request message, or shorter credentials", len(jobs), n, v.maxHeaderBytes))
			}
		}
		seen := make(map[uint64]struct{}, len(jobs))
		for i, j := range jobs {
			if j.GetPayload() == nil {
				add(fmt.Sprintf("jobs[%d].payload", i), "the job needs an event or a raw_event")
			}
			if _, dup := seen[j.GetJobId()]; dup {
				add(fmt.Sprintf("jobs[%d].job_id", i), fmt.Sprintf("job_id %d is repeated within the request message", j.GetJobId()))
			}
			seen[j.GetJobId()] = struct{}{}
			if len(violations) >= maxViolations {
				break
			}
		}
	}
	if len(violations) == 0 {
		return nil
	}
	return badRequest(violations[0].Field+": "+violations[0].Description, violations...)
}

// checkDelivery checks the envelope of a delivery: a request with a URL,
// at least one job, at most maxJobs, with unique ids.
func (v validator) checkDelivery(r *ciotransformerv1.TrackRequest, jobs []*ciotransformerv1.JobRef, add func(field, desc string)) {
	if r == nil {
		add("request", "a request is required")
	} else if r.GetUrl() == "" {
		add("request.url", "the request needs a url")
	}
	switch {
	case len(jobs) == 0:
		add("jobs", "at least one job is required")
	case len(jobs) > v.maxJobs:
		add("jobs", fmt.Sprintf("%d jobs exceed the limit of %d per request message", len(jobs), v.maxJobs))
		return
	}
	seen := make(map[uint64]struct{}, len(jobs))
	for i, j := range jobs {
		if _, dup := seen[j.GetJobId()]; dup {
			add(fmt.Sprintf("jobs[%d].job_id", i), fmt.Sprintf("job_id %d is repeated within the request message", j.GetJobId()))
			return
		}
		seen[j.GetJobId()] = struct{}{}
	}
}

// maxViolations bounds the field violations reported for one message.
const maxViolations = 100

// authorizationBytes is the length of the Authorization header a request
// to d carries: "Basic " and the base64 of "siteID:apiKey".
func authorizationBytes(d *ciotransformerv1.Destination) int64 {
	return int64(len("Basic ") + base64.StdEncoding.EncodedLen(len(d.GetSiteId())+1+len(d.GetApiKey())))
}
