package transform

import "testing"

func TestKeys(t *testing.T) {
	t.Parallel()
	runMappings(t, []mapping{
		{
			name:  "identify",
			event: `{"type":"identify","userId":"u","anonymousId":"a","traits":{"email":"e@x.com"}}`,
			want:  `{"keys":["user:u","anon:a","email:e@x.com"]}`,
		},
		{
			name:  "numbers in their JavaScript form",
			event: `{"type":"track","event":"E","userId":1.50,"anonymousId":1e21}`,
			want:  `{"keys":["user:1.5","anon:1e+21"]}`,
		},
		{
			name:  "falsy ids are absent",
			event: `{"type":"track","event":"E","userId":"","anonymousId":"a","traits":{"email":""}}`,
			want:  `{"keys":["anon:a"]}`,
		},
		{
			name:  "alias adds the previous id",
			event: `{"type":"alias","userId":"u","previousId":"p@x.com"}`,
			want:  `{"keys":["user:u","user:p@x.com"]}`,
		},
		{
			name:  "group adds its object",
			event: `{"type":"group","groupId":"g","userId":"u","traits":{"objectTypeId":"c"}}`,
			want:  `{"keys":["user:u","object:c/g"]}`,
		},
		{
			name:  "a truthy id whose string is empty is still a key",
			event: `{"type":"identify","traits":{"userId":[]}}`,
			want:  `{"keys":["user:"],"endpoint":"https://track.customer.io/api/v1/customers/"}`,
		},
		{
			name:  "errors have no keys",
			event: `{"type":"identify","anonymousId":"a"}`,
			want:  `{"keys":null,"error":"userId or email is not present"}`,
		},
	})
}
