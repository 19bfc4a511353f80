package transform

import (
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/cio-transformer/cio-transformer/internal/jsvalue"
)

// linearInputs build, for a size n, an event whose mapping was once
// quadratic in n: each names the path it exercises.
var linearInputs = []struct {
	name  string
	v2    bool
	event func(n int) jsvalue.Value
}{
	{"device string properties spread into the device", false, func(n int) jsvalue.Value {
		return boundsEvent(`{"type":"track","userId":"u1","event":"Application Installed","context":{"device":{"token":"t1"}},"properties":"` +
			strings.Repeat("a", n) + `"}`)
	}},
	{"v2 device string properties spread into the attributes", true, func(n int) jsvalue.Value {
		return boundsEvent(`{"type":"track","userId":"u1","event":"Application Installed","context":{"device":{"token":"t1"}},"properties":"` +
			strings.Repeat("a", n/8) + `"}`)
	}},
	{"trait keys after a dotted key", false, func(n int) jsvalue.Value {
		return boundsEvent(string(identifyOf("traits", `"a.b.c":1`, n, "t")))
	}},
	{"user_properties keys", false, func(n int) jsvalue.Value {
		return boundsEvent(string(identifyOf("user_properties", `"a.b":1`, n, "p")))
	}},
	{"v2 trait keys after a dotted key", true, func(n int) jsvalue.Value {
		return boundsEvent(string(identifyOf("traits", `"a.b.c":1`, n, "t")))
	}},
	{"typed traits with one key path", false, func(n int) jsvalue.Value {
		// Members read into Go, as a converted Struct has them.
		msg := boundsEvent(string(identifyOf("traits", `"a.b.c":1`, n, "k"))).ShallowCopy()
		msg.Set("traits", msg.Get("traits").ShallowCopy())
		return msg
	}},
	{"user_properties string deleting array traits", false, func(n int) jsvalue.Value {
		var b strings.Builder
		b.WriteString(`{"type":"identify","userId":"u1","traits":[`)
		for i := range n {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(strconv.Itoa(i))
		}
		b.WriteString(`],"user_properties":"` + strings.Repeat("x", n) + `"}`)
		return boundsEvent(b.String())
	}},
	{"trait key paths read through one object", false, func(n int) jsvalue.Value {
		// Each key "o.kN.x" is read with get-value through the member "o".
		var inner, keys strings.Builder
		for i := range n {
			if i > 0 {
				inner.WriteByte(',')
			}
			k := "k" + strconv.Itoa(i)
			inner.WriteString(`"` + k + `":{"x":` + strconv.Itoa(i) + `}`)
			keys.WriteString(`,"o.` + k + `.x":1`)
		}
		return boundsEvent(`{"type":"identify","userId":"u1","traits":{"o":{` + inner.String() + `}` + keys.String() + `}}`)
	}},
	{"one trait key of many segments", false, func(n int) jsvalue.Value {
		return boundsEvent(`{"type":"identify","userId":"u1","traits":{"x":1,"` + strings.Repeat("a.", n) + `a":1}}`)
	}},
	{"one user_properties key of many escaped segments", false, func(n int) jsvalue.Value {
		return boundsEvent(`{"type":"identify","userId":"u1","user_properties":{"x":1,"` + strings.Repeat(`a\\.`, n) + `a":1}}`)
	}},
	{"trait key paths read through one array", false, func(n int) jsvalue.Value {
		var inner, keys strings.Builder
		for i := range n {
			if i > 0 {
				inner.WriteByte(',')
			}
			inner.WriteString(`{"x":` + strconv.Itoa(i) + `}`)
			keys.WriteString(`,"l.` + strconv.Itoa(i) + `.x":1`)
		}
		return boundsEvent(`{"type":"identify","userId":"u1","traits":{"l":[` + inner.String() + `]` + keys.String() + `}}`)
	}},
}

// TestLinearWork maps each of linearInputs at n and 10n and checks that the
// work, counted as members looked at by object searches and as bytes
// allocated, grows about tenfold, not a hundredfold. It does not run in
// parallel: the counts are process-wide.
func TestLinearWork(t *testing.T) {
	const n = 2000
	dest := NewDestination(DestinationConfig{SiteID: "s", APIKey: "k"})
	for _, in := range linearInputs {
		t.Run(in.name, func(t *testing.T) {
			searches1, bytes1 := work(func() (jsvalue.Value, jsvalue.Value) { return in.event(n), jsvalue.Undefined() }, dest, in.v2)
			searches10, bytes10 := work(func() (jsvalue.Value, jsvalue.Value) { return in.event(10 * n), jsvalue.Undefined() }, dest, in.v2)
			t.Logf("searches %d -> %d, bytes %d -> %d", searches1, searches10, bytes1, bytes10)
			// Linear work grows 10x; quadratic, 100x. The slack covers
			// fixed costs and slice doubling.
			if searches10 > 20*max(searches1, n) {
				t.Errorf("searches grew from %d to %d for 10x the input", searches1, searches10)
			}
			if bytes10 > 20*max(bytes1, n) {
				t.Errorf("bytes allocated grew from %d to %d for 10x the input", bytes1, bytes10)
			}
		})
	}
}

