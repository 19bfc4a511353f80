package jsvalue

// JSString returns String(v) as JavaScript computes it: "undefined", "null",
// "true" or "false"; a number as FormatNumber prints its value; a string as
// is; an array as its elements' strings joined with "," (null and undefined
// elements as "", and an array that contains itself as "" where it recurs,
// as V8 does); an object as "[object Object]".
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
	// String(["id"]) is common enough to spare it a copy.
	v.c.load()
	switch es := v.c.elems; {
	case len(es) == 0:
		return ""
	case len(es) == 1 && es[0].kind != KindArray:
		if es[0].kind <= KindNull {
			return ""
		}
		return es[0].JSString()
	}
	return string(v.AppendJSString(nil))
}

// AppendJSString appends v.JSString() to dst.
func (v Value) AppendJSString(dst []byte) []byte {
	switch v.kind {
	case KindArray:
		var path pathSet
		return appendJoined(dst, v.c, &path)
	case KindNumber:
		if !isPlainInteger(v.s) {
			return AppendNumber(dst, v.Float())
		}
	}
	return append(dst, v.JSString()...)
}

// appendJoined writes Array.prototype.join(",") of a. As in V8, an array that
// contains itself joins as "" where it recurs.
func appendJoined(dst []byte, a *container, path *pathSet) []byte {
	if !path.push(a) {
		return dst
	}
	a.load()
	for i, el := range a.elems {
		if i > 0 {
			dst = append(dst, ',')
		}
		switch el.kind {
		case KindUndefined, KindNull:
		case KindArray:
			dst = appendJoined(dst, el.c, path)
		default:
			dst = el.AppendJSString(dst)
		}
	}
	path.pop(a)
	return dst
}
