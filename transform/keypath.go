package transform

import (
	"strconv"
	"strings"

	"github.com/cio-transformer/cio-transformer/internal/jsvalue"
	"github.com/cio-transformer/cio-transformer/transform/internal/js"
)

// maxKeyPathIndex is the largest array index a key path may write
// (deviation D9). Upstream (npm set-value) grows a JavaScript array to any
// index and serializes the holes as null; "a.100000" would be a body of half
// a megabyte. Past this index the nulls alone exceed Customer.io's 32 KB
// per-entity limit, so Customer.io would reject the request anyway: the
// event fails with an error naming the key instead of allocating the array.
const maxKeyPathIndex = MaxObjectBytes / len("null,")

// maxKeyPathDepth is the most segments a key path may have: as many
// levels as a parsed event may nest (jsvalue.MaxDepth). Upstream's
// JavaScript fails to serialize a path of a few thousand segments
// already ("Maximum call stack size exceeded", a 500 for the whole
// request); here a longer path fails its job with a 400 naming the key
// (deviation D5), and a shorter one is written.
const maxKeyPathDepth = jsvalue.MaxDepth

// holeBytes is the least an array element created by a key path adds to the
// output: "null" and a comma.
const holeBytes = len("null,")

// pathSegment is one key of a split key path.
type pathSegment struct {
	// key is the property name: the segment itself, or for a numeric
	// segment JavaScript's String(Number(segment)) ("01" is "1").
	key string
	// num is set for a segment set-value turns into a number; when the next
	// segment is one, the current value becomes an array.
	num bool
	// index is the array index of a numeric segment, -1 when it has none:
	// an int64, which holds every JavaScript array index on any platform.
	index int64
}