// TestLinearValidation checks that listing the problems of a record's
// connection, each once, is linear in their number. It does not run in
// parallel: the counts are process-wide.
func TestLinearValidation(t *testing.T) {
	const n = 2000
	dest := NewDestination(DestinationConfig{SiteID: "s", APIKey: "k"})
	msg := boundsEvent(`{"type":"record","action":"insert","identifiers":{"id":"u1"}}`)
	conn := func(n int) jsvalue.Value {
		return boundsEvent(`{"config":{"destination":{"object":"o","fieldMappings":[` + strings.Repeat(`{"to":1},`, n) + `"x"]}}}`)
	}
	_, bytes1 := work(func() (jsvalue.Value, jsvalue.Value) { return msg, conn(n) }, dest, true)
	_, bytes10 := work(func() (jsvalue.Value, jsvalue.Value) { return msg, conn(10 * n) }, dest, true)
	if bytes10 > 20*bytes1 {
		t.Errorf("bytes allocated grew from %d to %d for 10x the problems", bytes1, bytes10)
	}
}

// work maps an event made by event (with its connection, in API mode
// v2) and returns the members its object searches looked at and the bytes
// it allocated. Each mapping starts with empty pools (two collections
// empty a sync.Pool), so that buffers reused from earlier mappings do not
// flatter one size and not another. The bytes are the process's, so the
// least of a few mappings, each of an event made anew, is taken: another
// goroutine allocating at the time adds to one count, never takes away.
func work(event func() (msg, connection jsvalue.Value), dest *Destination, v2 bool) (searches, bytes int64) {
	bytes = -1
	for range 3 {
		msg, connection := event()
		var c atomic.Int64
		var before, after runtime.MemStats
		runtime.GC()
		runtime.GC()
		runtime.ReadMemStats(&before)
		stop := jsvalue.CountSearches(&c)
		if v2 {
			BatchPayload(msg, connection, dest)
		} else {
			Transform(msg, dest)
		}
		stop()
		runtime.ReadMemStats(&after)
		searches = c.Load()
		if b := int64(after.TotalAlloc - before.TotalAlloc); bytes < 0 || b < bytes {
			bytes = b
		}
	}
	return searches, bytes
}

// boundsEvent parses an event of these tests.
func boundsEvent(s string) jsvalue.Value {
	v, err := jsvalue.Parse([]byte(s))
	if err != nil {
		panic(err)
	}
	return v
}

