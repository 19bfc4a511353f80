package conformance

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	ciotransformerv1 "github.com/cio-transformer/cio-transformer/gen/ciotransformer/v1"
	"github.com/cio-transformer/cio-transformer/internal/streamtest"
)

// wantKind is what upstream made of a job in a router line.
type wantKind int

const (
	wantRequest wantKind = iota + 1 // its own request (not a group event)
	wantObject                      // an object of a /api/v2/batch request
	wantError                       // an error entry
)

// jobWant is the expected outcome of one input job: entry member of the
// expected output array.
type jobWant struct {
	kind   wantKind
	entry  int
	member int
}

// jobPlacement is where the service put one input job: member of the
// result-th result of its group.
type jobPlacement struct {
	group, result, member int
}

// routerCheck holds one router line's inputs, expectations and answers
// while they are compared.
type routerCheck struct {
	mode     routerMode
	inputs   []routerInput
	messages []any // decoded input messages, for the ordering keys
	metadata []any // decoded input metadata; nil when absent
	hasMeta  []bool
	groups   []*destinationGroup
	groupOf  []int // input position -> group index
	entries  []map[string]any
	wants    []*jobWant
	results  [][]*ciotransformerv1.JobResult // per group, in output order
	placed   []*jobPlacement
	batches  map[*ciotransformerv1.JobResult]*batchBody
	// envelopes marks the (batch result, expected entry) pairs whose
	// method, endpoint and headers were compared, so that a wrong batch is
	// reported once rather than once per object.
	envelopes map[envelopePair]bool
	diffs     []difference
}

// envelopePair is a batch result and the expected entry it is compared to.
type envelopePair struct {
	result *ciotransformerv1.JobResult
	entry  int
}

// verifyRouter replays a router line through TransformBatch, one request
// message per destination group, and compares the answer per job, as
// DEVIATIONS.md says, then checks ordering (D3) and limits (D4) over the
// whole output. Legacy lines run in API mode v1, batching-framework lines
// in API mode v2.
func (v *verifier) verifyRouter(ctx context.Context, c *caseLine) []difference {
	rc := &routerCheck{
		batches:   map[*ciotransformerv1.JobResult]*batchBody{},
		envelopes: map[envelopePair]bool{},
	}
	if err := rc.load(c); err != nil {
		return []difference{noteAt("input", "%v", err)}
	}
	rc.expect()
	results, err := v.transformBatch(ctx, rc.groups)
	if err != nil {
		return append(rc.diffs, noteAt("TransformBatch", "%v", err))
	}
	rc.results = results
	rc.place()
	for p := range rc.inputs {
		rc.compareJob(p)
	}
	rc.checkOrder()
	rc.checkLimits()
	return rc.diffs
}

// load decodes the line's inputs and expected output and groups the
// inputs by destination, in the API mode of the line's variant.
func (rc *routerCheck) load(c *caseLine) error {
	rc.mode = modeOf(c.Variant)
	if err := json.Unmarshal(c.Input, &rc.inputs); err != nil {
		return fmt.Errorf("input is not an array of jobs: %w", err)
	}
	for i, in := range rc.inputs {
		m, err := decodeJSON(in.Message)
		if err != nil {
			return fmt.Errorf("input[%d].message: %w", i, err)
		}
		rc.messages = append(rc.messages, m)
		var md any
		if present(in.Metadata) {
			if md, err = decodeJSON(in.Metadata); err != nil {
				return fmt.Errorf("input[%d].metadata: %w", i, err)
			}
		}
		rc.metadata = append(rc.metadata, md)
		rc.hasMeta = append(rc.hasMeta, present(in.Metadata))
	}
	groups, err := groupByDestination(rc.inputs)
	if err != nil {
		return err
	}
	rc.mode.apply(groups)
	rc.groups = groups
	rc.groupOf = make([]int, len(rc.inputs))
	for gi, g := range groups {
		for _, p := range g.positions {
			rc.groupOf[p] = gi
		}
	}
	want, err := decodeJSON(c.want())
	if err != nil {
		return fmt.Errorf("expected: %w", err)
	}
	list, ok := want.([]any)
	if !ok {
		return fmt.Errorf("expected is not an array")
	}
	for i, e := range list {
		m, ok := e.(map[string]any)
		if !ok {
			return fmt.Errorf("expected[%d] is not an object", i)
		}
		rc.entries = append(rc.entries, m)
	}
	return nil
}

