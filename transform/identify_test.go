package transform

import (
	"reflect"
	"strings"
	"testing"

	"github.com/cio-transformer/cio-transformer/internal/jsvalue"
	"github.com/cio-transformer/cio-transformer/transform/internal/js"
)

func TestIdentify(t *testing.T) {
	t.Parallel()
	runMappings(t, []mapping{
		{
			name: "attributes",
			event: `{"type":"identify","userId":"u1","anonymousId":"a1",
				"traits":{"anonymousId":"x","userId":"y","email":"e@x.com","dot.name":"D",
					"address":{"city":"NY","country":"USA","postalCode":712136,"state":"CA","street":"","zip":"1"}},
				"user_properties":{"prop1":"val1"},
				"originalTimestamp":"2019-10-14T09:03:17.562Z"}`,
			want: `{"method":"PUT","endpoint":"https://track.customer.io/api/v1/customers/u1","endpointPath":"v1/customers",
				"headers":{"Authorization":"Basic c2l0ZTprZXk="},"userId":"u1",
				"body":{"city":"NY","country":"USA","postalCode":712136,"state":"CA","street":"","email":"e@x.com",
					"dot.name":"D","prop1":"val1","_timestamp":1571043797,"anonymous_id":"a1"},
				"keys":["user:u1","anon:a1","email:e@x.com"]}`,
		},
		{
			name:  "email is the id without a user id",
			event: `{"type":"identify","context":{"traits":{"email":"a+b@x.com"}}}`,
			want:  `{"endpoint":"https://track.customer.io/api/v1/customers/a%2Bb%40x.com","body":{"email":"a+b@x.com"},"userId":""}`,
		},
		{
			name:  "no user id and no email",
			event: `{"type":"identify","anonymousId":"a","traits":{"name":"n"}}`,
			want:  `{"error":"userId or email is not present","errorType":"instrumentation","status":400}`,
		},
		{
			name:  "traits hide context.traits",
			event: `{"type":"identify","userId":"u","traits":{"a":1},"context":{"traits":{"b":2,"email":"e@x.com"}}}`,
			want:  `{"body":{"a":1},"keys":["user:u","email:e@x.com"]}`,
		},
		{
			name:  "context.traits without traits",
			event: `{"type":"identify","userId":"u","traits":null,"context":{"traits":{"b":2,"address":{"city":null}}}}`,
			want:  `{"body":{"b":2,"city":null}}`,
		},
		{
			name:  "a non-object address is dropped",
			event: `{"type":"identify","userId":"u","traits":{"address":"Main St 1","k":"v"}}`,
			want:  `{"body":{"k":"v"}}`,
		},
		{
			name:  "a literal address.city trait is read for city",
			event: `{"type":"identify","userId":"u","traits":{"address.city":"C"}}`,
			want:  `{"body":{"city":"C","address.city":"C"}}`,
		},
		{
			name:  "only the first dot of a trait key is escaped",
			event: `{"type":"identify","userId":"u","traits":{"a.b.c":1,"x.y.z.w":2,"lvl.b/c":3,"back\\slash":4}}`,
			want:  `{"body":{"a.b":{"c":1},"x.y":{"z":{"w":2}},"lvl\\.b/c":3,"backslash":4}}`,
		},
		{
			name:  "numeric segments make arrays",
			event: `{"type":"identify","userId":"u","traits":{"ab.value.1":"v"},"user_properties":{"r.0":"w"}}`,
			want:  `{"body":{"ab.value":[null,"v"],"r":["w"]}}`,
		},
		{
			name:  "user_properties are not escaped and overwrite traits",
			event: `{"type":"identify","userId":"u","traits":{"p":"trait","k":"trait"},"user_properties":{"k":"prop","m.n":1,"t.":2,".l":3}}`,
			want:  `{"body":{"p":"trait","k":"prop","m":{"n":1},"t":2,"":{"l":3}}}`,
		},
		{
			// get-value reads "p.q" through the string "prop" and finds
			// nothing; set-value then replaces the string with an object.
			name:  "a value read through a string is undefined",
			event: `{"type":"identify","userId":"u","user_properties":{"p":"prop","p.q":1}}`,
			want:  `{"body":{"p":{}}}`,
		},
		{
			name:  "created_at from either traits, timestamps as seconds",
			event: `{"type":"identify","userId":"u","traits":{"k":1},"context":{"traits":{"createdAt":1400687660}},"timestamp":"2024-01-02"}`,
			want:  `{"body":{"k":1,"created_at":1400687,"_timestamp":1704153600}}`,
		},
		{
			name:  "invalid dates are null",
			event: `{"type":"identify","userId":"u","traits":{"createdAt":"not a date"},"originalTimestamp":"abc 2020"}`,
			want:  `{"body":{"created_at":null,"_timestamp":null}}`,
		},
		{
			name:  "a timestamp of 0 hides originalTimestamp",
			event: `{"type":"identify","userId":"u","timestamp":0,"originalTimestamp":"2024-01-02"}`,
			want:  `{"body":{}}`,
		},
		{
			name:  "reserved names survive unless overwritten",
			event: `{"type":"identify","userId":"u","anonymousId":"a","traits":{"created_at":"c","_timestamp":"t","anonymous_id":"x"}}`,
			want:  `{"body":{"created_at":"c","_timestamp":"t","anonymous_id":"a"}}`,
		},
		{
			name:  "array traits give index keys",
			event: `{"type":"identify","userId":"u","traits":["a","b"]}`,
			want:  `{"body":{"0":"a","1":"b"}}`,
		},
		{
			name:  "string traits give nothing",
			event: `{"type":"identify","userId":"u","traits":"abc","context":{"traits":{"k":1}}}`,
			want:  `{"body":{}}`,
		},
		{
			name:  "traits false stops at no keys",
			event: `{"type":"identify","userId":"u","traits":false,"context":{"traits":{"k":1,"address":{"city":"C"}}}}`,
			want:  `{"body":{"city":"C"}}`,
		},
		{
			name:  "integer-like trait keys are written as JavaScript numbers",
			event: `{"type":"identify","userId":"u","traits":{" 2":"a","01":"b"}}`,
			want:  `{"body":{"2":"a","1":"b"}}`,
		},
		{
			name:  "index keys are written first, as Object.keys lists them",
			event: `{"type":"identify","userId":"u","traits":{"01":"later","1":"first","b":"x","0":"y"}}`,
			want:  `{"body":{"0":"y","1":"later","b":"x"}}`,
		},
		{
			name:  "unsafe keys are ordinary keys",
			event: `{"type":"identify","userId":"u","traits":{"constructor":1,"prototype":2,"__proto__":{"x":3}}}`,
			want:  `{"body":{"constructor":1,"prototype":2,"__proto__":{"x":3}}}`,
		},
		{
			name:  "a city trait overwrites address.city",
			event: `{"type":"identify","userId":"u","traits":{"address":{"city":"Y","state":"S"},"city":"X"}}`,
			want:  `{"body":{"city":"X","state":"S"}}`,
		},
		{
			name:  "later keys overwrite what a key path wrote",
			event: `{"type":"identify","userId":"u","traits":{"a\\b":1,"ab":2}}`,
			want:  `{"body":{"ab":2}}`,
		},
		{
			// get-value reads "c\" as "c." and finds nothing, so set-value
			// deletes the key it makes of it, "cundefined".
			name:  "a trailing backslash reads nothing",
			event: `{"type":"identify","userId":"u","traits":{"c":3,"c\\":4}}`,
			want:  `{"body":{"c":3}}`,
		},
		{
			name:  "a key path writing into a trait value leaves the message alone",
			event: `{"type":"identify","userId":"u","traits":{"p":{"a":1},"arr":[1]},"user_properties":{"p.q":2,"arr.1":3}}`,
			want:  `{"body":{"p":{"a":1,"q":2},"arr":[1,3]}}`,
		},
	})
}

