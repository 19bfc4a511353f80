package transform

import (
	"math"
	"math/big"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/cio-transformer/cio-transformer/internal/jsvalue"
)

// maxKeyPathIndex is the largest array index a key path may write
// (deviation D9). Upstream (npm set-value) grows a JavaScript array to any
// index and serializes the holes as null; "a.100000" would be a body of half
// a megabyte. Past this index the nulls alone exceed Customer.io's 32 KB
// per-entity limit, so Customer.io would reject the request anyway: the
// event fails with an error naming the key instead of allocating the array.
const maxKeyPathIndex = MaxObjectBytes / len("null,")

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
	// index is the array index of a numeric segment, -1 when it has none.
	index int
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
// JSON, so such writes are dropped. Unlike set-value, "constructor",
// "__proto__" and "prototype" are ordinary keys (deviation D5).
//
// An array index above maxKeyPathIndex fails with an error naming key
// (deviation D9), and the array elements a path creates are spent from b:
// past the event's budget, setPath fails with the budget's error.
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

// getChild reads seg of an object or array. ok is false when seg is not an
// index of an array: what set-value writes there never reaches the JSON.
// An index above maxKeyPathIndex is errIndexTooLarge.
func getChild(v jsvalue.Value, seg pathSegment) (child jsvalue.Value, ok bool, err *Error) {
	if v.IsArray() {
		if seg.index < 0 {
			return jsvalue.Value{}, false, nil
		}
		if seg.index > maxKeyPathIndex {
			return jsvalue.Value{}, false, errIndexTooLarge
		}
		if elems := v.Elems(); seg.index < len(elems) {
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
		return false, nil
	}
	n := v.Len()
	if val.IsUndefined() && seg.index >= n {
		// set-value deletes: nothing is allocated, upstream neither.
		return true, nil
	}
	if seg.index > maxKeyPathIndex {
		return false, errIndexTooLarge
	}
	if seg.index >= n {
		if err := b.spend((seg.index + 1 - n) * holeBytes); err != nil {
			return false, err
		}
	}
	v.SetIndex(seg.index, val)
	return true, nil
}

// segmentOf classifies one split segment as set-value does:
// a segment that is not blank and for which Number.isInteger(Number(seg))
// holds is a number.
func segmentOf(s string) pathSegment {
	if n, ok := jsvalue.ArrayIndex(s); ok {
		return pathSegment{key: s, num: true, index: n}
	}
	f, ok := jsIntegerString(s)
	if !ok {
		return pathSegment{key: s, index: -1}
	}
	if f >= 0 && f <= jsvalue.MaxArrayIndex {
		return pathSegment{key: strconv.Itoa(int(f)), num: true, index: int(f)}
	}
	return pathSegment{key: jsvalue.FormatNumber(f), num: true, index: -1}
}

// jsIntegerString returns Number(s) and whether s is not blank and that
// number is an integer.
func jsIntegerString(s string) (float64, bool) {
	if s == "" {
		return 0, false
	}
	// Only a digit, sign, dot or whitespace can start a number literal.
	if c := s[0]; !isDigit(c) && c != '+' && c != '-' && c != '.' && !isJSSpaceStart(c) {
		return 0, false
	}
	t := trimJSSpace(s)
	if t == "" {
		return 0, false
	}
	f, ok := jsNumberLiteral(t)
	if !ok || math.IsInf(f, 0) || f != math.Trunc(f) {
		return 0, false
	}
	return f, true
}

// isJSSpaceStart reports whether c may start a JavaScript whitespace or line
// terminator character.
func isJSSpaceStart(c byte) bool {
	return c == ' ' || (c >= '\t' && c <= '\r') || c >= utf8.RuneSelf
}

// isJSSpace reports whether r is JavaScript WhiteSpace or LineTerminator, the
// characters String#trim and Number() strip.
func isJSSpace(r rune) bool {
	switch r {
	case '\t', '\n', '\v', '\f', '\r', ' ', 0xA0, 0x1680, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000, 0xFEFF:
		return true
	}
	return r >= 0x2000 && r <= 0x200A
}

// trimJSSpace strips JavaScript whitespace from both ends of s.
func trimJSSpace(s string) string {
	for s != "" {
		r, size := jsvalue.DecodeRune(s)
		if !isJSSpace(r) {
			break
		}
		s = s[size:]
	}
	for s != "" {
		r, size := jsvalue.DecodeLastRune(s)
		if !isJSSpace(r) {
			break
		}
		s = s[:len(s)-size]
	}
	return s
}

// jsNumberLiteral parses a trimmed StrNumericLiteral (ECMAScript
// StringToNumber): a signed decimal literal or Infinity, or an unsigned
// 0x, 0o or 0b integer. No numeric separators.
func jsNumberLiteral(s string) (float64, bool) {
	if len(s) > 2 && s[0] == '0' {
		base := 0
		switch s[1] {
		case 'x', 'X':
			base = 16
		case 'o', 'O':
			base = 8
		case 'b', 'B':
			base = 2
		}
		if base != 0 {
			return parseRadixInteger(s[2:], base)
		}
	}
	body := s
	if body[0] == '+' || body[0] == '-' {
		body = body[1:]
	}
	if body == "Infinity" {
		return math.Inf(1), true
	}
	i, digits := 0, 0
	for i < len(body) && isDigit(body[i]) {
		i++
		digits++
	}
	if i < len(body) && body[i] == '.' {
		i++
		for i < len(body) && isDigit(body[i]) {
			i++
			digits++
		}
	}
	if digits == 0 {
		return 0, false
	}
	if i < len(body) && (body[i] == 'e' || body[i] == 'E') {
		i++
		if i < len(body) && (body[i] == '+' || body[i] == '-') {
			i++
		}
		exp := i
		for i < len(body) && isDigit(body[i]) {
			i++
		}
		if i == exp {
			return 0, false
		}
	}
	if i != len(body) {
		return 0, false
	}
	// The text is now a literal strconv reads alike, rounding to nearest; an
	// out-of-range exponent gives ±Inf or 0, as in JavaScript.
	f, _ := strconv.ParseFloat(s, 64)
	return f, true
}

// parseRadixInteger parses the digits of a 0x, 0o or 0b literal, rounding
// to the nearest float64 as JavaScript does.
func parseRadixInteger(digits string, base int) (float64, bool) {
	var v uint64
	exact := true
	for i := 0; i < len(digits); i++ {
		d, ok := digitValue(digits[i])
		if !ok || d >= base {
			return 0, false
		}
		if v > (1<<53)/uint64(base) {
			exact = false
		}
		v = v*uint64(base) + uint64(d)
	}
	if exact {
		return float64(v), true
	}
	n, ok := new(big.Int).SetString(digits, base)
	if !ok {
		return 0, false
	}
	f, _ := new(big.Float).SetInt(n).Float64()
	return f, true
}

func digitValue(c byte) (int, bool) {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0'), true
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10, true
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10, true
	}
	return 0, false
}