// expect maps every expected entry's metadata back to input jobs.
func (rc *routerCheck) expect() {
	rc.wants = make([]*jobWant, len(rc.inputs))
	for ei, e := range rc.entries {
		at := fmt.Sprintf("expected[%d]", ei)
		mds, ok := e["metadata"].([]any)
		if !ok {
			rc.diffs = append(rc.diffs, noteAt(at+".metadata", "not an array"))
			continue
		}
		kind := wantError
		if br, ok := e["batchedRequest"]; ok {
			req, ok := br.(map[string]any)
			if !ok {
				rc.diffs = append(rc.diffs, noteAt(at+".batchedRequest", "not an object"))
				continue
			}
			kind = wantRequest
			if ep, _ := req["endpoint"].(string); strings.Contains(ep, batchEndpointMarker) {
				kind = wantObject
				if batch, _ := path(req, "body", "JSON", "batch").([]any); len(batch) != len(mds) {
					rc.diffs = append(rc.diffs, noteAt(at, "batch of %d objects for %d jobs", len(batch), len(mds)))
					continue
				}
			} else if len(mds) != 1 {
				rc.diffs = append(rc.diffs, noteAt(at, "a request for %d jobs", len(mds)))
				continue
			}
		}
		for k, md := range mds {
			p := rc.jobOf(md)
			if p < 0 {
				rc.diffs = append(rc.diffs, noteAt(fmt.Sprintf("%s.metadata[%d]", at, k), "matches no input job"))
				continue
			}
			rc.wants[p] = &jobWant{kind: kind, entry: ei, member: k}
		}
	}
	for p, w := range rc.wants {
		if w == nil {
			rc.diffs = append(rc.diffs, noteAt(inputPath(p), "in no expected entry"))
		}
	}
}

// jobOf returns the input position of an expected metadata object: the
// first job not yet matched whose metadata equals it, else whose jobId
// equals its jobId; -1 when none.
func (rc *routerCheck) jobOf(md any) int {
	for p := range rc.inputs {
		if rc.wants[p] == nil && rc.hasMeta[p] && equalJSON(md, rc.metadata[p]) {
			return p
		}
	}
	id, ok := path(md, "jobId").(json.Number)
	if !ok {
		return -1
	}
	for p := range rc.inputs {
		if other, ok := path(rc.metadata[p], "jobId").(json.Number); ok && rc.wants[p] == nil && scalarEqual(id, other) {
			return p
		}
	}
	return -1
}

// place records which result covers each job, and that every job is
// covered exactly once, by a result of its own group, in input order.
func (rc *routerCheck) place() {
	rc.placed = make([]*jobPlacement, len(rc.inputs))
	for gi, results := range rc.results {
		for ri, r := range results {
			at := fmt.Sprintf("group[%d].result[%d]", gi, ri)
			jobs := r.GetJobs()
			if len(jobs) == 0 {
				rc.diffs = append(rc.diffs, noteAt(at, "covers no job"))
			}
			prev := -1
			for mi, ref := range jobs {
				id := ref.GetJobId()
				p := int(id)
				switch {
				case id >= uint64(len(rc.inputs)) || rc.groupOf[p] != gi:
					rc.diffs = append(rc.diffs, noteAt(at, "covers job_id %d, not a job of this request", id))
					continue
				case rc.placed[p] != nil:
					rc.diffs = append(rc.diffs, noteAt(inputPath(p), "covered by more than one result"))
					continue
				case p < prev:
					rc.diffs = append(rc.diffs, noteAt(at, "jobs are not in input order"))
				}
				prev = p
				rc.placed[p] = &jobPlacement{group: gi, result: ri, member: mi}
			}
		}
	}
	for p, pl := range rc.placed {
		if pl == nil {
			rc.diffs = append(rc.diffs, noteAt(inputPath(p), "missing from the output"))
		}
	}
}

