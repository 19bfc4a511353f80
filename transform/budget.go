package transform

import (
	"strconv"

	"github.com/cio-transformer/cio-transformer/internal/jsvalue"
)

// maxKeyInError is how many bytes of an offending key an error quotes.
const maxKeyInError = 128

// budget counts what one event produces while its output is built, so that
// a small event that would expand to megabytes fails early and cheaply.
// Only the steps that can produce more than they read are counted (array
// elements and nested objects a key path creates, keys a spread creates);
// the finished output is measured exactly (see Limits.mapV1). The counts
// are lower bounds of the bytes written, so an event under the cap never
// fails early, but for what a later key path overwrites: an event whose
// key paths create more than the cap's worth of nested objects and then
// replace them fails, where upstream would build them all.
type budget struct {
	left, max int
}

// newBudget returns a budget of limit bytes.
func newBudget(limit int) budget { return budget{left: limit, max: limit} }

// spend counts n bytes, and returns the error of an event over its budget.
func (b *budget) spend(n int) *Error {
	b.left -= n
	if b.left < 0 {
		return eventTooLargeError(b.max)
	}
	return nil
}

// eventTooLargeError is the error of an event whose output is over the
// per-event cap of limit bytes.
func eventTooLargeError(limit int) *Error {
	return instrumentationError(overCapPrefix + strconv.Itoa(limit) + " bytes, the per-event limit")
}

// overCapPrefix starts the message of an event over a cap.
const overCapPrefix = "Event produces more than "

// keyPathIndexError is the error of a key path whose array index is above
// maxKeyPathIndex (deviation D9).
func keyPathIndexError(key string) *Error {
	return instrumentationError("Key " + quoteKey(key) + " has an array index above " +
		strconv.Itoa(maxKeyPathIndex) + ", the limit for key paths")
}

// keyPathDepthError is the error of a key path of more than
// maxKeyPathDepth segments (deviation D5).
func keyPathDepthError(key string) *Error {
	return instrumentationError("Key " + quoteKey(key) + " nests more than " +
		strconv.Itoa(maxKeyPathDepth) + " levels, the limit for key paths")
}

// quoteKey returns key as a JSON string, cut to maxKeyInError bytes.
func quoteKey(key string) string {
	if len(key) > maxKeyInError {
		cut := maxKeyInError
		for cut > 0 && key[cut]&0xC0 == 0x80 {
			cut--
		}
		return string(jsvalue.AppendJSONString(nil, key[:cut])) + "..."
	}
	return string(jsvalue.AppendJSONString(nil, key))
}
