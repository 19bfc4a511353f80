package transform

import "testing"

func TestRETL(t *testing.T) {
	t.Parallel()
	runMappings(t, []mapping{
		{
			name: "the external id becomes the user id and a trait",
			event: `{"type":"identify","userId":"ignored","traits":{"k":1},
				"context":{"mappedToDestination":true,"externalId":[{"id":"x@y.com","identifierType":"email","type":"CUSTOMERIO-person"}]}}`,
			want: `{"endpoint":"https://track.customer.io/api/v1/customers/x%40y.com","body":{"k":1,"email":"x@y.com"},"userId":"x@y.com"}`,
		},
		{
			name: "a dotted identifierType nests",
			event: `{"type":"identify","traits":{"meta":{"a":1}},
				"context":{"mappedToDestination":"true","externalId":[{"id":"i1","identifierType":"meta.id"}]}}`,
			want: `{"body":{"meta":{"a":1,"id":"i1"}},"userId":"i1"}`,
		},
		{
			name: "context.traits take the id without traits",
			event: `{"type":"identify","context":{"traits":{"k":1},"mappedToDestination":1,
				"externalId":[{"id":"i1","identifierType":"cid"}]}}`,
			want: `{"body":{"k":1,"cid":"i1"}}`,
		},
		{
			name: "no traits at all",
			event: `{"type":"track","event":"E",
				"context":{"mappedToDestination":true,"externalId":[{"id":"i1","identifierType":"cid"}]}}`,
			want: `{"endpoint":"https://track.customer.io/api/v1/customers/i1/events","body":{"name":"E","type":"event"}}`,
		},
		{
			name: "a falsy external id keeps the user id",
			event: `{"type":"identify","userId":"u","traits":{},
				"context":{"mappedToDestination":true,"externalId":[{"id":"","identifierType":"cid"}]}}`,
			want: `{"body":{"cid":""},"userId":"u"}`,
		},
		{
			name: "a number identifierType writes no trait",
			event: `{"type":"identify","traits":{"k":1},
				"context":{"mappedToDestination":true,"externalId":[{"id":"i1","identifierType":0}]}}`,
			want: `{"body":{"k":1},"userId":"i1"}`,
		},
		{
			name: "a negative identifierType writes no trait either",
			event: `{"type":"identify","traits":{"k":1},
				"context":{"mappedToDestination":true,"externalId":[{"id":"i1","identifierType":-1}]}}`,
			want: `{"body":{"k":1},"userId":"i1"}`,
		},
		{
			name: "not mapped to the destination",
			event: `{"type":"identify","userId":"u","traits":{},
				"context":{"mappedToDestination":false,"externalId":[{"id":"x","identifierType":"cid"}]}}`,
			want: `{"body":{},"userId":"u"}`,
		},
		{
			name: "the external id is the email of last resort",
			event: `{"type":"track","event":"E",
				"context":{"externalId":[{"id":"x@y.com","identifierType":"email"}]}}`,
			want: `{"endpoint":"https://track.customer.io/api/v1/customers/x%40y.com/events"}`,
		},
	})
}
