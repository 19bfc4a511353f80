package transform

import (
	"strings"
	"testing"

	"github.com/cio-transformer/cio-transformer/internal/jsvalue"
)

func TestGroup(t *testing.T) {
	t.Parallel()
	// The object around a traits.big value of n bytes has 137 bytes more.
	fits := strings.Repeat("x", MaxObjectBytes-137)
	runMappings(t, []mapping{
		{
			name: "object",
			event: `{"type":"group","groupId":"group@1","userId":"user@1","anonymousId":"a",
				"traits":{"domainNames":"x.com","email":"help@rudderstack.com","name":"R","action":"identify"}}`,
			want: `{"object":{"type":"object","action":"identify",
					"attributes":{"domainNames":"x.com","email":"help@rudderstack.com","name":"R"},
					"identifiers":{"object_id":"group@1","object_type_id":"1"},
					"cio_relationships":[{"identifiers":{"id":"user@1"}}]},
				"userId":"user@1","keys":["user:user@1","anon:a","email:help@rudderstack.com","object:1/group@1"]}`,
		},
		{
			name:  "an email user id",
			event: `{"type":"group","groupId":"g","userId":"abc@xyz.com","traits":{"objectTypeId":"company"}}`,
			want: `{"object":{"type":"object","action":"identify","attributes":{"objectTypeId":"company"},
				"identifiers":{"object_id":"g","object_type_id":"company"},"cio_relationships":[{"identifiers":{"email":"abc@xyz.com"}}]}}`,
		},
		{
			name:  "the person by context.traits.email, not the group's email",
			event: `{"type":"group","groupId":"g","anonymousId":"a","traits":{"email":"group@x.com"},"context":{"traits":{"email":"person@x.com"}}}`,
			want: `{"object":{"type":"object","action":"identify","attributes":{"email":"group@x.com"},
				"identifiers":{"object_id":"g","object_type_id":"1"},"cio_relationships":[{"identifiers":{"email":"person@x.com"}}]},
				"userId":"a","keys":["anon:a","email:group@x.com","email:person@x.com","object:1/g"]}`,
		},
		{
			name:  "traits.id relates a person",
			event: `{"type":"group","groupId":"g","traits":{"id":"t1"}}`,
			want:  `{"object":{"type":"object","action":"identify","attributes":{"id":"t1"},"identifiers":{"object_id":"g","object_type_id":"1"},"cio_relationships":[{"identifiers":{"id":"t1"}}]},"userId":"t1"}`,
		},
		{
			name:  "a user id of 0 in traits relates the person \"0\"",
			event: `{"type":"group","groupId":"g","traits":{"userId":0}}`,
			want:  `{"object":{"type":"object","action":"identify","attributes":{"userId":0},"identifiers":{"object_id":"g","object_type_id":"1"},"cio_relationships":[{"identifiers":{"id":"0"}}]},"userId":"","keys":["user:0","object:1/g"]}`,
		},
		{
			name:  "no person",
			event: `{"type":"group","groupId":"g"}`,
			want:  `{"object":{"type":"object","action":"identify","attributes":{},"identifiers":{"object_id":"g","object_type_id":"1"},"cio_relationships":[]},"userId":""}`,
		},
		{
			name:  "a numeric relationship email is a string id",
			event: `{"type":"group","groupId":"g","context":{"traits":{"email":42}}}`,
			want:  `{"object":{"type":"object","action":"identify","attributes":{},"identifiers":{"object_id":"g","object_type_id":"1"},"cio_relationships":[{"identifiers":{"id":"42"}}]}}`,
		},
		{
			name:  "valid actions",
			event: `{"type":"group","groupId":"g","properties":{"action":"delete_relationships"}}`,
			want:  `{"object":{"type":"object","action":"delete_relationships","attributes":{},"identifiers":{"object_id":"g","object_type_id":"1"},"cio_relationships":[]}}`,
		},
		{
			name:  "an invalid traits.action hides properties.action",
			event: `{"type":"group","groupId":"g","traits":{"action":"Delete"},"properties":{"action":"delete"}}`,
			want:  `{"object":{"type":"object","action":"identify","attributes":{},"identifiers":{"object_id":"g","object_type_id":"1"},"cio_relationships":[]}}`,
		},
		{
			name:  "groupId from traits, numeric groupId and objectTypeId",
			event: `{"type":"group","traits":{"groupId":7,"objectTypeId":2}}`,
			want:  `{"object":{"type":"object","action":"identify","attributes":{"groupId":7,"objectTypeId":2},"identifiers":{"object_id":"7","object_type_id":"2"},"cio_relationships":[]},"keys":["object:2/7"]}`,
		},
		{
			name:  "groupId 0",
			event: `{"type":"group","groupId":0,"traits":{"objectTypeId":""}}`,
			want:  `{"object":{"type":"object","action":"identify","attributes":{"objectTypeId":""},"identifiers":{"object_id":"0"},"cio_relationships":[]}}`,
		},
		{
			name:  "groupId false",
			event: `{"type":"group","groupId":false,"traits":{"objectTypeId":null}}`,
			want:  `{"object":{"type":"object","action":"identify","attributes":{"objectTypeId":null},"identifiers":{"object_id":"false","object_type_id":"1"},"cio_relationships":[]}}`,
		},
		{
			name:  "string traits are the attributes",
			event: `{"type":"group","groupId":"g","traits":"abc"}`,
			want:  `{"object":{"type":"object","action":"identify","attributes":"abc","identifiers":{"object_id":"g","object_type_id":"1"},"cio_relationships":[]}}`,
		},
		{
			name:  "missing groupId",
			event: `{"type":"group","userId":"u"}`,
			want:  `{"error":"Missing required value from \"groupId\"","errorType":"instrumentation","status":400}`,
		},
		{
			name:  "empty groupId",
			event: `{"type":"group","groupId":"","userId":"u"}`,
			want:  `{"error":"Missing required value from \"groupId\""}`,
		},
		{
			name:  "null groupId",
			event: `{"type":"group","groupId":null,"traits":{"groupId":""}}`,
			want:  `{"error":"Missing required value from \"groupId\""}`,
		},
		{
			name:  "empty array groupId",
			event: `{"type":"group","groupId":[]}`,
			want:  `{"error":"Missing required value from \"groupId\""}`,
		},
		{
			name:  "object of 32 KB",
			event: `{"type":"group","groupId":"g","traits":{"big":"` + fits + `"}}`,
			want:  `{"keys":["object:1/g"]}`,
		},
		{
			name:  "object over 32 KB",
			event: `{"type":"group","groupId":"g","traits":{"big":"` + fits + `y"}}`,
			want:  `{"error":"Event size (32769 bytes) exceeds CustomerIO's 32KB per-object limit.","errorType":"instrumentation","status":400}`,
		},
	})
}