// setPath writes val at the key path key of obj, as npm set-value 4.1.0's
// set(obj, key, val) does (upstream writes identify traits and
// user_properties with it):
//
//   - With escapeFirstDot (traits), the first "." of key is escaped as `\.`
//     first, so "a.b.c" is {"a.b": {"c": val}}.
//   - A key containing "/" is never split: the whole (escaped) string is one
//     key, backslash included.
//   - Otherwise key is split at "."; a backslash makes the next character
//     literal and is removed (a trailing backslash reads the character past
//     the end, which JavaScript appends as "undefined").
//   - A segment that is not blank and is an integer to JavaScript's Number()
//     ("1", "01", " 2", "1e3", "0x1f") is a number. When the next segment is
//     a number and the current value is not an array, a new array replaces
//     it; otherwise, when the current value is not an object or array, a new
//     object replaces it. Holes in an array serialize as null.
//   - A trailing empty segment is dropped; inner empty segments are "" keys.
//   - An empty key writes nothing; an undefined val deletes.
//
// Keys that are not array indices, written into an array, are invisible in
// JSON, so such writes are dropped, but for "length", which reads and sets
// the array's length (see setArrayLength). Unlike set-value, "constructor",
// "__proto__" and "prototype" are ordinary keys (deviation D5).
//
// An array index above maxKeyPathIndex fails with an error naming key
// (deviation D9), as does a path of more than maxKeyPathDepth segments
// (deviation D5), and the array elements and nested objects a path
// creates are spent from b: past the event's budget, setPath fails with
// the budget's error.
func setPath(obj jsvalue.Value, key string, val jsvalue.Value, escapeFirstDot bool, b *budget) *Error {
	if key == "" || !obj.IsObject() {
		return nil
	}
	firstDot := -1
	if escapeFirstDot {
		firstDot = strings.IndexByte(key, '.')
	}
	if strings.IndexByte(key, '/') >= 0 {
		if firstDot >= 0 {
			key = key[:firstDot] + `\` + key[firstDot:]
		}
		obj.Set(key, val)
		return nil
	}
	if firstDot >= 0 && strings.IndexByte(key[:firstDot], '\\') >= 0 {
		// A backslash before the escaped dot interacts with the inserted
		// one; split the escaped string itself.
		key = key[:firstDot] + `\` + key[firstDot:]
		firstDot = -1
	}
	if isOneSegment(key, firstDot) {
		// The common case of a plain trait name.
		obj.Set(segmentOf(key).key, val)
		return nil
	}
	var buf [8]pathSegment
	segs := splitKeyPath(buf[:0], key, firstDot)
	if len(segs) > maxKeyPathDepth {
		return keyPathDepthError(key)
	}
	if err := walkPath(obj, segs, val, b); err != nil {
		if err == errIndexTooLarge {
			return keyPathIndexError(key)
		}
		return err
	}
	return nil
}

// isOneSegment reports whether key splits into itself: no backslash, and
// no "." other than the one at literalDot.
func isOneSegment(key string, literalDot int) bool {
	if strings.IndexByte(key, '\\') >= 0 {
		return false
	}
	dot := strings.IndexByte(key, '.')
	return dot < 0 || dot == literalDot && strings.IndexByte(key[dot+1:], '.') < 0
}

// splitKeyPath appends the segments of key to segs, as set-value's
// splitString does; the "." at literalDot (-1 for none) is not a separator.
func splitKeyPath(segs []pathSegment, key string, literalDot int) []pathSegment {
	start := 0
	var part []byte // the current segment, once an escape makes it differ from key
	escaped := false
	for i := 0; i < len(key); i++ {
		c := key[i]
		switch {
		case c == '\\':
			if !escaped {
				part = append(part[:0], key[start:i]...)
				escaped = true
			}
			i++
			if i == len(key) {
				part = append(part, "undefined"...)
				continue
			}
			part = append(part, key[i])
		case c == '.' && i != literalDot:
			s := key[start:i]
			if escaped {
				s = string(part)
			}
			segs = append(segs, segmentOf(s))
			start = i + 1
			escaped = false
		default:
			if escaped {
				part = append(part, c)
			}
		}
	}
	s := key[start:]
	if escaped {
		s = string(part)
	}
	if s != "" {
		segs = append(segs, segmentOf(s))
	}
	return segs
}

// errIndexTooLarge is what walkPath returns for an array index above
// maxKeyPathIndex; setPath words the error with the key.
var errIndexTooLarge = &Error{}

// walkPath writes val at segs from obj, creating arrays and objects on the
// way as set-value does.
func walkPath(obj jsvalue.Value, segs []pathSegment, val jsvalue.Value, b *budget) *Error {
	if len(segs) == 0 {
		return nil
	}
	cur := obj
	last := len(segs) - 1
	for i, seg := range segs[:last] {
		child, ok, err := getChild(cur, seg)
		if !ok || err != nil {
			return err
		}
		switch {
		case segs[i+1].num:
			if !child.IsArray() {
				child = jsvalue.NewArray()
				if ok, err := putChild(cur, seg, child, b); !ok || err != nil {
					return err
				}
			}
		case !child.IsObject() && !child.IsArray():
			if !cur.IsArray() {
				if err := b.spend(objectBytes(seg)); err != nil {
					return err
				}
			}
			child = jsvalue.NewObject(1)
			if ok, err := putChild(cur, seg, child, b); !ok || err != nil {
				return err
			}
		}
		cur = child
	}
	_, err := putChild(cur, segs[last], val, b)
	return err
}

// objectBytes is the least JSON text of an empty object that a key path
// creates under the key seg of an object: "key":{}. A path of many
// segments creates one object per segment, each of which costs memory and
// time out of proportion to its two bytes of input, so each is spent from
// the event's budget: a path that would nest deeper than the output cap
// allows fails before it is built. The arrays a key path creates, and the
// objects it creates in them, are spent as their elements (holeBytes),
// with the key of an array as the margin of that count.
func objectBytes(seg pathSegment) int {
	return len(`"":{}`) + len(seg.key)
}

// getChild reads seg of an object or array. ok is false when seg is not an
// index of an array: what set-value writes there never reaches the JSON.
// An index above maxKeyPathIndex is errIndexTooLarge.
func getChild(v jsvalue.Value, seg pathSegment) (child jsvalue.Value, ok bool, err *Error) {
	if v.IsArray() {
		if seg.index < 0 {
			if seg.key == arrayLengthKey {
				return jsvalue.Int(int64(v.Len())), true, nil
			}
			return jsvalue.Value{}, false, nil
		}
		if seg.index > int64(maxKeyPathIndex) {
			return jsvalue.Value{}, false, errIndexTooLarge
		}
		if elems := v.Elems(); seg.index < int64(len(elems)) {
			return elems[seg.index], true, nil
		}
		return jsvalue.Value{}, true, nil
	}
	return v.Get(seg.key), true, nil
}

// putChild writes seg of an object or array, and reports whether the write
// is visible (see getChild). Deleting an array element leaves a hole; the
// elements an array grows by are spent from b.
func putChild(v jsvalue.Value, seg pathSegment, val jsvalue.Value, b *budget) (bool, *Error) {
	if !v.IsArray() {
		v.Set(seg.key, val)
		return true, nil
	}
	if seg.index < 0 {
		if seg.key == arrayLengthKey {
			return setArrayLength(v, val, b)
		}
		return false, nil
	}
	n := int64(v.Len())
	if val.IsUndefined() && seg.index >= n {
		// set-value deletes: nothing is allocated, upstream neither.
		return true, nil
	}
	if seg.index > int64(maxKeyPathIndex) {
		return false, errIndexTooLarge
	}
	if seg.index >= n {
		if err := b.spend(int(seg.index+1-n) * holeBytes); err != nil {
			return false, err
		}
	}
	v.SetIndex(int(seg.index), val)
	return true, nil
}

// arrayLengthKey is the key of an array's length, which a key path reads
// and writes as JavaScript does (see setArrayLength).
const arrayLengthKey = "length"

// setArrayLength sets the length of array v to val as JavaScript's
// arr.length = val does: a shorter length drops the elements past it, a
// longer one adds holes (null in JSON), under the index bound of deviation
// D9 and spent from b as any index is. A value that is not a length
// (js.ArrayLength) is JavaScript's RangeError, a 500 upstream and a 400 here
// (deviation D5). Undefined deletes, which a length refuses without a word.
// What becomes the array's length is visible in JSON.
func setArrayLength(v, val jsvalue.Value, b *budget) (bool, *Error) {
	if val.IsUndefined() {
		return true, nil
	}
	n, ok := js.ArrayLength(val)
	if !ok {
		return false, invalidArrayLengthError()
	}
	cur := int64(v.Len())
	if n <= cur {
		v.Truncate(int(n))
		return true, nil
	}
	if n-1 > int64(maxKeyPathIndex) {
		return false, errIndexTooLarge
	}
	if err := b.spend(int(n-cur) * holeBytes); err != nil {
		return false, err
	}
	v.SetIndex(int(n-1), jsvalue.Undefined())
	return true, nil
}

// invalidArrayLengthError is the error of a key path that sets an array's
// length to what is not one: JavaScript's RangeError, which upstream
// answers with a 500, this service with a 400 (deviation D5).
func invalidArrayLengthError() *Error {
	return instrumentationError("Invalid array length")
}

// segmentOf classifies one split segment as set-value does:
// a segment that is not blank and for which Number.isInteger(Number(seg))
// holds is a number.
func segmentOf(s string) pathSegment {
	if n, ok := jsvalue.ArrayIndex(s); ok {
		return pathSegment{key: s, num: true, index: n}
	}
	f, ok := js.IntegerString(s)
	if !ok {
		return pathSegment{key: s, index: -1}
	}
	if f >= 0 && f <= jsvalue.MaxArrayIndex {
		return pathSegment{key: strconv.FormatInt(int64(f), 10), num: true, index: int64(f)}
	}
	return pathSegment{key: jsvalue.FormatNumber(f), num: true, index: -1}
}
