package js

import (
	"unicode/utf16"
	"unicode/utf8"

	"github.com/cio-transformer/cio-transformer/internal/jsvalue"
)

// A string spread into an object ({...s} in JavaScript) makes one member
// per UTF-16 unit, so a device event's properties string of n bytes makes
// up to n members. These functions keep the cost per member to a few
// appends.

// SpreadCount is what spreading a string makes: its UTF-16 units, how
// many of them are halves of a character outside the BMP, and the bytes of
// their text once written.
type SpreadCount struct {
	units, astral, text int
}

// Units returns how many UTF-16 units, and so members, the string makes.
func (c SpreadCount) Units() int { return c.units }

// CountSpread counts what spreading s makes, in one pass over it.
func CountSpread(s string) SpreadCount {
	var c SpreadCount
	for i := 0; i < len(s); {
		if s[i] < utf8.RuneSelf {
			// ASCII, the common case, without decoding.
			c.units++
			c.text++
			i++
			continue
		}
		r, size := jsvalue.DecodeRune(s[i:])
		if r > 0xFFFF {
			// Each half is written as a "\ud83d"-style escape.
			c.units += 2
			c.astral += 2
			c.text += 2 * len(`\ud83d`)
		} else {
			c.units++
			c.text += size
		}
		i += size
	}
	return c
}

// Bytes returns the least the members of a spread string add to the
// output: for each UTF-16 unit, `"<index>":"<char>",`.
func (c SpreadCount) Bytes() int {
	return indexDigits(c.units) + c.text + c.units*len(`"":"",`)
}

// indexDigits returns the digits of the decimal indexes 0 to n-1.
func indexDigits(n int) int {
	digits := min(n, 10)
	for lo, width := 10, 2; lo < n; lo, width = lo*10, width+1 {
		digits += (min(n, lo*10) - lo) * width
	}
	return digits
}

// SpreadString adds to dst the members of the string s spread, one per
// UTF-16 unit, c counted by CountSpread. A string of n units spreads into
// n members, so the cost per member is kept to a few appends: all the keys
// are cut from one string of their digits, the values of BMP characters
// are substrings of s, the halves of other characters are cut from one
// string, and members are appended without a search when dst has no key
// they could replace.
func SpreadString(dst jsvalue.Value, s string, c SpreadCount) {
	if c.units == 0 {
		return
	}
	keys := indexKeys(c.units)
	var halves string
	if c.astral > 0 {
		h := make([]byte, 0, c.astral*3)
		for i := 0; i < len(s); {
			r, size := jsvalue.DecodeRune(s[i:])
			if r > 0xFFFF {
				hi, lo := utf16.EncodeRune(r)
				h = jsvalue.AppendRune(jsvalue.AppendRune(h, hi), lo)
			}
			i += size
		}
		halves = string(h)
	}
	if hasIndexKey(dst) {
		spreadMembers(s, keys, halves, dst.Set)
		return
	}
	// No key of dst is an index, so every member is new: they are written
	// straight into room made for them all.
	dst.Grow(c.units + spreadRoom)
	spreadMembers(s, keys, halves, dst.Add)
}

// indexKeys returns the decimal indexes 0 to n-1 written one after
// another.
func indexKeys(n int) string {
	digits := make([]byte, 0, indexDigits(n))
	c := newIndexCounter()
	for range n {
		digits = append(digits, c.digits()...)
		c.next()
	}
	return string(digits)
}

// indexCounter counts up the decimal indexes 0, 1, 2, ... digit by digit,
// rather than formatting each.
type indexCounter struct {
	buf   [20]byte
	first int
}

// newIndexCounter returns a counter at 0.
func newIndexCounter() *indexCounter {
	c := &indexCounter{first: 19}
	c.buf[19] = '0'
	return c
}

// digits returns the current index; the slice changes with the counter.
func (c *indexCounter) digits() []byte { return c.buf[c.first:] }

// next moves to the next index.
func (c *indexCounter) next() {
	i := len(c.buf) - 1
	for ; i >= c.first && c.buf[i] == '9'; i-- {
		c.buf[i] = '0'
	}
	if i < c.first {
		c.first--
		c.buf[c.first] = '1'
		return
	}
	c.buf[i]++
}

// AppendSpread appends the members of the string s spread, as encoding
// the object SpreadString makes of it writes them (without the braces):
// `"0":"a","1":"b"`.
func AppendSpread(dst []byte, s string) []byte {
	const hex = "0123456789abcdef"
	counter := newIndexCounter()
	some := false
	key := func() {
		if some {
			dst = append(dst, ',')
		}
		some = true
		dst = append(dst, '"')
		dst = append(dst, counter.digits()...)
		dst = append(dst, '"', ':')
		counter.next()
	}
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf && c >= 0x20 && c != '"' && c != '\\' {
			key()
			dst = append(dst, '"', c, '"')
			i++
			continue
		}
		r, size := jsvalue.DecodeRune(s[i:])
		if r > 0xFFFF {
			// Each half of the pair is a lone surrogate, written as a
			// lowercase escape.
			hi, lo := utf16.EncodeRune(r)
			for _, h := range [2]rune{hi, lo} {
				key()
				dst = append(dst, '"', '\\', 'u', 'd', hex[h>>8&0xF], hex[h>>4&0xF], hex[h&0xF], '"')
			}
		} else {
			key()
			dst = jsvalue.AppendJSONString(dst, s[i:i+size])
		}
		i += size
	}
	return dst
}

// spreadMembers calls put with each member of the string s spread: keys
// holds the digits of the indexes one after another, halves the halves of
// the characters outside the BMP.
func spreadMembers(s, keys, halves string, put func(string, jsvalue.Value)) {
	// The key of member n is the next w digits of keys, w growing by one
	// at each power of ten.
	n, k, w, next := 0, 0, 1, 10
	key := func() string {
		if n == next {
			w++
			next *= 10
		}
		n++
		k += w
		return keys[k-w : k]
	}
	for i := 0; i < len(s); {
		if s[i] < utf8.RuneSelf {
			put(key(), jsvalue.String(s[i:i+1]))
			i++
			continue
		}
		r, size := jsvalue.DecodeRune(s[i:])
		if r > 0xFFFF {
			put(key(), jsvalue.String(halves[:3]))
			put(key(), jsvalue.String(halves[3:6]))
			halves = halves[6:]
		} else {
			put(key(), jsvalue.String(s[i:i+size]))
		}
		i += size
	}
}

// spreadRoom is the room left in an object a string is spread into for the
// few members its callers add after it.
const spreadRoom = 4

// hasIndexKey reports whether the object dst has a key that is an array
// index, which a spread string's members would replace rather than add to.
func hasIndexKey(dst jsvalue.Value) bool {
	for k := range dst.All() {
		if _, ok := jsvalue.ArrayIndex(k); ok {
			return true
		}
	}
	return false
}
