package transform

import (
	"strconv"
	"strings"

	"github.com/cio-transformer/cio-transformer/internal/jsvalue"
)

// applyRETL rewrites the event of a reverse-ETL source
// (context.mappedToDestination) as upstream does before mapping:
// the traits object gets context.externalId[0].id under the dotted path
// context.externalId[0].identifierType, and a truthy external id replaces
// the userId. Upstream writes into the message itself; this writes into a
// copy of the traits, so the caller's message stays as it was. The error is
// that of a path over the limits of setPath.
func (ev *event) applyRETL() *Error {
	id := ev.externalID.Get("id")
	path := retlPath(ev.externalID.Get("identifierType"))
	if path != "" {
		// Upstream picks the traits with its generic mapping: the first of
		// traits and context.traits that is truthy, false or 0. Only an
		// object or an array can take the value.
		switch {
		case ev.traits.Truthy() || isFalseOrZero(ev.traits):
			if isContainer(ev.traits) {
				ev.arrayTraits = ev.traits.IsArray()
				var err *Error
				if ev.traits, err = ev.retlInto(ev.traits, path, id); err != nil {
					return err
				}
			}
		case isContainer(ev.contextTraits):
			var err *Error
			if ev.contextTraits, err = ev.retlInto(ev.contextTraits, path, id); err != nil {
				return err
			}
		}
	}
	if id.Truthy() {
		ev.userID = id
	}
	return nil
}

// retlInto returns a copy of traits, an object or an array, with id
// written under path as upstream's set-value writes it into the message's
// traits (see retlTraits). Into an array, the path "length" sets the
// array's length as JavaScript does, and a path under it would first set
// the length to an object, which is no length.
func (ev *event) retlInto(traits jsvalue.Value, path string, id jsvalue.Value) (jsvalue.Value, *Error) {
	if traits.IsArray() && (path == arrayLengthKey || strings.HasPrefix(path, arrayLengthKey+".")) {
		if path != arrayLengthKey {
			return traits, invalidArrayLengthError()
		}
		c := deepCopy(traits)
		if _, err := setArrayLength(c, id, &ev.budget); err != nil {
			return traits, err
		}
		return retlTraits(c), nil
	}
	traits = retlTraits(traits)
	return traits, setPath(traits, path, id, false, &ev.budget)
}

// retlTraits returns a copy of traits, an object or an array, for the
// reverse-ETL id to be written into. Traits that are an array become an
// object of their elements keyed by index: upstream writes the id into the
// array, a named member that JSON would not show, but reads the traits
// with Object.keys, which lists the indexes and then that member. A
// group's attributes, the traits written whole, are an array again (see
// appendIndexed).
func retlTraits(traits jsvalue.Value) jsvalue.Value {
	traits = deepCopy(traits)
	if !traits.IsArray() {
		return traits
	}
	elems := traits.Elems()
	o := jsvalue.NewObject(len(elems) + 1)
	for i, e := range elems {
		o.Add(strconv.Itoa(i), e)
	}
	return o
}

// retlPath returns the set-value path of an identifierType: a string as
// is, and "" (no path) for anything else. Upstream's set-value splits only
// strings: a number, boolean or null path writes nothing, and an object
// path throws (a 500 there, nothing written here).
func retlPath(v jsvalue.Value) string {
	if v.IsString() {
		return v.Str()
	}
	return ""
}

// deepCopy returns a copy of v that shares no object or array with it.
func deepCopy(v jsvalue.Value) jsvalue.Value {
	switch v.Kind() {
	case jsvalue.KindObject:
		ms := v.Members()
		c := jsvalue.NewObject(len(ms))
		for _, m := range ms {
			c.Add(m.Key, deepCopy(m.Value))
		}
		return c
	case jsvalue.KindArray:
		es := v.Elems()
		c := make([]jsvalue.Value, len(es))
		for i, e := range es {
			c[i] = deepCopy(e)
		}
		return jsvalue.NewArray(c...)
	}
	return v
}

// isContainer reports whether v is an object or an array.
func isContainer(v jsvalue.Value) bool {
	return v.IsObject() || v.IsArray()
}