// compareJob compares one job's outcome with upstream's.
func (rc *routerCheck) compareJob(p int) {
	w, pl := rc.wants[p], rc.placed[p]
	if w == nil || pl == nil {
		return
	}
	at := inputPath(p)
	r := rc.results[pl.group][pl.result]
	ref := r.GetJobs()[pl.member]
	if md, ok, err := structJSON(ref.GetMetadata()); err != nil {
		rc.diffs = append(rc.diffs, noteAt(at+".metadata", "cannot render: %v", err))
	} else {
		rc.compareOptional(at+".metadata", rc.metadata[p], rc.hasMeta[p], md, ok)
	}
	e := rc.entries[w.entry]
	switch w.kind {
	case wantError:
		je := r.GetError()
		if je == nil {
			rc.diffs = append(rc.diffs, noteAt(at, "want error %v %q, got a request to %s",
				e["statusCode"], e["error"], r.GetRequest().GetUrl()))
			return
		}
		compareJSON(at, routerErrorView(errorWant(e["statusCode"], e["error"], e["statTags"], e)), routerErrorView(errorGot(je)), &rc.diffs)
	case wantRequest:
		req := r.GetRequest()
		if req == nil {
			rc.diffs = append(rc.diffs, gotErrorNote(at, r))
			return
		}
		got, err := requestView(req)
		if err != nil {
			rc.diffs = append(rc.diffs, noteAt(at+".batchedRequest.body.JSON", "%v", err))
		}
		// The router wrapper stringifies userId only when it is truthy, and
		// the contract's empty user_id stands for both absent and "".
		if uid := req.GetUserId(); uid != "" {
			got["userId"] = uid
		}
		got["statusCode"] = json.Number("200")
		want := e["batchedRequest"].(map[string]any)
		if uid, ok := want["userId"]; ok && uid == "" {
			want = shallowWithout(want, "userId")
		}
		compareJSON(at+".batchedRequest", want, got, &rc.diffs)
	case wantObject:
		rc.compareObject(p, w, r, pl)
	}
}

// compareObject compares a group job: its object, and its batch's method,
// endpoint (with D2), endpoint path and headers.
func (rc *routerCheck) compareObject(p int, w *jobWant, r *ciotransformerv1.JobResult, pl *jobPlacement) {
	at := inputPath(p)
	req := r.GetRequest()
	if req == nil {
		rc.diffs = append(rc.diffs, gotErrorNote(at, r))
		return
	}
	want := rc.entries[w.entry]["batchedRequest"].(map[string]any)
	if !strings.Contains(req.GetUrl(), batchEndpointMarker) {
		rc.diffs = append(rc.diffs, noteAt(at, "want an object of a batch to %v, got a request to %s", want["endpoint"], req.GetUrl()))
		return
	}
	b := rc.batch(r, fmt.Sprintf("group[%d].result[%d]", pl.group, pl.result))
	if b == nil {
		return
	}
	if pair := (envelopePair{r, w.entry}); !rc.envelopes[pair] {
		rc.envelopes[pair] = true
		wantEnv := map[string]any{
			"method":       want["method"],
			"endpoint":     withD2(want["endpoint"], rc.groups[rc.groupOf[p]].eu),
			"endpointPath": want["endpointPath"],
			"headers":      want["headers"],
		}
		gotEnv := map[string]any{
			"method":       req.GetMethod(),
			"endpoint":     req.GetUrl(),
			"endpointPath": req.GetEndpointPath(),
			"headers":      headersView(req.GetHeaders()),
		}
		compareJSON(at+".batchedRequest", wantEnv, gotEnv, &rc.diffs)
	}
	wantObj := path(want, "body", "JSON", "batch").([]any)[w.member]
	compareJSON(at+".object", wantObj, b.objects[pl.member], &rc.diffs)
}

// batch returns a batch result's parsed body, reporting once when it is
// not a batch with one object per job.
func (rc *routerCheck) batch(r *ciotransformerv1.JobResult, at string) *batchBody {
	if b, ok := rc.batches[r]; ok {
		return b
	}
	b, err := parseBatchBody(r.GetRequest().GetBody())
	if err == nil && len(b.objects) != len(r.GetJobs()) {
		err = fmt.Errorf("%d objects for %d jobs", len(b.objects), len(r.GetJobs()))
	}
	if err != nil {
		rc.diffs = append(rc.diffs, noteAt(at+".body.JSON", "%v", err))
		b = nil
	}
	rc.batches[r] = b
	return b
}

// compareOptional compares two values either of which may be absent.
func (rc *routerCheck) compareOptional(at string, want any, wantOK bool, got any, gotOK bool) {
	switch {
	case wantOK && gotOK:
		compareJSON(at, want, got, &rc.diffs)
	case wantOK:
		rc.diffs = append(rc.diffs, difference{path: at, want: want, gotAbsent: true})
	case gotOK:
		rc.diffs = append(rc.diffs, difference{path: at, wantAbsent: true, got: got})
	}
}

