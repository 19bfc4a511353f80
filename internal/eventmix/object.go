package eventmix

import (
	"encoding/json"
	"strconv"
)

// object is a JSON object whose keys keep the order they were added in, as
// an SDK writes them.
type object []member

// member is one key of an object. val is a string, float64, int, bool, nil,
// object or []any.
type member struct {
	key string
	val any
}

// add appends a member.
func (o *object) add(key string, val any) { *o = append(*o, member{key, val}) }

// appendJSON appends o as compact JSON.
func (o object) appendJSON(dst []byte) []byte {
	dst = append(dst, '{')
	for i, m := range o {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendString(dst, m.key)
		dst = append(dst, ':')
		dst = appendValue(dst, m.val)
	}
	return append(dst, '}')
}

// appendValue appends one JSON value.
func appendValue(dst []byte, v any) []byte {
	switch x := v.(type) {
	case nil:
		return append(dst, "null"...)
	case bool:
		return strconv.AppendBool(dst, x)
	case int:
		return strconv.AppendInt(dst, int64(x), 10)
	case float64:
		return strconv.AppendFloat(dst, x, 'f', -1, 64)
	case string:
		return appendString(dst, x)
	case object:
		return x.appendJSON(dst)
	case []any:
		dst = append(dst, '[')
		for i, e := range x {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendValue(dst, e)
		}
		return append(dst, ']')
	}
	// Every value the generator builds is one of the cases above.
	return append(dst, "null"...)
}

// appendString appends s as a JSON string. Generation is not timed, so the
// standard encoder's escaping is good enough.
func appendString(dst []byte, s string) []byte {
	b, _ := json.Marshal(s)
	return append(dst, b...)
}