// TestGroupTraitIDs checks that what load and resolve read of the traits
// for group, in their one pass, is what a search of the traits reads:
// through a D5 copy of the traits, duplicate keys, the reverse-ETL rewrite
// and traits that are not an object.
func TestGroupTraitIDs(t *testing.T) {
	t.Parallel()
	for _, text := range []string{
		`{"type":"group","groupId":"g","traits":{"groupId":"t","objectTypeId":2,"action":"delete","name":"n"}}`,
		`{"type":"group","traits":{"email":12,"action":null,"objectTypeId":"3","groupId":0}}`,
		`{"type":"group","traits":{"action":"first","action":"last","groupId":"a","groupId":"b"}}`,
		`{"type":"group","traits":["groupId","action"]}`,
		`{"type":"group","traits":"action"}`,
		`{"type":"group","properties":{"action":"delete"}}`,
		`{"type":"group","traits":{"groupId":"g"},"context":{"mappedToDestination":true,"traits":{"action":"delete","objectTypeId":4}}}`,
	} {
		ev := loadedEvent(t, text)
		for key, got := range map[string]jsvalue.Value{"groupId": ev.ids.groupID, "objectTypeId": ev.ids.objectTypeID, "action": ev.ids.action} {
			want := ev.traits.Get(key)
			if got.Kind() != want.Kind() || string(got.AppendJSON(nil)) != string(want.AppendJSON(nil)) {
				t.Errorf("%s: traits.%s read as %s, Get reads %s", text, key, got.AppendJSON(nil), want.AppendJSON(nil))
			}
		}
	}
}
