package transform

import "github.com/cio-transformer/cio-transformer/internal/jsvalue"

// FalsyID is which falsy JavaScript value an id is, as the event left it:
// what upstream's router transform writes for a request's user id that is
// falsy, where its processor transform writes "" (see Request.UserIDFalsy).
type FalsyID uint8

// The falsy values an id read from a JSON event can be.
const (
	// NotFalsy is an id that is truthy: a request's UserID holds its
	// String().
	NotFalsy FalsyID = iota
	// FalsyUndefined is an id the event does not have: upstream's router
	// writes no userId at all.
	FalsyUndefined
	// FalsyNull is an id that is null.
	FalsyNull
	// FalsyFalse is an id that is false.
	FalsyFalse
	// FalsyZero is an id that is the number 0 (or -0), which API mode v1
	// reads as the string "0" (deviation D5), so that no request of it
	// has this user id.
	FalsyZero
	// FalsyEmpty is an id that is the empty string.
	FalsyEmpty
)

// falsyID returns which falsy value v is, or NotFalsy.
func falsyID(v jsvalue.Value) FalsyID {
	switch {
	case v.Truthy():
		return NotFalsy
	case v.IsUndefined():
		return FalsyUndefined
	case v.IsNull():
		return FalsyNull
	case v.IsNumber():
		return FalsyZero
	case v.IsString():
		return FalsyEmpty
	}
	return FalsyFalse
}

// AppendJSON appends the JSON of a falsy id f, and returns dst unchanged
// for FalsyUndefined and NotFalsy, which have none.
func (f FalsyID) AppendJSON(dst []byte) []byte {
	switch f {
	case FalsyNull:
		return append(dst, "null"...)
	case FalsyFalse:
		return append(dst, "false"...)
	case FalsyZero:
		return append(dst, '0')
	case FalsyEmpty:
		return append(dst, `""`...)
	}
	return dst
}
