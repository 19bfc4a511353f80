package jsvalue

// JSString returns String(v) as JavaScript computes it: "undefined", "null",
// "true" or "false"; a number as FormatNumber prints its value; a string as
// is; an array as its elements' strings joined with "," (null and undefined
// elements as ""); an object as "[object Object]".
func (v Value) JSString() string {
	switch v.kind {
	case KindString:
		return v.s
	case KindNumber:
		return canonicalNumber(v.s)
	case KindUndefined:
		return "undefined"
	case KindNull:
		return "null"
	case KindBool:
		if v.b {
			return "true"
		}
		return "false"
	case KindObject:
		return "[object Object]"
	}
	return string(v.AppendJSString(nil))
}

// AppendJSString appends v.JSString() to dst.
func (v Value) AppendJSString(dst []byte) []byte {
	switch v.kind {
	case KindString, KindNumber, KindUndefined, KindNull, KindBool, KindObject:
		if v.kind == KindNumber && !isPlainInteger(v.s) {
			return AppendNumber(dst, v.Float())
		}
		return append(dst, v.JSString()...)
	}
	var s pathSet
	return appendJoined(dst, v.arr, &s)
}

// appendJoined writes Array.prototype.join(",") of a. As in V8, an array that
// contains itself joins as "" where it recurs.
func appendJoined(dst []byte, a *Array, path *pathSet) []byte {
	if !path.push(a) {
		return dst
	}
	for i, el := range a.Elems {
		if i > 0 {
			dst = append(dst, ',')
		}
		switch el.kind {
		case KindUndefined, KindNull:
		case KindArray:
			dst = appendJoined(dst, el.arr, path)
		default:
			dst = el.AppendJSString(dst)
		}
	}
	path.pop(a)
	return dst
}
