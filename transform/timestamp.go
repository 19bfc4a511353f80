package transform

import (
	"encoding/binary"
	"math"
	"strconv"

	"github.com/cio-transformer/cio-transformer/internal/jsvalue"
	"github.com/cio-transformer/cio-transformer/transform/internal/js"
)

// msPerSecond is how many of a Date's milliseconds make a second.
const msPerSecond = 1000

// unixSeconds converts v as upstream converts dates:
// Math.floor(new Date(v).getTime() / 1000), Unix seconds. An invalid date
// gives null (upstream's NaN, which JSON.stringify writes as null).
//
// Numbers are epoch milliseconds (so a createdAt given in seconds becomes a
// much smaller number of seconds, as upstream sends it). Strings are parsed
// in the formats js.DateParse accepts (deviation D7: V8 also accepts many
// informal strings). The other values follow the Date constructor: null and
// false are 0 ms and true is 1 ms, so all three give 0; an array is read as
// its elements joined with ","; an object, and undefined, are invalid.
//
// The number's text is stored in s, apart when s is nil (see
// jsvalue.Scratch).
func unixSeconds(v jsvalue.Value, s *jsvalue.Scratch) jsvalue.Value {
	if sec, ok := seconds(v); ok {
		return s.Int(sec)
	}
	return jsvalue.Null()
}

// appendUnixSeconds appends unixSeconds(v) as JSON.
func appendUnixSeconds(dst []byte, v jsvalue.Value) []byte {
	if s, ok := seconds(v); ok {
		return appendSeconds(dst, s)
	}
	return append(dst, "null"...)
}

// appendSeconds appends s in decimal, as strconv.AppendInt does. The ten
// digits of a time from 2001-09-09 to 2286-11-20, nearly every date's, are
// written two and then eight at once (see digits8), which costs less than
// AppendInt's divisions by 100 (TestAppendSeconds).
func appendSeconds(dst []byte, s int64) []byte {
	if s < 1e9 || s >= 1e10 {
		return strconv.AppendInt(dst, s, 10)
	}
	top, low := uint64(s)/1e8, uint64(s)%1e8
	dst = append(dst, byte('0'+top/10), byte('0'+top%10))
	return binary.LittleEndian.AppendUint64(dst, digits8(low)+0x3030303030303030)
}

// digits8 returns the eight decimal digits of n, below 10^8, one a byte,
// the first in the lowest: its halves of four digits are split in two
// 32-bit lanes, their halves of two in 16-bit lanes, and those in bytes,
// each step a division by a multiply and a shift that is exact below 10^4
// (by 100) and below 100 (by 10), the largest each lane holds
// (TestDigits8). No lane's product reaches the next.
func digits8(n uint64) uint64 {
	fours := n/1e4 | n%1e4<<32
	hundreds := fours * 10486 >> 20 & 0x0000007F0000007F
	twos := hundreds | (fours-hundreds*100)<<16
	tens := twos * 103 >> 10 & 0x000F000F000F000F
	return tens | (twos-tens*10)<<8
}

// seconds returns unixSeconds(v) as an integer, ok false for null.
func seconds(v jsvalue.Value) (int64, bool) {
	switch v.Kind() {
	case jsvalue.KindNumber:
		if ms, ok := plainMillis(v.NumberText()); ok {
			return floorDiv(ms, msPerSecond), true
		}
		return secondsFromMillis(v.Float())
	case jsvalue.KindString:
		return secondsFromString(v.Str())
	case jsvalue.KindNull, jsvalue.KindBool:
		return 0, true
	case jsvalue.KindArray:
		return secondsFromString(v.JSString())
	}
	return 0, false
}

// secondsFromString parses a date string and floors it to seconds.
func secondsFromString(s string) (int64, bool) {
	ms, ok := js.DateParse(s)
	if !ok {
		return 0, false
	}
	return floorDiv(ms, msPerSecond), true
}

// secondsFromMillis applies TimeClip (out of range or not finite is
// invalid; a fraction is truncated toward zero) and then floors to seconds.
func secondsFromMillis(f float64) (int64, bool) {
	if math.IsNaN(f) || math.Abs(f) > js.MaxTimeMillis {
		return 0, false
	}
	return floorDiv(int64(f), msPerSecond), true
}

// plainMillis reads a number's JSON text when it is a plain integer of at
// most 15 digits (always within the range of a Date), the usual epoch
// milliseconds, without parsing a float.
func plainMillis(text string) (int64, bool) {
	digits := text
	if digits != "" && digits[0] == '-' {
		digits = digits[1:]
	}
	if digits == "" || len(digits) > 15 {
		return 0, false
	}
	var ms int64
	for i := 0; i < len(digits); i++ {
		if c := digits[i]; c < '0' || c > '9' {
			return 0, false
		}
		ms = ms*10 + int64(digits[i]-'0')
	}
	if len(digits) != len(text) {
		ms = -ms
	}
	return ms, true
}

// floorDiv divides rounding toward negative infinity, as Math.floor does:
// -500 ms is second -1, where Go's / would give 0.
func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}
