package transform

import "testing"

func TestAlias(t *testing.T) {
	t.Parallel()
	runMappings(t, []mapping{
		{
			name:  "ids",
			event: `{"type":"alias","userId":"new","previousId":"old"}`,
			want: `{"method":"POST","endpoint":"https://track.customer.io/api/v1/merge_customers","endpointPath":"v1/merge_customers",
				"body":{"primary":{"id":"new"},"secondary":{"id":"old"}},"userId":"new","keys":["user:new","user:old"]}`,
		},
		{
			name:  "emails",
			event: `{"type":"alias","userId":"a@b.co","previousId":"\"q\"@x.com"}`,
			want:  `{"body":{"primary":{"email":"a@b.co"},"secondary":{"email":"\"q\"@x.com"}}}`,
		},
		{
			name:  "not quite emails",
			event: `{"type":"alias","userId":"a@b","previousId":" a@b.com"}`,
			want:  `{"body":{"primary":{"id":"a@b"},"secondary":{"id":" a@b.com"}}}`,
		},
		{
			name:  "the user id may come from traits",
			event: `{"type":"alias","traits":{"id":"t"},"previousId":"old"}`,
			want:  `{"body":{"primary":{"id":"t"},"secondary":{"id":"old"}}}`,
		},
		{
			name:  "numeric ids are strings",
			event: `{"type":"alias","userId":540667,"previousId":0}`,
			want:  `{"body":{"primary":{"id":"540667"},"secondary":{"id":"0"}}}`,
		},
		{
			name:  "a non-string trait id is an id",
			event: `{"type":"alias","traits":{"userId":5},"previousId":"p"}`,
			want:  `{"body":{"primary":{"id":5},"secondary":{"id":"p"}},"userId":"5"}`,
		},
		{
			name:  "previousId is required",
			event: `{"type":"alias","userId":"u"}`,
			want:  `{"error":"Both userId and previousId are mandatory for merge operation","errorType":"instrumentation"}`,
		},
		{
			name:  "userId is required",
			event: `{"type":"alias","previousId":"p","anonymousId":"a"}`,
			want:  `{"error":"Both userId and previousId are mandatory for merge operation"}`,
		},
	})
}
