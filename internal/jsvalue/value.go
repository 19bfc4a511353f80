package jsvalue

import (
	"iter"
	"math"
	"slices"
	"strconv"
)

// Kind is the JavaScript type of a Value.
type Kind uint8

// The kinds of Value. KindUndefined is the zero Kind: a missing key reads as
// undefined, and undefined members are omitted when encoded.
const (
	KindUndefined Kind = iota
	KindNull
	KindBool
	KindNumber
	KindString
	KindArray
	KindObject
)

// Value is a JSON value with JavaScript semantics. The zero Value is
// undefined. Arrays and objects are references: copying a Value shares them.
// A Value, and everything reached from it, is for one goroutine at a time.
type Value struct {
	kind Kind
	b    bool
	// s is the text of a string, or the JSON text of a number.
	s string
	// c is the storage of an object or array (see document.go).
	c *container
}

// Member is one key of an object.
type Member struct {
	Key   string
	Value Value
}

// Undefined returns the undefined Value (the zero Value).
func Undefined() Value { return Value{} }

// Null returns JSON null.
func Null() Value { return Value{kind: KindNull} }

// Bool returns a boolean Value.
func Bool(b bool) Value { return Value{kind: KindBool, b: b} }

// String returns a string Value.
func String(s string) Value { return Value{kind: KindString, s: s} }

// Number returns a number Value for f, printed as JavaScript prints it. NaN
// and infinities are kept as numbers and encode as null, like JSON.stringify.
func Number(f float64) Value { return Value{kind: KindNumber, s: FormatNumber(f)} }

// Int returns a number Value for i.
func Int(i int64) Value { return Value{kind: KindNumber, s: strconv.FormatInt(i, 10)} }

// RawNumber returns a number Value whose JSON text is text. The caller
// guarantees text is a valid JSON number or one of "NaN", "Infinity",
// "-Infinity".
func RawNumber(text string) Value { return Value{kind: KindNumber, s: text} }

// NewObject returns an empty object with room for n members.
func NewObject(n int) Value {
	return Value{kind: KindObject, c: newContainer(storage{members: make([]Member, 0, n)})}
}

// NewArray returns an array holding elems (not copied).
func NewArray(elems ...Value) Value {
	return Value{kind: KindArray, c: newContainer(storage{elems: elems})}
}

// Kind returns the JavaScript type of v.
func (v Value) Kind() Kind { return v.kind }

// IsUndefined reports whether v is undefined.
func (v Value) IsUndefined() bool { return v.kind == KindUndefined }

// IsNull reports whether v is null.
func (v Value) IsNull() bool { return v.kind == KindNull }

// IsNullish reports whether v is null or undefined.
func (v Value) IsNullish() bool { return v.kind <= KindNull }

// IsString reports whether v is a string.
func (v Value) IsString() bool { return v.kind == KindString }

// IsNumber reports whether v is a number.
func (v Value) IsNumber() bool { return v.kind == KindNumber }

// IsObject reports whether v is a plain object (not an array, not null).
func (v Value) IsObject() bool { return v.kind == KindObject }

// IsArray reports whether v is an array.
func (v Value) IsArray() bool { return v.kind == KindArray }

// Bool returns the boolean of a bool Value, false otherwise.
func (v Value) Bool() bool { return v.kind == KindBool && v.b }

// Str returns the text of a string Value, "" otherwise.
func (v Value) Str() string {
	if v.kind == KindString {
		return v.s
	}
	return ""
}

// NumberText returns the JSON text of a number Value, "" otherwise.
func (v Value) NumberText() string {
	if v.kind == KindNumber {
		return v.s
	}
	return ""
}

// Float returns the float64 of a number Value (NaN for anything else).
func (v Value) Float() float64 {
	if v.kind != KindNumber {
		return math.NaN()
	}
	switch v.s {
	case "NaN":
		return math.NaN()
	case "Infinity":
		return math.Inf(1)
	case "-Infinity":
		return math.Inf(-1)
	}
	f, err := strconv.ParseFloat(v.s, 64)
	if err != nil {
		// Out-of-range literals parse to ±Inf with an error; keep that value.
		return f
	}
	return f
}