// checkOrder checks deviation D3 within every destination group.
func (rc *routerCheck) checkOrder() {
	for gi, g := range rc.groups {
		var jobs []orderedJob
		for _, p := range g.positions {
			pl := rc.placed[p]
			if pl == nil || pl.group != gi {
				continue
			}
			r := rc.results[gi][pl.result]
			req := r.GetRequest()
			if req == nil {
				continue // errors produce no request and may come anywhere
			}
			var object map[string]any
			if strings.Contains(req.GetUrl(), batchEndpointMarker) {
				if b := rc.batch(r, fmt.Sprintf("group[%d].result[%d]", gi, pl.result)); b != nil {
					object, _ = b.objects[pl.member].(map[string]any)
				}
			}
			// orderingKeys resolves RETL ids in place; the decoded messages
			// serve nothing else.
			jobs = append(jobs, orderedJob{position: p, result: pl.result, keys: orderingKeys(rc.messages[p], object)})
		}
		rc.diffs = append(rc.diffs, orderViolations(jobs)...)
	}
}

// checkLimits checks deviation D4 on every batch request, and that every
// other request covers one job.
func (rc *routerCheck) checkLimits() {
	for gi, results := range rc.results {
		for ri, r := range results {
			req := r.GetRequest()
			if req == nil {
				if len(r.GetJobs()) > 1 {
					rc.diffs = append(rc.diffs, noteAt(fmt.Sprintf("group[%d].result[%d]", gi, ri), "an error covering %d jobs", len(r.GetJobs())))
				}
				continue
			}
			at := fmt.Sprintf("group[%d].result[%d]", gi, ri)
			if !strings.Contains(req.GetUrl(), batchEndpointMarker) {
				if len(r.GetJobs()) > 1 {
					rc.diffs = append(rc.diffs, noteAt(at, "a request to %s covering %d jobs", req.GetUrl(), len(r.GetJobs())))
				}
				continue
			}
			if b := rc.batch(r, at); b != nil {
				rc.diffs = append(rc.diffs, limitViolations(at, req.GetBody(), b, rc.mode.maxObjects)...)
			}
		}
	}
}

// transformBatch sends every group as one request message on one
// TransformBatch stream, without waiting for answers in between, and
// collects each group's results until its final response.
func (v *verifier) transformBatch(ctx context.Context, groups []*destinationGroup) ([][]*ciotransformerv1.JobResult, error) {
	ctx, cancel := context.WithTimeout(ctx, v.timeout)
	defer cancel()
	stream, err := v.client.TransformBatch(ctx)
	if err != nil {
		return nil, fmt.Errorf("opening the stream: %w", err)
	}
	reqs := make([]*ciotransformerv1.TransformBatchRequest, len(groups))
	for i, g := range groups {
		reqs[i] = &ciotransformerv1.TransformBatchRequest{RequestId: uint64(i), Destination: g.dest, Jobs: g.jobs}
	}
	p := streamtest.Start(stream, streamtest.Of(reqs))
	if err := p.Wait(); err != nil {
		return nil, err
	}
	results := make([][]*ciotransformerv1.JobResult, len(groups))
	for i := range groups {
		results[i], _ = p.Results(i)
	}
	return results, nil
}

// withD2 applies deviation D2 to an upstream batch endpoint: an EU
// destination's batch goes to the EU host, where upstream sends it to the
// US one. Endpoints already on the EU host are left as they are.
func withD2(endpoint any, eu bool) any {
	s, ok := endpoint.(string)
	if !ok || !eu {
		return endpoint
	}
	return strings.Replace(s, hostTrackUS, hostTrackEU, 1)
}

// routerErrorView names an error view's message "error", as upstream's
// router entries do.
func routerErrorView(v map[string]any) map[string]any {
	if m, ok := v["message"]; ok {
		v["error"] = m
		delete(v, "message")
	}
	return v
}

// gotErrorNote reports a job that failed where upstream produced a request.
func gotErrorNote(at string, r *ciotransformerv1.JobResult) difference {
	e := r.GetError()
	return noteAt(at, "want a request, got error %d %q", e.GetStatusCode(), e.GetMessage())
}

// shallowWithout returns a copy of m without key.
func shallowWithout(m map[string]any, key string) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		if k != key {
			out[k] = v
		}
	}
	return out
}

// inputPath names an input job in reports.
func inputPath(p int) string {
	return "input[" + strconv.Itoa(p) + "]"
}
