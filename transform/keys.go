package transform

import "github.com/cio-transformer/cio-transformer/internal/jsvalue"

// Ordering-key prefixes (see Result.Keys).
const (
	userKeyPrefix   = "user:"
	anonKeyPrefix   = "anon:"
	emailKeyPrefix  = "email:"
	objectKeyPrefix = "object:"
)

// maxKeys is the most ordering keys an event has: its user id, anonymous
// id and email, and an alias's previous id or a group's related person and
// object.
const maxKeys = 6

// maxRequestKeys is the most ordering keys an event with a request of its
// own has (see appendKeys).
const maxRequestKeys = 4

// appendKeys appends the text of the event's ordering keys to text, one
// after the other, and where each ends to ends: the user id, anonymous id
// and email it concerns, and an alias's previous id. Two events that share
// a key must reach Customer.io in input order (deviation D3). A key is
// present when its id is truthy, even if String(id) is empty (an empty
// array).
func (ev *event) appendKeys(text []byte, ends []int) ([]byte, []int) {
	text, ends = appendKey(text, ends, userKeyPrefix, ev.userIDOnly)
	text, ends = appendKey(text, ends, anonKeyPrefix, ev.anonymousID)
	text, ends = appendKey(text, ends, emailKeyPrefix, ev.email)
	if ev.typ == typeAlias {
		text, ends = appendKey(text, ends, userKeyPrefix, ev.previousID)
	}
	return text, ends
}

// appendKey appends the key of a truthy id (see appendKeys).
func appendKey(text []byte, ends []int, prefix string, id jsvalue.Value) ([]byte, []int) {
	if !id.Truthy() {
		return text, ends
	}
	// A string id, nearly every one, is its own String: read without the
	// call.
	s := id.Str()
	if !id.IsString() {
		s = id.JSString()
	}
	text = append(text, prefix...)
	text = append(text, s...)
	return text, append(ends, len(text))
}

// keyedUserID returns the request's RudderStack user id, String of
// userIdOnly || anonymousId, or "" when that is falsy (never the email,
// even when the email identifies the person in the endpoint), as the
// event's first key holds it: keys are the keys appendKeys wrote, which
// start with the key of userIdOnly when it is truthy, else with
// anonymousId's. A Result's user id is then its own text, as the rest of
// the Result is, and refers to none of the event's (TestResultOwnsItsText).
// It also returns which falsy value the user id is, as upstream's router
// transform leaves it (Request.UserIDFalsy), or NotFalsy.
func (ev *event) keyedUserID(keys []string) (string, FalsyID) {
	switch {
	case ev.userIDOnly.Truthy():
		return keys[0][len(userKeyPrefix):], NotFalsy
	case ev.anonymousID.Truthy():
		return keys[0][len(anonKeyPrefix):], NotFalsy
	}
	return "", falsyID(ev.anonymousID)
}

// sliceKeys sets keys to the texts in s that start at start and end at
// ends, one after the other, and returns keys.
func sliceKeys(keys []string, s string, start int, ends []int) []string {
	for i, end := range ends {
		keys[i] = s[start:end]
		start = end
	}
	return keys
}