// Truthy reports JavaScript truthiness: undefined, null, false, 0, -0, NaN
// and "" are falsy; everything else, {} and [] included, is truthy. A
// string, the value most often asked, is answered where the call is
// inlined; the other kinds by truthy.
func (v Value) Truthy() bool {
	if v.kind == KindString {
		return v.s != ""
	}
	return v.truthy()
}

// truthy is Truthy.
func (v Value) truthy() bool {
	switch v.kind {
	case KindUndefined, KindNull:
		return false
	case KindBool:
		return v.b
	case KindNumber:
		if v.s == "0" {
			return false
		}
		f := v.Float()
		return f != 0 && !math.IsNaN(f)
	case KindString:
		return v.s != ""
	default:
		return true
	}
}

// Same reports whether v and w are the same object or the same array, as
// JavaScript's === compares them.
func (v Value) Same(w Value) bool {
	return v.kind >= KindArray && v.kind == w.kind && v.c == w.c
}

// Members returns the members of an object Value (nil otherwise). The slice
// is the object's own storage: do not modify it. On an object that has had
// keys deleted, Members first compacts the storage.
func (v Value) Members() []Member {
	if v.kind == KindObject {
		v.c.load()
		v.c.compact()
		return v.c.members
	}
	return nil
}

// All returns an iterator over the members of an object Value, keys and
// values in order; over nothing for any other Value. Unlike Members, it
// builds nothing for an object Parse has not read yet: it reads the index as
// it goes, which suits a single pass over a few keys.
func (v Value) All() iter.Seq2[string, Value] {
	return func(yield func(string, Value) bool) {
		if v.kind != KindObject {
			return
		}
		if v.c.lazy() {
			v.c.each(yield)
			return
		}
		v.c.load()
		for _, m := range v.c.members {
			if m.Value.kind == KindUndefined {
				continue
			}
			if !yield(m.Key, m.Value) {
				return
			}
		}
	}
}

// Elems returns the elements of an array Value (nil otherwise). The slice is
// the array's own storage: do not modify it.
func (v Value) Elems() []Value {
	if v.kind == KindArray {
		v.c.load()
		return v.c.elems
	}
	return nil
}

// Len returns the number of members of an object or elements of an array, or
// the length in bytes of a string.
func (v Value) Len() int {
	switch v.kind {
	case KindObject:
		if v.c.lazy() {
			return v.c.count()
		}
		v.c.load()
		return len(v.c.members) - v.c.dead()
	case KindArray:
		if v.c.lazy() {
			return v.c.count()
		}
		return len(v.c.elems)
	case KindString:
		return len(v.s)
	}
	return 0
}

// Get returns the member key of an object, or for an array the element whose
// index is key in canonical decimal form; undefined otherwise.
func (v Value) Get(key string) Value {
	switch v.kind {
	case KindObject:
		o := v.c
		if o.lazy() && !readOften(&o.searches, o.count()) {
			// Most lookups need no more than a look at the index; an
			// object looked up often is read once instead, as each look
			// reads its keys again, however long they are.
			return o.lookup(key)
		}
		o.load()
		if i := o.find(key); i >= 0 {
			return o.members[i].Value
		}
	case KindArray:
		i, ok := ArrayIndex(key)
		if !ok {
			return Value{}
		}
		if a := v.c; a.lazy() {
			if !readOften(&a.searches, a.count()) {
				return a.at(i)
			}
			a.load()
		}
		if i < int64(len(v.c.elems)) {
			return v.c.elems[i]
		}
	}
	return Value{}
}

// Path follows keys from v, as lodash get does with a dotted path split into
// keys: each step is Get, and a missing step gives undefined.
func (v Value) Path(keys ...string) Value {
	for _, k := range keys {
		v = v.Get(k)
		if v.kind == KindUndefined {
			return v
		}
	}
	return v
}

