package js

import (
	"encoding/binary"
	"slices"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"

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

// Room returns the capacity AppendSpread may ask of its dst, past its
// length, for the members of the string: Bytes, and the room
// appendPlainMembers makes beyond the members it writes, since it makes
// room for a run's members as if each were as wide as the run's last, and
// for 16 bytes past them. A dst with this room is never grown
// (TestSpreadRoom).
func (c SpreadCount) Room() int {
	return c.Bytes() + c.units*(decimalDigits(c.units)-1) + 16
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
// `"0":"a","1":"b"`. A string of n bytes makes up to n members, so runs of
// plain ASCII characters, nearly all of most strings, are written by
// appendPlainMembers; the other characters one by one.
func AppendSpread(dst []byte, s string) []byte {
	const hex = "0123456789abcdef"
	// Each member is written with a comma after it; the last is dropped.
	start := len(dst)
	index := 0
	key := func() {
		dst = appendIndexKey(dst, index)
		index++
	}
	for i := 0; i < len(s); {
		if plainMemberByte(s[i]) {
			var n int
			dst, n = appendPlainMembers(dst, s[i:], index)
			i += n
			index += n
			continue
		}
		r, size := jsvalue.DecodeRune(s[i:])
		if r > 0xFFFF {
			// Each half of the pair is a lone surrogate, written as a
			// lowercase escape.
			hi, lo := utf16.EncodeRune(r)
			for _, h := range [2]rune{hi, lo} {
				key()
				dst = append(dst, '"', '\\', 'u', 'd', hex[h>>8&0xF], hex[h>>4&0xF], hex[h&0xF], '"', ',')
			}
		} else {
			key()
			dst = append(jsvalue.AppendJSONString(dst, s[i:i+size]), ',')
		}
		i += size
	}
	if len(dst) > start {
		dst = dst[:len(dst)-1]
	}
	return dst
}

// appendIndexKey appends the key of member index, `"12":`.
func appendIndexKey(dst []byte, index int) []byte {
	dst = append(dst, '"')
	dst = strconv.AppendInt(dst, int64(index), 10)
	return append(dst, '"', ':')
}

// plainMemberByte reports whether c is an ASCII character a JSON string
// holds as it is.
func plainMemberByte(c byte) bool {
	return c < utf8.RuneSelf && c >= 0x20 && c != '"' && c != '\\'
}

// maxWordIndex is the first index whose digits do not fit in a word.
const maxWordIndex = 100_000_000

// memberTail is `":"?",` as a little-endian word, the character at ?, which
// appendPlainMembers writes after a member's digits.
const memberTail = uint64('"') | uint64(':')<<8 | uint64('"')<<16 | uint64('"')<<32 | uint64(',')<<40

// appendPlainMembers appends the members of the plain characters (see
// plainMemberByte) s starts with, each with a comma after it, the first
// of index first, and returns how many it wrote. Each member takes two
// word stores into room made for them all, and its key is the last one's
// plus one, added in the word that holds its digits: the digits are
// written out again only when one carries.
func appendPlainMembers(dst []byte, s string, first int) ([]byte, int) {
	n := 0
	for n < len(s) && plainMemberByte(s[n]) {
		n++
	}
	last := first + n - 1
	if last >= maxWordIndex {
		// Keys too long for a word: one by one.
		for i := range n {
			dst = append(appendIndexKey(dst, first+i), '"', s[i], '"', ',')
		}
		return dst, n
	}
	// Each member takes at most the digits of last and `"":"c",`; the
	// words written run up to 8 bytes past the last member.
	p := len(dst)
	dst = slices.Grow(dst, n*(decimalDigits(last)+7)+16)
	// Safe: the members take at most n*(digits of last + 7) bytes from
	// len(dst) on, and each one's words end 8 bytes or less past its end,
	// all within the room just made; s holds n bytes.
	base := unsafe.Pointer(unsafe.SliceData(dst[:cap(dst)]))
	chars := unsafe.StringData(s)
	index := first
	width := decimalDigits(index)
	next := powerOfTen(width)
	digits, top := digitWord(index), uint(8*(width-1))
	for i := range n {
		*(*byte)(unsafe.Add(base, p)) = '"'
		binary.LittleEndian.PutUint64((*[8]byte)(unsafe.Add(base, p+1))[:], digits)
		c := *(*byte)(unsafe.Add(unsafe.Pointer(chars), i))
		binary.LittleEndian.PutUint64((*[8]byte)(unsafe.Add(base, p+1+width))[:], memberTail|uint64(c)<<24)
		p += width + 7
		index++
		if index == next {
			width++
			next *= 10
			digits, top = digitWord(index), uint(8*(width-1))
			continue
		}
		// Add one at the last digit, carrying past nines; index == next
		// has taken the carry out of the first.
		for b := top; ; b -= 8 {
			if byte(digits>>b) != '9' {
				digits += 1 << b
				break
			}
			digits -= 9 << b
		}
	}
	return dst[:p], n
}

// decimalDigits returns the number of decimal digits of n >= 0.
func decimalDigits(n int) int {
	d := 1
	for n >= 10 {
		n /= 10
		d++
	}
	return d
}

// powerOfTen returns 10 to the power of n.
func powerOfTen(n int) int {
	p := 1
	for range n {
		p *= 10
	}
	return p
}

// digitWord returns the decimal digits of n, 0 <= n < maxWordIndex, as a
// little-endian word: the first digit in the lowest byte.
func digitWord(n int) uint64 {
	var b [8]byte
	d := strconv.AppendInt(b[:0], int64(n), 10)
	var w uint64
	for i, c := range d {
		w |= uint64(c) << (8 * i)
	}
	return w
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
