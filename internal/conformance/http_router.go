package conformance

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
)

// verifyRouterHTTP posts a router line's input to /routerTransform and
// compares the whole answer. Batching-framework lines must equal
// upstream's document exactly; legacy lines are compared per job, as
// DEVIATIONS.md says, with every other key of every entry compared
// exactly, then checked for the ordering (D3) and limits (D4).
func (v *httpVerifier) verifyRouterHTTP(ctx context.Context, base, format string, c *httpCase) []difference {
	var inputs []routerInput
	if err := json.Unmarshal(c.Input, &inputs); err != nil {
		return []difference{noteAt("input", "not an array of jobs: %v", err)}
	}
	var body []byte
	var err error
	if format == formatCompacted {
		body, err = compactedBody(inputs, "customerio")
	} else {
		body, err = json.Marshal(struct {
			Input    json.RawMessage `json:"input"`
			DestType string          `json:"destType"`
		}{c.Input, "customerio"})
	}
	if err != nil {
		// errCompaction's note is recognized by verifyLine.
		return []difference{noteAt("input", "%v", err)}
	}
	want, err := decodeJSON(c.want())
	if err != nil {
		return []difference{noteAt("expected", "%v", err)}
	}
	status, got, err := v.post(ctx, base+"/routerTransform", format == formatCompacted, body)
	if err != nil {
		return []difference{noteAt("POST /routerTransform", "%v", err)}
	}
	var diffs []difference
	if status != c.wantStatus() {
		diffs = append(diffs, difference{path: "http_status", want: c.wantStatus(), got: status})
	}
	if c.Variant == variantBatchingV2 {
		compareJSON("", map[string]any{"output": want}, got, &diffs)
		return diffs
	}
	doc, ok := got.(map[string]any)
	if !ok {
		return append(diffs, noteAt("", "answer is not an object"))
	}
	for k := range doc {
		if k != "output" {
			diffs = append(diffs, noteAt(k, "unexpected key in the answer"))
		}
	}
	gotEntries, ok1 := entryList(doc["output"])
	wantEntries, ok2 := entryList(want)
	if !ok1 || !ok2 {
		return append(diffs, noteAt("output", "not an array of objects"))
	}
	jc := &jobCompare{inputs: inputs, want: wantEntries, got: gotEntries}
	return append(diffs, jc.run()...)
}

// entryList reads an array of objects.
func entryList(v any) ([]map[string]any, bool) {
	list, ok := v.([]any)
	if !ok {
		return nil, false
	}
	out := make([]map[string]any, len(list))
	for i, e := range list {
		if out[i], ok = e.(map[string]any); !ok {
			return nil, false
		}
	}
	return out, true
}

// jobCompare compares a legacy router answer with upstream's per job.
type jobCompare struct {
	inputs    []routerInput
	want, got []map[string]any
	diffs     []difference
}

// place is where a job sits: entry, and position in its metadata.
type place struct{ entry, member int }

// run compares every job and checks D3 and D4 over the answer.
func (jc *jobCompare) run() []difference {
	byMeta := map[string]int{}
	for p, in := range jc.inputs {
		key := metadataKey(in.Metadata)
		if _, dup := byMeta[key]; dup {
			return []difference{noteAt(inputPath(p), "two jobs with the same metadata: cannot tell them apart")}
		}
		byMeta[key] = p
	}
	wantAt := jc.places("expected", jc.want, byMeta)
	gotAt := jc.places("output", jc.got, byMeta)
	for p := range jc.inputs {
		w, g := wantAt[p], gotAt[p]
		switch {
		case len(g) == 0:
			jc.diffs = append(jc.diffs, noteAt(inputPath(p), "job missing from the answer"))
		case len(g) > 1:
			jc.diffs = append(jc.diffs, noteAt(inputPath(p), "job in %d entries of the answer", len(g)))
		case len(w) != 1:
			jc.diffs = append(jc.diffs, noteAt(inputPath(p), "job in %d expected entries", len(w)))
		default:
			jc.compareJob(p, w[0], g[0])
		}
	}
	jc.checkOrder(gotAt)
	jc.checkLimits()
	return jc.diffs
}

// places maps every job to the entries whose metadata hold it.
func (jc *jobCompare) places(at string, entries []map[string]any, byMeta map[string]int) map[int][]place {
	out := map[int][]place{}
	for ei, e := range entries {
		md, ok := e["metadata"].([]any)
		if !ok || len(md) == 0 {
			jc.diffs = append(jc.diffs, noteAt(fmt.Sprintf("%s[%d].metadata", at, ei), "not a non-empty array"))
			continue
		}
		for k, m := range md {
			var buf bytes.Buffer
			canonicalJSON(&buf, m)
			p, ok := byMeta[buf.String()]
			if !ok {
				jc.diffs = append(jc.diffs, noteAt(fmt.Sprintf("%s[%d].metadata[%d]", at, ei, k), "metadata of no input job"))
				continue
			}
			out[p] = append(out[p], place{ei, k})
		}
	}
	return out
}