// TestMaxEventBytes maps events at and just under their own output size as
// the cap: at it they pass, one byte under they fail with the cap's
// message, in both API modes.
func TestMaxEventBytes(t *testing.T) {
	t.Parallel()
	dest := NewDestination(DestinationConfig{SiteID: "s", APIKey: "k"})
	tests := []struct {
		name  string
		v2    bool
		event string
	}{
		{"identify", false, `{"type":"identify","userId":"u1","traits":{"name":"Jane","plan":"pro"}}`},
		{"identify with key path arrays", false, `{"type":"identify","userId":"u1","traits":{"a.b.300":1,"c.d.5":2},"user_properties":{"e.40":3}}`},
		{"identify with nested key paths", false, `{"type":"identify","userId":"u1","traits":{"a.b.c.d":1,"e.f.g.h.i":2,"x":{"y":1}},"user_properties":{"m.n.o":3,"0.p.q":4}}`},
		{"device string properties", false, `{"type":"track","userId":"u1","event":"Application Installed","context":{"device":{"token":"t1"}},"properties":"` + strings.Repeat("é😀a", 300) + `"}`},
		{"track", false, `{"type":"track","userId":"u1","event":"E","properties":{"x":"` + strings.Repeat("y", 500) + `"}}`},
		{"group", false, `{"type":"group","userId":"u1","groupId":"g1","traits":{"name":"Acme"}}`},
		{"v2 identify", true, `{"type":"identify","userId":"u1","traits":{"name":"Jane","a.b":1}}`},
		{"v2 device string properties", true, `{"type":"track","userId":"u1","event":"Application Opened","context":{"device":{"token":"t1"}},"properties":"` + strings.Repeat("abc", 300) + `"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			msg := boundsEvent(tt.event)
			mapWith := func(max int) Result {
				l := Limits{MaxEventBytes: max}
				if tt.v2 {
					return l.BatchPayload(msg, jsvalue.Undefined(), dest)
				}
				return l.Transform(msg, dest)
			}
			r := mapWith(0)
			if r.Err != nil {
				t.Fatalf("default cap: %s", r.Err.Message)
			}
			size := len(r.Object)
			if r.Request != nil {
				size = len(r.Request.Body)
			}
			if r := mapWith(size); r.Err != nil {
				t.Errorf("cap %d, the output's size: %s", size, r.Err.Message)
			}
			r = mapWith(size - 1)
			want := "Event produces more than " + strconv.Itoa(size-1) + " bytes, the per-event limit"
			if r.Err == nil || r.Err.StatusCode != 400 || r.Err.Message != want {
				t.Errorf("cap %d: got %+v, want a 400 %q", size-1, r.Err, want)
			}
		})
	}
}

// TestEventBudgetStopsEarly maps events that would expand to many
// megabytes and checks that they fail with the cap's error having
// allocated a bounded amount, however far past the cap they would go. It
// does not run in parallel: it reads process-wide allocation counts.
func TestEventBudgetStopsEarly(t *testing.T) {
	dest := NewDestination(DestinationConfig{SiteID: "s", APIKey: "k"})
	keys := func(n int) jsvalue.Value {
		var b strings.Builder
		b.WriteString(`{"type":"identify","userId":"u1","traits":{`)
		for i := range n {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(`"x.k` + strconv.Itoa(i) + `.6553":1`)
		}
		b.WriteString(`}}`)
		return boundsEvent(b.String())
	}
	replaced := func(id, token int) jsvalue.Value {
		return boundsEvent(`{"type":"track","event":"Application Uninstalled","traits":{"id":["` + strings.Repeat("$`", id) +
			`"]},"context":{"device":{"token":["` + strings.Repeat("$`", token) + `"]}}}`)
	}
	spread := func(n int) jsvalue.Value {
		return boundsEvent(`{"type":"track","userId":"u1","event":"Application Installed","context":{"device":{"token":"t1"}},"properties":"` +
			strings.Repeat("a", n) + `"}`)
	}
	tests := []struct {
		name string
		msg  jsvalue.Value
	}{
		{"100 keys of 6554 elements", keys(100)},
		{"1000 keys of 6554 elements", keys(1000)},
		{"10000 keys of 6554 elements", keys(10000)},
		{"string of 150 KB", spread(150_000)},
		{"string of 1.5 MB", spread(1_500_000)},
		// String.prototype.replace writes the URL before an id's $` again
		// (see endpoint.replaces): 100,000 of them would be a 4 MB URL, and
		// 1,000 in the token after an id of 10,000, 430 MB.
		{"array id of 100000 $`", replaced(100_000, 1)},
		{"array token of 1000 $` after an id of 10000", replaced(10_000, 1_000)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			r := Transform(tt.msg, dest)
			runtime.ReadMemStats(&after)
			if r.Err == nil || !strings.HasPrefix(r.Err.Message, "Event produces more than 1048576 bytes") {
				t.Fatalf("got %+v, want the cap's error", r.Err)
			}
			// The holes of a megabyte of output are 40-byte Values: about
			// 8.4 MB, whatever the input would have grown to.
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 16<<20 {
				t.Errorf("allocated %d bytes before failing", alloc)
			}
		})
	}
}

// TestKeyPathIndexLimit checks deviation D9: an array index up to
// maxKeyPathIndex is written; above it the event fails with a 400 naming
// the key, for trait keys, user_properties keys and the reverse-ETL path.
func TestKeyPathIndexLimit(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("k", 300) + ".6554"
	tests := []keyPathCase{
		{"trait at the limit", `{"type":"identify","userId":"u1","traits":{"a.b.6553":1}}`, ""},
		{"trait above the limit", `{"type":"identify","userId":"u1","traits":{"a.b.6554":1}}`,
			`Key "a.b.6554" has an array index above 6553, the limit for key paths`},
		{"trait index read as a number", `{"type":"identify","userId":"u1","traits":{"a.b.1e4":1}}`,
			`Key "a.b.1e4" has an array index above 6553, the limit for key paths`},
		{"nested index above the limit", `{"type":"identify","userId":"u1","traits":{"a.b.0.70000.c":1}}`,
			`Key "a.b.0.70000.c" has an array index above 6553, the limit for key paths`},
		{"largest array index", `{"type":"identify","userId":"u1","traits":{"a.b.4294967294":1}}`,
			`Key "a.b.4294967294" has an array index above 6553, the limit for key paths`},
		{"past the largest array index is a property", `{"type":"identify","userId":"u1","traits":{"a.b.4294967295":1}}`, ""},
		{"user property at the limit", `{"type":"identify","userId":"u1","user_properties":{"p.6553":1}}`, ""},
		{"user property above the limit", `{"type":"identify","userId":"u1","user_properties":{"p.6554":1}}`,
			`Key "p.6554" has an array index above 6553, the limit for key paths`},
		{"long key cut in the message", `{"type":"identify","userId":"u1","user_properties":{"` + long + `":1}}`,
			`Key "` + long[:128] + `"... has an array index above 6553, the limit for key paths`},
		{"reverse-ETL identifier path", `{"type":"identify","traits":{},"context":{"mappedToDestination":true,"externalId":[{"id":"x","identifierType":"ids.9999"}]}}`,
			`Key "ids.9999" has an array index above 6553, the limit for key paths`},
	}
	runKeyPathCases(t, tests)
}

