package conformance

import (
	"bytes"
	"fmt"

	ciotransformerv1 "github.com/cio-transformer/cio-transformer/gen/ciotransformer/v1"
)

// destinationGroup is the inputs of a router line that upstream transforms
// together: one request message of the TransformBatch stream.
type destinationGroup struct {
	key       string
	dest      *ciotransformerv1.Destination
	eu        bool
	positions []int // input positions, in input order
	jobs      []*ciotransformerv1.Job
}

// groupByDestination splits a router line's inputs as upstream does before
// transforming: by destination ID (or "default") and the key-sorted JSON of
// destination.Config, the groups in order of first appearance. Each job's
// id is its input position.
func groupByDestination(inputs []routerInput) ([]*destinationGroup, error) {
	var groups []*destinationGroup
	index := map[string]*destinationGroup{}
	for i, in := range inputs {
		key, err := destinationKey(in.Destination)
		if err != nil {
			return nil, fmt.Errorf("input[%d]: %w", i, err)
		}
		g, ok := index[key]
		if !ok {
			dest, err := destinationFrom(in.Destination)
			if err != nil {
				return nil, fmt.Errorf("input[%d]: %w", i, err)
			}
			g = &destinationGroup{key: key, dest: dest, eu: dest.GetDatacenter() == ciotransformerv1.Datacenter_DATACENTER_EU}
			index[key] = g
			groups = append(groups, g)
		}
		job, err := newJob(uint64(i), in.Message, in.Metadata)
		if err != nil {
			return nil, fmt.Errorf("input[%d]: %w", i, err)
		}
		if job.Connection, err = connectionFrom(in.Connection); err != nil {
			return nil, fmt.Errorf("input[%d]: %w", i, err)
		}
		g.positions = append(g.positions, i)
		g.jobs = append(g.jobs, job)
	}
	return groups, nil
}

// destinationKey is upstream's grouping key of a destination. The middle
// part is upstream's source job id, which it reads where it never is, so it
// is always "default".
func destinationKey(raw []byte) (string, error) {
	var id, config any
	if present(raw) {
		v, err := decodeJSON(raw)
		if err != nil {
			return "", fmt.Errorf("destination: %w", err)
		}
		obj, ok := v.(map[string]any)
		if !ok {
			return "", fmt.Errorf("destination is not an object")
		}
		id, config = obj["ID"], obj["Config"]
	}
	var buf bytes.Buffer
	if truthy(id) {
		buf.WriteString(jsString(id))
	} else {
		buf.WriteString(defaultGroupKeyValue)
	}
	buf.WriteString("\x00" + defaultGroupKeyValue + "\x00")
	canonicalJSON(&buf, config)
	return buf.String(), nil
}
