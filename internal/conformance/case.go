package conformance

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"

	ciotransformerv1 "github.com/cio-transformer/cio-transformer/gen/ciotransformer/v1"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/types/known/structpb"
)

// Line variants and features of the conformance corpus.
const (
	variantLegacy       = "legacy"
	variantBatchingV2   = "batching_framework_v2"
	featureDataDelivery = "dataDelivery"
)

// Upstream's vocabulary, as the expected answers and configurations use it.
const (
	// batchEndpointMarker is how upstream tells a group batch from other
	// requests: its endpoint contains it.
	batchEndpointMarker = "v2/batch"
	hostTrackUS         = "track.customer.io"
	hostTrackEU         = "track-eu.customer.io"
	// datacenterEUSetting is the one datacenter value that selects the EU.
	datacenterEUSetting = "EU"
	// defaultGroupKeyValue stands in for a missing part of upstream's
	// destination grouping key.
	defaultGroupKeyValue = "default"
)

// caseLine is one line of a conformance file. Raw fields keep the exact
// bytes of the line, so that events reach the service as written.
type caseLine struct {
	Name            string          `json:"name"`
	Description     string          `json:"description"`
	Feature         string          `json:"feature"`
	Variant         string          `json:"variant"`
	Message         json.RawMessage `json:"message"`
	Metadata        json.RawMessage `json:"metadata"`
	Destination     json.RawMessage `json:"destination"`
	Input           json.RawMessage `json:"input"`
	Expected        json.RawMessage `json:"expected"`
	ProjectExpected json.RawMessage `json:"project_expected"`
}

// routerInput is one element of a router line's input.
type routerInput struct {
	Message     json.RawMessage `json:"message"`
	Metadata    json.RawMessage `json:"metadata"`
	Destination json.RawMessage `json:"destination"`
	Connection  json.RawMessage `json:"connection"`
}

// caseKind says how a line is replayed.
type caseKind int

const (
	kindUnknown caseKind = iota
	kindProcessor
	kindRouter
	kindDelivery
)

// kind classifies the line.
func (c *caseLine) kind() caseKind {
	switch {
	case c.Feature == featureDataDelivery:
		return kindDelivery
	case present(c.Input):
		switch c.Variant {
		case "", variantLegacy, variantBatchingV2:
			return kindRouter
		}
	case c.Message != nil && present(c.Expected):
		// A message of null is an event too: one that is not an object.
		return kindProcessor
	}
	return kindUnknown
}

// want returns the answer this service must give: project_expected when a
// deviation changes upstream's answer, else expected.
func (c *caseLine) want() json.RawMessage {
	if present(c.ProjectExpected) {
		return c.ProjectExpected
	}
	return c.Expected
}

// present reports whether a raw field was in the line (and not null).
func present(raw json.RawMessage) bool {
	return len(raw) > 0 && !bytes.Equal(raw, []byte("null"))
}

// destinationFrom converts an upstream destination object ({ID, Config,
// ...}) to the contract's Destination.
func destinationFrom(raw json.RawMessage) (*ciotransformerv1.Destination, error) {
	d := &ciotransformerv1.Destination{Datacenter: ciotransformerv1.Datacenter_DATACENTER_US}
	if !present(raw) {
		return d, nil
	}
	v, err := decodeJSON(raw)
	if err != nil {
		return nil, fmt.Errorf("destination: %w", err)
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("destination is not an object")
	}
	d.Id = credentialText(obj["ID"])
	cfg, _ := obj["Config"].(map[string]any)
	d.SiteId = credentialText(cfg["siteID"])
	d.ApiKey = credentialText(cfg["apiKey"])
	// Only the exact string "EU" selects the EU data centre upstream; "eu"
	// is the US.
	if dc, ok := cfg["datacenter"].(string); ok && dc == datacenterEUSetting {
		d.Datacenter = ciotransformerv1.Datacenter_DATACENTER_EU
	}
	if name, ok := cfg["deviceTokenEventName"].(string); ok {
		d.DeviceTokenEventName = name
	}
	return d, nil
}

// credentialText returns a configuration value as the string the contract
// carries: strings as they are, numbers as JavaScript prints them (upstream
// builds the Basic auth with String()), anything else empty.
func credentialText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case json.Number:
		if f, ok := numberValue(x); ok {
			return jsNumber(f)
		}
	}
	return ""
}

// metadataStruct converts a job's metadata to a Struct; absent metadata
// stays nil.
func metadataStruct(raw json.RawMessage) (*structpb.Struct, error) {
	if !present(raw) {
		return nil, nil
	}
	s := &structpb.Struct{}
	if err := protojson.Unmarshal(raw, s); err != nil {
		return nil, fmt.Errorf("metadata: %w", err)
	}
	return s, nil
}

// structJSON returns a Struct as decoded JSON; nil stays absent.
func structJSON(s *structpb.Struct) (any, bool, error) {
	if s == nil {
		return nil, false, nil
	}
	data, err := protojson.Marshal(s)
	if err != nil {
		return nil, false, err
	}
	v, err := decodeJSON(data)
	return v, err == nil, err
}

// newJob builds the job of one event, sent as raw JSON.
func newJob(id uint64, message, metadata json.RawMessage) (*ciotransformerv1.Job, error) {
	md, err := metadataStruct(metadata)
	if err != nil {
		return nil, err
	}
	return &ciotransformerv1.Job{
		JobId:    id,
		Metadata: md,
		Payload:  &ciotransformerv1.Job_RawEvent{RawEvent: slices.Clone(message)},
	}, nil
}

// canonicalJSON writes v with object keys sorted and numbers as JavaScript
// prints them, so that equal configurations give equal text.
func canonicalJSON(buf *bytes.Buffer, v any) {
	switch x := v.(type) {
	case map[string]any:
		buf.WriteByte('{')
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for i, k := range keys {
			if i > 0 {
				buf.WriteByte(',')
			}
			buf.WriteString(strconv.Quote(k))
			buf.WriteByte(':')
			canonicalJSON(buf, x[k])
		}
		buf.WriteByte('}')
	case []any:
		buf.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				buf.WriteByte(',')
			}
			canonicalJSON(buf, e)
		}
		buf.WriteByte(']')
	case json.Number:
		buf.WriteString(numberString(x))
	case string:
		buf.WriteString(strconv.Quote(x))
	case bool:
		buf.WriteString(strconv.FormatBool(x))
	default:
		buf.WriteString("null")
	}
}
