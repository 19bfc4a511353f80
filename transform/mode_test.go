package transform

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/cio-transformer/cio-transformer/internal/eventmix"
	"github.com/cio-transformer/cio-transformer/internal/jsvalue"
)

// TestModeMap checks the decisions Map makes for a job: the API mode, the
// job's dontBatch, the per-event cap, and the 400 of an unreadable event.
func TestModeMap(t *testing.T) {
	t.Parallel()
	big := `{"type":"identify","userId":"u1","traits":{"name":"` + strings.Repeat("x", 200) + `"}}`
	for _, tc := range []struct {
		name string
		mode Mode
		job  Job
		// kind is the result's kind; path its request's endpointPath, or
		// err a substring of its error.
		kind Kind
		path string
		err  string
		typ  EventType
	}{
		{"v1 request", Mode{}, Job{Raw: []byte(`{"type":"identify","userId":"u1"}`)}, KindRequest, "v1/customers", "", EventIdentify},
		{"v1 group object", Mode{}, Job{Raw: []byte(`{"type":"group","userId":"u1","groupId":"g"}`)}, KindObject, "", "", EventGroup},
		{"v1 ignores dontBatch", Mode{}, Job{Raw: []byte(`{"type":"group","userId":"u1","groupId":"g"}`), DontBatch: true}, KindObject, "", "", EventGroup},
		{"v2 object", Mode{V2: true}, Job{Raw: []byte(`{"type":"identify","userId":"u1"}`)}, KindObject, "", "", EventIdentify},
		{"v2 dontBatch is a batch of one", Mode{V2: true}, Job{Raw: []byte(`{"type":"identify","userId":"u1"}`), DontBatch: true}, KindRequest, "v2/batch", "", EventIdentify},
		{"typed event", Mode{}, Job{Event: mustParse(t, `{"type":"TRACK","userId":"u1","event":"e"}`)}, KindRequest, "v1/customers/events", "", EventTrack},
		{"not valid JSON", Mode{}, Job{Raw: []byte(`{"type":`)}, KindError, "", "Event is not valid JSON: ", EventUnknown},
		{"empty raw event", Mode{V2: true}, Job{Raw: []byte{}}, KindError, "", "Event is not valid JSON: ", EventUnknown},
		{"missing", Mode{}, Job{Missing: true}, KindError, "", "Event is missing", EventUnknown},
		{"undefined event reads as no type", Mode{}, Job{}, KindError, "", "could not determine type undefined", EventUnknown},
		{"misspelt type", Mode{}, Job{Raw: []byte(`{"type":"trak"}`)}, KindError, "", "could not determine type trak", EventUnknown},
		{"record", Mode{V2: true}, Job{Raw: []byte(`{"type":"record"}`)}, KindError, "", "", EventRecord},
		{"v1 under the cap", Mode{}, Job{Raw: []byte(big)}, KindRequest, "v1/customers", "", EventIdentify},
		{"v1 over the cap", Mode{MaxEventBytes: 100}, Job{Raw: []byte(big)}, KindError, "", "100 bytes", EventIdentify},
		{"v2 over the cap", Mode{V2: true, MaxEventBytes: 100}, Job{Raw: []byte(big)}, KindError, "", "100 bytes", EventIdentify},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := tc.mode.Map(tc.job, testDest)
			if got := r.Kind(); got != tc.kind {
				t.Fatalf("kind %d, want %d (result %+v)", got, tc.kind, r)
			}
			if r.Type != tc.typ {
				t.Errorf("type %s, want %s", r.Type, tc.typ)
			}
			if tc.path != "" && r.Request.EndpointPath != tc.path {
				t.Errorf("endpointPath %q, want %q", r.Request.EndpointPath, tc.path)
			}
			if tc.err != "" && (r.Err.StatusCode != 400 || !strings.Contains(r.Err.Message, tc.err)) {
				t.Errorf("error %d %q, want a 400 containing %q", r.Err.StatusCode, r.Err.Message, tc.err)
			}
		})
	}
}

// TestModeLimits checks the batch limits of each API mode and that the
// per-event cap goes with them.
func TestModeLimits(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		mode Mode
		want Limits
	}{
		{"v1", Mode{}, DefaultLimits()},
		{"v2", Mode{V2: true}, V2Limits()},
		{"v1 capped", Mode{MaxEventBytes: 10}, Limits{MaxObjects: MaxBatchObjects, MaxBytes: MaxBatchBytes, MaxEventBytes: 10}},
	} {
		if got := tc.mode.Limits(); got != tc.want {
			t.Errorf("%s: limits %+v, want %+v", tc.name, got, tc.want)
		}
	}
}

// TestAlone checks the entry of a job answered on its own: a lone object is
// a batch of one attributed to the object's user.
func TestAlone(t *testing.T) {
	t.Parallel()
	group := Transform(mustParse(t, `{"type":"group","userId":"u1","groupId":"g"}`), testDest)
	e := Alone(testDest, group)
	if e.Request == nil || !e.Request.IsBatch() || e.Request.UserID != "u1" || len(e.Jobs) != 1 {
		t.Fatalf("entry %+v, want a batch of one for u1", e)
	}
	if got, want := string(e.Request.Body), `{"batch":[`+string(group.Object)+`]}`; got != want {
		t.Errorf("body %s, want %s", got, want)
	}
	bad := Result{Err: InternalError()}
	if e := Alone(testDest, bad); e.Err != bad.Err || e.Request != nil {
		t.Errorf("entry %+v, want the error", e)
	}
	req := Transform(mustParse(t, `{"type":"identify","userId":"u1"}`), testDest)
	if e := Alone(testDest, req); e.Request != req.Request || e.Request.IsBatch() {
		t.Errorf("entry %+v, want the request", e)
	}
}