// TestKeyPathDepthLimit checks deviation D5 on deep key paths: a path of
// up to maxKeyPathDepth segments is written; a longer one, which upstream
// cannot serialize, fails with a 400 naming the key, before anything is
// built for it.
func TestKeyPathDepthLimit(t *testing.T) {
	t.Parallel()
	// A trait key's first dot is escaped: "x.a" is its first segment.
	path := func(segments int) string { return "x" + strings.Repeat(".a", segments) }
	tooDeep := path(maxKeyPathDepth + 1)
	want := `Key "` + tooDeep[:128] + `"... nests more than 10000 levels, the limit for key paths`
	tests := []keyPathCase{
		{"trait at the limit", `{"type":"identify","userId":"u1","traits":{"` + path(maxKeyPathDepth) + `":1}}`, ""},
		{"trait above the limit", `{"type":"identify","userId":"u1","traits":{"` + tooDeep + `":1}}`, want},
		{"user property above the limit", `{"type":"identify","userId":"u1","user_properties":{"` + tooDeep[2:] + `":1}}`,
			`Key "` + tooDeep[2:130] + `"... nests more than 10000 levels, the limit for key paths`},
	}
	runKeyPathCases(t, tests)
}

// TestNestedObjectsSpent checks that the objects key paths nest are spent
// from the event's budget: an event of deep paths whose output would pass
// the cap fails before it builds them, having allocated a fraction of
// what they would take.
func TestNestedObjectsSpent(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"type":"identify","userId":"u1","traits":{`)
	for i := range 400 {
		if i > 0 {
			b.WriteByte(',')
		}
		// 2,000 objects of `"a":{}` each, 4.8 MB of output in all.
		b.WriteString(`"k` + strconv.Itoa(i) + `.x` + strings.Repeat(".a", 2000) + `":1`)
	}
	b.WriteString(`}}`)
	msg := boundsEvent(b.String())
	dest := NewDestination(DestinationConfig{SiteID: "s", APIKey: "k"})
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	r := Transform(msg, dest)
	runtime.ReadMemStats(&after)
	want := "Event produces more than 1048576 bytes, the per-event limit"
	if r.Err == nil || r.Err.Message != want {
		t.Fatalf("got %+v, want %q", r.Err, want)
	}
	// The objects up to the cap, about 175,000 of them, take some 40 MB;
	// all 800,000 would take four times as much.
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 80<<20 {
		t.Errorf("allocated %d bytes before failing", alloc)
	}
}

// keyPathCase is an event whose key paths map, or fail with wantErr.
type keyPathCase struct {
	name    string
	event   string
	wantErr string // empty for success
}

// runKeyPathCases maps each case's event in a subtest.
func runKeyPathCases(t *testing.T, tests []keyPathCase) {
	t.Helper()
	dest := NewDestination(DestinationConfig{SiteID: "s", APIKey: "k"})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := Transform(boundsEvent(tt.event), dest)
			switch {
			case tt.wantErr == "" && r.Err != nil:
				t.Errorf("error %q, want success", r.Err.Message)
			case tt.wantErr != "" && (r.Err == nil || r.Err.StatusCode != 400 || r.Err.Message != tt.wantErr):
				t.Errorf("got %+v, want a 400 %q", r.Err, tt.wantErr)
			}
		})
	}
}

// TestSpreadBytes checks the count of spreadInto's output against the
// members it writes.
func TestSpreadBytes(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"", "a", "abcdefghij", strings.Repeat("x", 11), strings.Repeat("é", 101), "a😀b", strings.Repeat("z", 1234)} {
		dst := jsvalue.NewObject(0)
		b := newBudget(DefaultMaxEventBytes)
		if err := spreadInto(dst, jsvalue.String(s), &b); err != nil {
			t.Fatal(err.Message)
		}
		// Every member is written `"key":"value",`; the object adds its
		// braces and drops one comma.
		if got, want := spreadBytes(s), len(dst.AppendJSON(nil))-2+min(dst.Len(), 1); got != want {
			t.Errorf("spreadBytes(%q) = %d, the members take %d", s, got, want)
		}
	}
}
