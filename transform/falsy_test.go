package transform

import (
	"testing"

	"github.com/cio-transformer/cio-transformer/internal/jsvalue"
)

// TestFalsyUserID checks which falsy value a request's user id is, as
// upstream's router writes it, for user ids and anonymous ids of every
// kind.
func TestFalsyUserID(t *testing.T) {
	t.Parallel()
	tests := []struct {
		ids  string
		want FalsyID
		json string
	}{
		{ids: ``, want: FalsyUndefined},
		{ids: `"anonymousId":null`, want: FalsyNull, json: `null`},
		{ids: `"anonymousId":false`, want: FalsyFalse, json: `false`},
		{ids: `"anonymousId":""`, want: FalsyEmpty, json: `""`},
		{ids: `"userId":"","anonymousId":""`, want: FalsyEmpty, json: `""`},
		{ids: `"userId":0`, want: NotFalsy},
		{ids: `"anonymousId":0`, want: NotFalsy},
		{ids: `"anonymousId":[]`, want: NotFalsy},
		{ids: `"userId":false,"anonymousId":"a"`, want: NotFalsy},
	}
	for _, tt := range tests {
		sep := ""
		if tt.ids != "" {
			sep = ","
		}
		r := transformText(t, `{"type":"identify","traits":{"email":"a@b.co"}`+sep+tt.ids+`}`, testDest)
		if r.Request == nil {
			t.Fatalf("%s: no request: %+v", tt.ids, r.Err)
		}
		if got := r.Request.UserIDFalsy; got != tt.want {
			t.Errorf("%s: UserIDFalsy %d, want %d", tt.ids, got, tt.want)
		}
		if got := string(r.Request.UserIDFalsy.AppendJSON(nil)); got != tt.json {
			t.Errorf("%s: JSON %q, want %q", tt.ids, got, tt.json)
		}
	}
	if got := string(falsyID(jsvalue.Number(0)).AppendJSON(nil)); got != "0" {
		t.Errorf("the number 0 reads %q", got)
	}
}