func TestLookup(t *testing.T) {
	t.Parallel()
	root, err := jsvalue.Parse([]byte(`{"a":{"b":1},"a.b":2,"x.y":{"z":3},"s":"str","s.t":4,"arr":[{"k":5}],"e.f":6}`))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, path, want string
	}{
		{"plain key", "s", `"str"`},
		{"nested before literal", "a.b", `1`},
		{"joined segments", "x.y.z", `3`},
		{"a string stops the walk", "s.t", `null`},
		{"array index", "arr.0.k", `5`},
		{"missing", "nope", `null`},
		{"escaped dot", `e\.f`, `6`},
		{"trailing backslash at the end", `s\`, `null`},
	}
	for _, tt := range tests {
		// Not in parallel: a Value is read by one goroutine at a time.
		t.Run(tt.name, func(t *testing.T) {
			got := string(js.Lookup(root, tt.path).AppendJSON(nil))
			if got != tt.want {
				t.Errorf("js.Lookup(%q) = %s, want %s", tt.path, got, tt.want)
			}
		})
	}
}

// TestAddressValues checks that addressValues reads what address.Get reads
// for each address key, whatever the address: members in any order, a
// duplicate key, members that are not address keys, and values that are
// not objects.
func TestAddressValues(t *testing.T) {
	t.Parallel()
	for _, text := range []string{
		`{"city":"C","country":"X","postalCode":"P","state":"S","street":"T"}`,
		`{"street":1,"zip":2,"state":null,"city":{"a":[1]},"country":false}`,
		`{"city":"first","city":"last","postalCode":""}`,
		`{}`, `[]`, `["city"]`, `"city"`, `12`, `null`, `true`,
	} {
		address, err := jsvalue.Parse([]byte(text))
		if err != nil {
			t.Fatal(err)
		}
		vals := addressValues(address)
		for i, k := range addressKeys {
			got, want := string(vals[i].AppendJSON(nil)), string(address.Get(k).AppendJSON(nil))
			if got != want || vals[i].Kind() != address.Get(k).Kind() {
				t.Errorf("addressValues(%s)[%q] = %s, address.Get reads %s", text, k, got, want)
			}
		}
	}
}

// TestPathWritesNoPlainKey checks what builtIdentifyBody relies on to append
// plain trait keys after a key path: a trait key path (first dot escaped)
// for which mayWritePlainKey is false writes no member of the body that a
// plain key names, for every key of up to four bytes from an alphabet of the
// bytes that matter to set-value and to numbers.
func TestPathWritesNoPlainKey(t *testing.T) {
	t.Parallel()
	const alphabet = `a_$0 1.\/-ex+`
	keys := []string{""}
	sawPlain := false
	for range 4 {
		var next []string
		for _, k := range keys {
			for i := range len(alphabet) {
				next = append(next, k+alphabet[i:i+1])
			}
		}
		for _, key := range next {
			if plainKey(key) {
				continue
			}
			obj := jsvalue.NewObject(0)
			b := newBudget(DefaultMaxEventBytes)
			if err := setPath(obj, key, jsvalue.String("v"), true, &b); err != nil {
				continue
			}
			for k := range obj.All() {
				if !plainKey(k) {
					continue
				}
				if !mayWritePlainKey(key) {
					t.Errorf("key path %q writes plain key %q", key, k)
				}
				sawPlain = true
			}
		}
		keys = next
	}
	if !sawPlain {
		t.Error("no key path wrote a plain key: the alphabet misses what makes one")
	}
}

// TestPlainKey checks plainKey, which looks at short keys byte by byte and
// searches long ones, against its definition, for keys on both sides of
// plainKeyScan with each byte value at each position.
func TestPlainKey(t *testing.T) {
	t.Parallel()
	want := func(k string) bool {
		if k == "" {
			return false
		}
		c := k[0]
		first := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '_' || c == '$'
		return first && !strings.ContainsAny(k, `.\`)
	}
	for _, first := range []string{"a", "Z", "_", "$", "0", " ", ".", `\`, "-"} {
		for n := 1; n <= 2*plainKeyScan+2; n++ {
			base := first + strings.Repeat("b", n-1)
			keys := []string{base}
			for i := range n {
				for c := range 256 {
					keys = append(keys, base[:i]+string([]byte{byte(c)})+base[i+1:])
				}
			}
			for _, k := range keys {
				if got := plainKey(k); got != want(k) {
					t.Errorf("plainKey(%q) = %v, want %v", k, got, want(k))
				}
			}
		}
	}
	if plainKey("") {
		t.Error(`plainKey("") = true`)
	}
}

// TestIdentifyLazyTraits checks that identify maps traits it reads from the
// message's index as it goes (Len, All) as it maps traits already read into
// members: with array-index keys, key paths, an address member or literal
// address keys, duplicates, and traits taken from context.traits.
func TestIdentifyLazyTraits(t *testing.T) {
	t.Parallel()
	traits := []string{
		`{"a.b.c":1,"k0":0,"k1":{"x":1},"city":"c"}`,
		`{"k0":0,"2":"two","a.b.c":1,"0":"zero","01":"z","k1":[1,2]}`,
		`{"x.y.z":1,"address":{"city":"NY","zip":1},"x.y":{"w":2},"name":"n"}`,
		`{"address.city":"LA","address.state":"CA","a.b.c":[1],"k":true}`,
		`{"k":1,"k":2,"a.b.c":3,"\\k":4,"j":5}`,
		`{"a\\.b":1,"a":{"b":2},"a.b.c":3}`,
	}
	for _, tr := range traits {
		for _, event := range []string{
			`{"type":"identify","userId":"u1","traits":` + tr + `}`,
			`{"type":"identify","userId":"u1","context":{"traits":` + tr + `},"traits":false}`,
			`{"type":"identify","userId":"u1","context":{"traits":` + tr + `}}`,
			`{"type":"identify","userId":"u1","traits":` + tr + `,"user_properties":{"p.q":1,"k0":9}}`,
		} {
			lazy := Transform(parseTestValue(t, event), testDestUS)
			msg := parseTestValue(t, event)
			msg.Get("traits").Members()
			msg.Get("context").Get("traits").Members()
			read := Transform(msg, testDestUS)
			if lazy.Request == nil {
				t.Errorf("%s: no request: %+v", event, lazy.Err)
			}
			if !reflect.DeepEqual(lazy, read) {
				t.Errorf("%s: lazy traits map to\n%+v\nread traits to\n%+v", event, lazy.Request, read.Request)
			}
		}
	}
}

// TestUserPropertiesIndexKeys checks the bytes of identify bodies whose
// user_properties have array index keys, key order included: the index
// keys are written first, in ascending order, appended or overwriting what
// the traits wrote.
func TestUserPropertiesIndexKeys(t *testing.T) {
	for _, tc := range []struct{ event, want string }{
		{
			`{"traits":{"k":0,"p":1},"user_properties":{"k":1,"0":"a","1":"b","m":2}}`,
			`{"k":1,"p":1,"0":"a","1":"b","m":2}`,
		},
		{
			`{"traits":{"1":"t","k":"v"},"user_properties":{"0":"a","1":"b","x.y":2,"2":"c"}}`,
			`{"1":"b","k":"v","0":"a","2":"c","x":{"y":2}}`,
		},
		{
			`{"traits":{"k":"v"},"user_properties":{"2":"c","x":1,"01":"d","0":"a"}}`,
			`{"k":"v","0":"a","2":"c","x":1,"1":"d"}`,
		},
		{
			`{"traits":{"0":"t"},"user_properties":{"0.b":2,"0":{"a":1},"1.0":3,"1":"s"}}`,
			`{"0":{"a":1},"1":[]}`,
		},
		{
			`{"traits":{"a\\.b.c":1,"0\\x":2},"user_properties":{"0x":3,"0":4,"1":5}}`,
			`{"a\\":{"b":{}},"0x":3,"0":4,"1":5}`,
		},
		{
			`{"traits":["t","u"],"user_properties":{"1":"b","x":{"y":1},"x.z":2}}`,
			`{"0":"t","1":"b","x":{"y":1}}`,
		},
	} {
		event := `{"type":"identify","userId":"u",` + tc.event[1:]
		r := transformText(t, event, testDest)
		if r.Err != nil {
			t.Fatalf("%s: %v", tc.event, r.Err.Message)
		}
		if got := string(r.Request.Body); got != tc.want {
			t.Errorf("%s:\n got %s\nwant %s", tc.event, got, tc.want)
		}
	}
}

// TestQuotedAddressKeys checks that quotedAddressKeys are addressKeys as
// JSON strings, which identify writes them as.
func TestQuotedAddressKeys(t *testing.T) {
	t.Parallel()
	for i, k := range addressKeys {
		if want := string(jsvalue.AppendJSONString(nil, k)); quotedAddressKeys[i] != want {
			t.Errorf("quotedAddressKeys[%d] = %s, want %s", i, quotedAddressKeys[i], want)
		}
	}
}

// TestWalks checks walks, which reads short keys byte by byte and longer
// ones with three searches, against the rule it states, at lengths on
// both sides of shortKey.
func TestWalks(t *testing.T) {
	want := func(k string, dots int) bool {
		if strings.Contains(k, "/") {
			return false
		}
		return strings.Contains(k, `\`) || strings.Count(k, ".") >= dots
	}
	var keys []string
	for _, base := range []string{"", "a", "a.b", "a.b.c", `a\b`, "a/b.c", `a\.b/`, "...", "x.y.z/"} {
		for _, n := range []int{0, 1, shortKey - len(base) - 1, shortKey - len(base), shortKey - len(base) + 1, 3 * shortKey} {
			if n < 0 {
				continue
			}
			pad := strings.Repeat("p", n)
			keys = append(keys, base+pad, pad+base)
		}
	}
	for _, k := range keys {
		for dots := 1; dots <= 2; dots++ {
			if got := walks(k, dots); got != want(k, dots) {
				t.Errorf("walks(%q, %d) = %v, want %v", k, dots, got, want(k, dots))
			}
		}
	}
}
