package transform_test

import (
	"encoding/json"
	"testing"

	"github.com/cio-transformer/cio-transformer/internal/jsvalue"
	"github.com/cio-transformer/cio-transformer/transform"
)

// TestUnixSecondsCorpus checks every date upstream converted in the shared
// corpora: identify's _timestamp and created_at, the events' timestamp and
// a device's last_used.
func TestUnixSecondsCorpus(t *testing.T) {
	t.Parallel()
	passed, failed := 0, 0
	check := func(where, field string, in any, got any) {
		t.Helper()
		want, err := json.Marshal(got)
		if err != nil {
			t.Fatal(err)
		}
		raw, err := json.Marshal(in)
		if err != nil {
			t.Fatal(err)
		}
		v, err := jsvalue.Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		if in == absent {
			v, raw = jsvalue.Undefined(), []byte("undefined")
		}
		if out := transform.UnixSeconds(v).AppendJSON(nil); string(out) != string(want) {
			failed++
			t.Errorf("%s %s: unixSeconds(%s) = %s, upstream %s", where, field, raw, out, want)
			return
		}
		passed++
	}
	forEachCorpusLine(t, func(name string, line map[string]any) {
		for _, mo := range corpusMessageOutputs(line) {
			msg, out := mo.message, mo.output
			body, _ := out["body"].(map[string]any)
			payload, _ := body["JSON"].(map[string]any)
			historical := firstSourceValue(msg["timestamp"], msg["originalTimestamp"])
			switch out["endpointPath"] {
			case "v1/customers":
				if jsTruthy(historical) {
					check(name, "_timestamp", historical, payload["_timestamp"])
				}
				traits, _ := msg["traits"].(map[string]any)
				ctx, _ := msg["context"].(map[string]any)
				ctxTraits, _ := ctx["traits"].(map[string]any)
				if created := firstSourceValue(traits["createdAt"], ctxTraits["createdAt"]); jsTruthy(created) {
					check(name, "created_at", created, payload["created_at"])
				}
			case "v1/customers/events", "v1/events":
				if jsTruthy(historical) {
					check(name, "timestamp", historical, payload["timestamp"])
				}
			case "v1/customers/devices":
				device, _ := payload["device"].(map[string]any)
				lastUsed, ok := msg["timestamp"]
				if !jsTruthy(lastUsed) {
					lastUsed, ok = msg["originalTimestamp"]
				}
				if !ok {
					lastUsed = absent
				}
				check(name, "last_used", lastUsed, device["last_used"])
			}
		}
	})
	t.Logf("%d passed, %d failed", passed, failed)
	if passed == 0 {
		t.Error("no corpus dates checked")
	}
}

// absent stands for a missing message key (undefined, not null).
var absent any = struct{ absent bool }{true}

// messageOutput pairs an input message with upstream's request for it.
type messageOutput struct {
	message, output map[string]any
}

// corpusMessageOutputs returns the messages of a corpus line that upstream
// turned into a request of their own, with that request: a processor
// line's message, and a router line's non-batched jobs matched by jobId.
func corpusMessageOutputs(line map[string]any) []messageOutput {
	if msg, ok := line["message"].(map[string]any); ok {
		outs := corpusOutputs(line)
		if len(outs) == 0 {
			return nil
		}
		// project_expected, when present, comes last and is what this
		// service produces; the dates agree either way.
		return []messageOutput{{msg, outs[len(outs)-1]}}
	}
	inputs, _ := line["input"].([]any)
	byJob := map[string]map[string]any{}
	for _, in := range inputs {
		m, _ := in.(map[string]any)
		meta, _ := m["metadata"].(map[string]any)
		msg, _ := m["message"].(map[string]any)
		if id, ok := meta["jobId"].(json.Number); ok && msg != nil {
			byJob[id.String()] = msg
		}
	}
	var pairs []messageOutput
	for _, key := range []string{"expected", "project_expected"} {
		entries, _ := line[key].([]any)
		for _, e := range entries {
			entry, _ := e.(map[string]any)
			req, _ := entry["batchedRequest"].(map[string]any)
			metas, _ := entry["metadata"].([]any)
			if req == nil || len(metas) != 1 {
				continue
			}
			meta, _ := metas[0].(map[string]any)
			id, _ := meta["jobId"].(json.Number)
			if msg, ok := byJob[id.String()]; ok {
				pairs = append(pairs, messageOutput{msg, req})
			}
		}
	}
	return pairs
}

// firstSourceValue picks from a mapping's source values as upstream's
// generic field mapping does: the first that is truthy, false or 0.
func firstSourceValue(vals ...any) any {
	for _, v := range vals {
		if jsTruthy(v) || v == false || v == json.Number("0") {
			return v
		}
	}
	return nil
}

// jsTruthy is JavaScript truthiness of a value decoded with UseNumber, as
// the JSON model reads it.
func jsTruthy(v any) bool {
	data, err := json.Marshal(v)
	if err != nil {
		return false
	}
	parsed, err := jsvalue.Parse(data)
	return err == nil && parsed.Truthy()
}