// Set sets member key of an object Value to val, replacing an existing
// member in place or appending a new one. Setting undefined deletes the
// member. Set does nothing on a non-object.
func (v Value) Set(key string, val Value) {
	if v.kind != KindObject {
		return
	}
	v.c.load()
	v.c.set(key, val)
}

// Add appends member key to an object Value that does not have that key,
// without searching for it: the caller knows the keys it adds are new.
// Adding undefined does nothing. Add does nothing on a non-object.
func (v Value) Add(key string, val Value) {
	if v.kind != KindObject {
		return
	}
	v.c.load()
	v.c.add(key, val)
}

// Grow makes room in an object Value for n more members, so that n calls
// of Add append without reallocating. Grow does nothing on a non-object.
func (v Value) Grow(n int) {
	if v.kind != KindObject || n <= 0 {
		return
	}
	v.c.load()
	v.c.members = slices.Grow(v.c.members, n)
}

// Delete removes member key from an object Value.
func (v Value) Delete(key string) { v.Set(key, Value{}) }

// Append appends val to an array Value.
func (v Value) Append(val Value) {
	if v.kind == KindArray {
		v.c.load()
		v.c.elems = append(v.c.elems, val)
	}
}

// SetIndex sets element i of an array Value, growing it with holes
// (undefined, encoded as null) as JavaScript does.
func (v Value) SetIndex(i int, val Value) {
	if v.kind != KindArray || i < 0 {
		return
	}
	v.c.load()
	if n := len(v.c.elems); i >= cap(v.c.elems) {
		// One allocation for all the holes, zeroed (undefined) already.
		e := make([]Value, i+1, max(i+1, 2*n))
		copy(e, v.c.elems)
		v.c.elems = e
	} else if i >= n {
		v.c.elems = v.c.elems[:i+1]
		clear(v.c.elems[n:])
	}
	v.c.elems[i] = val
}

// Truncate drops the elements of an array Value from index n on, as
// setting a JavaScript array's length below its length does. The array
// keeps no room past n, so that growing it again never writes into storage
// another Value may share.
func (v Value) Truncate(n int) {
	if v.kind != KindArray || n < 0 {
		return
	}
	v.c.load()
	if n < len(v.c.elems) {
		v.c.elems = slices.Clip(v.c.elems[:n])
	}
}

// ShallowCopy returns a new object or array holding the same members or
// elements as v (like {...v} or [...v]); other Values are returned as is.
func (v Value) ShallowCopy() Value {
	switch v.kind {
	case KindObject:
		v.c.load()
		m := make([]Member, 0, len(v.c.members)-v.c.dead())
		for _, x := range v.c.members {
			if x.Value.kind != KindUndefined {
				m = append(m, x)
			}
		}
		return Value{kind: KindObject, c: newContainer(storage{members: m})}
	case KindArray:
		v.c.load()
		e := make([]Value, len(v.c.elems))
		copy(e, v.c.elems)
		return Value{kind: KindArray, c: newContainer(storage{elems: e})}
	}
	return v
}

// MaxArrayIndex is the largest JavaScript array index, 2^32 - 2; a larger
// integer key is an ordinary property.
const MaxArrayIndex = 1<<32 - 2

// ArrayIndex reads key when it is a JavaScript array index written as
// JavaScript prints it: "0", "12", "4294967294"; not "012", "-1", "1e3" or
// "4294967295". These are the keys an array's elements have, and the keys
// Object.keys lists first, in ascending order. The index is an int64,
// which holds every one on any platform.
func ArrayIndex(key string) (int64, bool) {
	if key == "" || len(key) > 10 || (len(key) > 1 && key[0] == '0') {
		return 0, false
	}
	var n int64
	for i := 0; i < len(key); i++ {
		c := key[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, n <= MaxArrayIndex
}