// spreadInto copies the own enumerable properties of src into the object
// dst, as JavaScript's {...src} does: an object's members; an array's
// elements under "0", "1", ...; a string's UTF-16 code units under "0",
// "1", ...; nothing for numbers, booleans, null and undefined.
//
// A character outside the BMP spreads into two keys holding its lone
// surrogates, which JSON.stringify writes as "\ud83d"-style escapes.
//
// A string's keys are spent from b, as each makes more output than its
// character: past the event's budget, spreadInto stops with the budget's
// error.
func spreadInto(dst, src jsvalue.Value, b *budget) *Error {
	if !dst.IsObject() {
		return nil
	}
	switch src.Kind() {
	case jsvalue.KindObject:
		if src.Same(dst) {
			return nil
		}
		for _, m := range src.Members() {
			dst.Set(m.Key, m.Value)
		}
	case jsvalue.KindArray:
		for i, e := range src.Elems() {
			if !e.IsUndefined() {
				dst.Set(strconv.Itoa(i), e)
			}
		}
	case jsvalue.KindString:
		s := src.Str()
		// The keys are counted before any is made, so a long string fails
		// at the cost of one pass over it.
		c := countSpread(s)
		if err := b.spend(c.bytes()); err != nil {
			return err
		}
		spreadString(dst, s, c)
	}
	return nil
}

// spreadBytes returns the least the members spreadInto makes of the string
// s add to the output: for each UTF-16 unit, `"<index>":"<char>",`.
func spreadBytes(s string) int { return countSpread(s).bytes() }