// metadataKey is a job's metadata, canonical, to find it in answers.
func metadataKey(raw json.RawMessage) string {
	if !present(raw) {
		return "null"
	}
	v, err := decodeJSON(raw)
	if err != nil {
		return string(raw)
	}
	var buf bytes.Buffer
	canonicalJSON(&buf, v)
	return buf.String()
}

// isBatch reports whether an entry is a /api/v2/batch request.
func isBatch(e map[string]any) bool {
	br, ok := e["batchedRequest"].(map[string]any)
	if !ok {
		return false
	}
	ep, _ := br["endpoint"].(string)
	return strings.Contains(ep, batchEndpointMarker)
}

// compareJob compares job p's entries: an error or a request of its own
// whole; a group object's batch by its envelope (method, endpoint after
// D2, headers and every other key) and the job's own object.
func (jc *jobCompare) compareJob(p int, w, g place) {
	at := inputPath(p)
	we, ge := jc.want[w.entry], jc.got[g.entry]
	if !isBatch(we) {
		compareJSON(at, we, ge, &jc.diffs)
		return
	}
	if !isBatch(ge) {
		jc.diffs = append(jc.diffs, noteAt(at, "want an object of a batch, got %v", ge["error"]))
		return
	}
	compareJSON(at, shallowWithout(shallowWithout(we, "batchedRequest"), "metadata"),
		shallowWithout(shallowWithout(ge, "batchedRequest"), "metadata"), &jc.diffs)
	wr := shallowWithout(we["batchedRequest"].(map[string]any), "body")
	gr := shallowWithout(ge["batchedRequest"].(map[string]any), "body")
	wr["endpoint"] = withD2(wr["endpoint"], jc.isEU(p))
	compareJSON(at+".batchedRequest", wr, gr, &jc.diffs)
	wb, _ := we["batchedRequest"].(map[string]any)["body"].(map[string]any)
	gb, _ := ge["batchedRequest"].(map[string]any)["body"].(map[string]any)
	compareJSON(at+".batchedRequest.body", shallowWithout(wb, "JSON"), shallowWithout(gb, "JSON"), &jc.diffs)
	wo, wok := batchObject(wb, w.member)
	go_, gok := batchObject(gb, g.member)
	if !wok || !gok {
		jc.diffs = append(jc.diffs, noteAt(at, "no object at the job's position in the batch (want %v, got %v)", wok, gok))
		return
	}
	compareJSON(at+".object", wo, go_, &jc.diffs)
}

// batchObject returns body.JSON.batch[i].
func batchObject(body map[string]any, i int) (any, bool) {
	j, _ := body["JSON"].(map[string]any)
	list, _ := j["batch"].([]any)
	if i >= len(list) {
		return nil, false
	}
	return list[i], true
}

// isEU reports whether job p's destination is in the EU.
func (jc *jobCompare) isEU(p int) bool {
	d, err := destinationFrom(jc.inputs[p].Destination)
	return err == nil && d.GetDatacenter().String() == "DATACENTER_EU"
}

// checkOrder checks D3 within every destination group, as the gRPC replay
// does: jobs of one group sharing a key are emitted in input order. Groups
// are batched apart, as upstream batches them, so a key two groups share
// orders nothing between them.
func (jc *jobCompare) checkOrder(gotAt map[int][]place) {
	groups := map[string][]orderedJob{}
	var keys []string
	for p, in := range jc.inputs {
		g := gotAt[p]
		if len(g) != 1 {
			continue
		}
		e := jc.got[g[0].entry]
		if _, isErr := e["error"]; isErr {
			continue
		}
		msg, err := decodeJSON(in.Message)
		if err != nil {
			continue
		}
		var object map[string]any
		if isBatch(e) {
			b, _ := e["batchedRequest"].(map[string]any)["body"].(map[string]any)
			o, _ := batchObject(b, g[0].member)
			object, _ = o.(map[string]any)
		}
		// A destination that does not decode fails the job's comparison;
		// its jobs are checked together.
		group, _ := destinationKey(in.Destination)
		if _, seen := groups[group]; !seen {
			keys = append(keys, group)
		}
		groups[group] = append(groups[group], orderedJob{position: p, result: g[0].entry, keys: orderingKeys(msg, object)})
	}
	for _, group := range keys {
		jc.diffs = append(jc.diffs, orderViolations(groups[group])...)
	}
}

// checkLimits checks D4 on every batch of the answer.
func (jc *jobCompare) checkLimits() {
	for ei, e := range jc.got {
		if !isBatch(e) {
			continue
		}
		body, _ := e["batchedRequest"].(map[string]any)["body"].(map[string]any)
		raw, err := json.Marshal(body["JSON"])
		if err != nil {
			continue
		}
		at := fmt.Sprintf("output[%d]", ei)
		b, err := parseBatchBody(string(raw))
		if err != nil {
			jc.diffs = append(jc.diffs, noteAt(at, "%v", err))
			continue
		}
		jc.diffs = append(jc.diffs, limitViolations(at, string(raw), b, limitBatchObjects)...)
	}
}
