package transform

import (
	"strconv"

	"github.com/cio-transformer/cio-transformer/internal/jsvalue"
	"github.com/cio-transformer/cio-transformer/transform/internal/js"
)

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
		// All reads a parsed object's members from its index, building
		// nothing.
		for key, val := range src.All() {
			dst.Set(key, val)
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
		c := js.CountSpread(s)
		if err := b.spend(c.Bytes()); err != nil {
			return err
		}
		js.SpreadString(dst, s, c)
	}
	return nil
}

// spreadBytes returns the least the members spreadInto makes of the string
// s add to the output: for each UTF-16 unit, `"<index>":"<char>",`.
func spreadBytes(s string) int { return js.CountSpread(s).Bytes() }
