package transform_test

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/cio-transformer/cio-transformer/internal/eventmix"
	"github.com/cio-transformer/cio-transformer/transform"
)

// holesEvent is an identify of about 600 bytes whose user properties
// spread 30 key paths of the largest allowed array index: close to a
// megabyte of body.
func holesEvent(user int) []byte {
	keys := make([]string, 30)
	for k := range keys {
		keys[k] = fmt.Sprintf(`"k%d.6553":1`, k)
	}
	return fmt.Appendf(nil, `{"type":"identify","userId":"u%d","user_properties":{%s}}`, user, strings.Join(keys, ","))
}

// outputBytes is what a result produced, as the caps count it.
func outputBytes(r transform.Result) int {
	if r.Request != nil {
		return len(r.Request.Body)
	}
	return len(r.Object)
}

// TestOutputBoundsARequest checks that the events of one request produce
// together at most the per-event cap and RequestOutputFactor times their
// size: of 200 events that each expand to nearly the cap, the first is
// mapped and the others fail with the request's error, each job
// accounted for, while each of them alone maps.
func TestOutputBoundsARequest(t *testing.T) {
	t.Parallel()
	dest := transform.NewDestination(transform.DestinationConfig{SiteID: "s", APIKey: "k"})
	var m transform.Mode
	if r := m.Map(transform.Job{Raw: holesEvent(0)}, dest); r.Err != nil || outputBytes(r) < 900_000 {
		t.Fatalf("alone, the event maps to %d bytes, %v; want nearly a megabyte", outputBytes(r), r.Err)
	}
	o := m.NewOutput()
	produced, in, failed := 0, 0, 0
	for i := range 200 {
		ev := holesEvent(i)
		in += len(ev)
		r := o.MapIn(m, nil, transform.Job{Raw: ev}, dest, 0)
		produced += outputBytes(r)
		switch {
		case r.Err == nil:
			if i > 0 {
				t.Errorf("event %d mapped after the first", i)
			}
		case strings.Contains(r.Err.Message, "what is left of its request's output limit"):
			failed++
		default:
			t.Errorf("event %d: %v", i, r.Err)
		}
	}
	if failed != 199 {
		t.Errorf("%d events failed, want 199", failed)
	}
	if bound := transform.DefaultMaxEventBytes + transform.RequestOutputFactor*in; produced > bound {
		t.Errorf("the request produced %d bytes, more than its bound of %d", produced, bound)
	}
}

// TestOutputLeavesTrafficAlone checks that the bound changes nothing for
// events that produce about their own size: the benchmark mix, mapped
// under one Output, maps as each event does alone, and an event over the
// per-event cap does not make the next one fail.
func TestOutputLeavesTrafficAlone(t *testing.T) {
	t.Parallel()
	dest := transform.NewDestination(transform.DestinationConfig{SiteID: "s", APIKey: "k"})
	for _, m := range []transform.Mode{{}, {V2: true}} {
		o := m.NewOutput()
		for i, e := range eventmix.Generate(1, 2000) {
			want := m.Map(transform.Job{Raw: e.JSON}, dest)
			got := o.MapIn(m, nil, transform.Job{Raw: e.JSON}, dest, 0)
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("v2=%t, event %d: %+v under the bound, %+v alone", m.V2, i, got.Err, want.Err)
			}
		}
	}
	small := transform.Mode{MaxEventBytes: 100_000}
	o := small.NewOutput()
	if r := o.MapIn(small, nil, transform.Job{Raw: holesEvent(1)}, dest, 0); r.Err == nil || !strings.Contains(r.Err.Message, "the per-event limit") {
		t.Fatalf("over the per-event cap: %v", r.Err)
	}
	ev := []byte(`{"type":"identify","userId":"u","traits":{"email":"a@b.co","plan":"pro"}}`)
	if r := o.MapIn(small, nil, transform.Job{Raw: ev}, dest, 0); r.Err != nil {
		t.Errorf("after an event over the cap, a small event: %v", r.Err)
	}
}
