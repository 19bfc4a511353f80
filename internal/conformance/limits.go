package conformance

import (
	"encoding/json"
	"fmt"
)

// The limits of deviation D4, held here independently of the mapper's own
// constants so that the check does not trust the code it checks.
const (
	limitBatchObjects = 1000
	limitBatchBytes   = 500000
	limitObjectBytes  = 32768
)

// batchBody is a /api/v2/batch request body. Raw elements keep the bytes
// the service sent, so that object sizes are measured exactly.
type batchBody struct {
	raw     []json.RawMessage
	objects []any
}

// parseBatchBody reads a body of the form {"batch": [...]} and nothing else.
func parseBatchBody(body string) (*batchBody, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal([]byte(body), &top); err != nil {
		return nil, fmt.Errorf("body is not a JSON object: %w", err)
	}
	for k := range top {
		if k != "batch" {
			return nil, fmt.Errorf("body has the key %q besides batch", k)
		}
	}
	list, ok := top["batch"]
	if !ok {
		return nil, fmt.Errorf("body has no batch")
	}
	b := &batchBody{}
	if err := json.Unmarshal(list, &b.raw); err != nil {
		return nil, fmt.Errorf("batch is not an array: %w", err)
	}
	for i, r := range b.raw {
		v, err := decodeJSON(r)
		if err != nil {
			return nil, fmt.Errorf("batch[%d]: %w", i, err)
		}
		b.objects = append(b.objects, v)
	}
	return b, nil
}

// limitViolations checks deviation D4 on one batch request: it is not
// empty, holds at most maxObjects objects (limitBatchObjects, or no cap in
// API mode v2), its body is at most limitBatchBytes bytes and none of its
// objects is over limitObjectBytes bytes.
func limitViolations(at string, body string, b *batchBody, maxObjects int) []difference {
	var diffs []difference
	switch n := len(b.raw); {
	case n == 0:
		diffs = append(diffs, noteAt(at, "empty batch (D4)"))
	case n > maxObjects:
		diffs = append(diffs, noteAt(at, "batch of %d objects, over %d (D4)", n, maxObjects))
	}
	if len(body) > limitBatchBytes {
		diffs = append(diffs, noteAt(at, "batch body of %d bytes, over %d (D4)", len(body), limitBatchBytes))
	}
	for i, r := range b.raw {
		if len(r) > limitObjectBytes {
			diffs = append(diffs, noteAt(fmt.Sprintf("%s.body.JSON.batch[%d]", at, i),
				"object of %d bytes, over %d (D4)", len(r), limitObjectBytes))
		}
	}
	return diffs
}