// TestModeMapType checks that the type a result names is the one
// eventTypeOf reads in the event, in every mode, for the event mix and for
// types that are odd in case, missing, not strings or repeated, and for a
// destination whose configuration fails the event before its type is read.
func TestModeMapType(t *testing.T) {
	t.Parallel()
	events := [][]byte{
		[]byte(`{"type":"TRACK","event":"e","userId":"u"}`),
		[]byte(`{"type":"Identify","userId":"u"}`),
		[]byte("{\"type\":\"trac\u212a\",\"event\":\"e\",\"userId\":\"u\"}"),
		[]byte("{\"type\":\"\u017fcreen\",\"userId\":\"u\"}"),
		[]byte("{\"type\":\"\u0130dentify\",\"userId\":\"u\"}"),
		[]byte(`{"type":"track","userId":"u"}`),
		[]byte(`{"type":"page","type":"group","userId":"u","groupId":"g"}`),
		[]byte(`{"type":"record","action":"insert","fields":{"id":"1"}}`),
		[]byte(`{"type":"record","action":"insert","identifiers":{"id":"u"},"fields":{"a":1}}`),
		[]byte(`{"type":"Record","action":"insert","identifiers":{"id":"u"}}`),
		[]byte(`{"type":"nope","userId":"u"}`),
		[]byte(`{"type":null}`),
		[]byte(`{"type":7}`),
		[]byte(`{"userId":"u"}`),
		[]byte(`["track"]`),
		[]byte(`"identify"`),
		[]byte(`{"type":"track","event":"e","userId":"u","context":{"mappedToDestination":true}}`),
		[]byte(`{"type":"identify","userId":"u","traits":{"name":"` + strings.Repeat("x", 300) + `"}}`),
	}
	for _, e := range eventmix.Generate(7, 2000) {
		events = append(events, e.JSON)
	}
	good := NewDestination(DestinationConfig{ID: "d1", SiteID: "site", APIKey: "key"})
	modes := []Mode{{}, {MaxEventBytes: 200}, {V2: true}, {V2: true, MaxEventBytes: 200}}
	conn, err := jsvalue.Parse([]byte(personConnection))
	if err != nil {
		t.Fatal(err)
	}
	records := 0
	for _, raw := range events {
		v, err := jsvalue.Parse(raw)
		if err != nil {
			t.Fatalf("%s: %v", raw, err)
		}
		want := eventTypeOf(v)
		for _, dest := range []*Destination{good, nil} {
			for _, m := range modes {
				for _, dontBatch := range []bool{false, true} {
					for _, c := range []jsvalue.Value{jsvalue.Undefined(), conn} {
						r := m.Map(Job{Raw: raw, DontBatch: dontBatch, Connection: c}, dest)
						if r.Type != want {
							t.Fatalf("%s in %+v (dontBatch %v, destination %v): type %v, want %v", raw, m, dontBatch, dest != nil, r.Type, want)
						}
						if r.Type == EventRecord && r.Err == nil {
							records++
						}
					}
				}
			}
		}
	}
	if records == 0 {
		t.Error("no record event was mapped")
	}
}

// TestModeMapRawImmutable checks that parsing a job's Raw in place
// (RawImmutable) maps every event of the mix, and the events above, to what
// parsing a copy does.
func TestModeMapRawImmutable(t *testing.T) {
	t.Parallel()
	events := [][]byte{
		[]byte(`{"type":"identify","userId":"u","traits":{"a.b":1,"c":"\u00e9\ud800"}}`),
		[]byte(`{"type":"track","event":"e","userId":"u","properties":{"k":[1,{"x":"y"}]}}`),
		[]byte(`{"type":"group","userId":"u","groupId":"g","traits":{"n":1}}`),
		[]byte(`{"type":`),
		[]byte(`"identify"`),
	}
	for _, e := range eventmix.Generate(11, 1000) {
		events = append(events, e.JSON)
	}
	dest := NewDestination(DestinationConfig{ID: "d1", SiteID: "site", APIKey: "key"})
	for _, raw := range events {
		for _, m := range []Mode{{}, {V2: true}} {
			want := Alone(dest, m.Map(Job{Raw: slices.Clone(raw)}, dest))
			got := Alone(dest, m.Map(Job{Raw: slices.Clone(raw), RawImmutable: true}, dest))
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("%s in %+v: in place %+v, from a copy %+v", raw, m, got, want)
			}
		}
	}
}

// TestResultHoldsNoValue checks that nothing a Result holds can be a
// jsvalue type, nor an interface, function or unsafe pointer that could
// hide one: Map releases the lease of an event's document (see Job.event)
// once the Result is made, and no Value of it may outlive that.
func TestResultHoldsNoValue(t *testing.T) {
	t.Parallel()
	jsPkg := reflect.TypeFor[jsvalue.Value]().PkgPath()
	seen := map[reflect.Type]bool{}
	var walk func(typ reflect.Type, path string)
	walk = func(typ reflect.Type, path string) {
		if seen[typ] {
			return
		}
		seen[typ] = true
		if typ.PkgPath() == jsPkg {
			t.Errorf("%s is a %v", path, typ)
			return
		}
		switch typ.Kind() {
		case reflect.Interface, reflect.Func, reflect.UnsafePointer, reflect.Chan, reflect.Map:
			t.Errorf("%s is a %v, which could hold a Value", path, typ)
		case reflect.Pointer, reflect.Slice, reflect.Array:
			walk(typ.Elem(), path+"[]")
		case reflect.Struct:
			for i := range typ.NumField() {
				f := typ.Field(i)
				walk(f.Type, path+"."+f.Name)
			}
		}
	}
	walk(reflect.TypeFor[Result](), "Result")
}
