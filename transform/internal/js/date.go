package js

const (
	msPerSecond = 1000
	msPerMinute = 60 * msPerSecond
	msPerHour   = 60 * msPerMinute
	msPerDay    = 24 * msPerHour
)

// MaxTimeMillis is the largest magnitude of a JavaScript Date's time value
// (ECMAScript TimeClip: 8.64e15 ms, 100 million days either side of 1970).
const MaxTimeMillis = 8.64e15

// daysFromCivil returns the days since 1970-01-01 of a proleptic Gregorian
// date (month 1-12).
func daysFromCivil(y, m, d int64) int64 {
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 && y%400 != 0 {
		era--
	}
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

// daysInMonth returns the number of days of month m (1-12) of year y.
func daysInMonth(y, m int64) int64 {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// dateMillis returns the time value of the given UTC fields and offset
// (minutes east of UTC), and whether it is within the range of a Date.
func dateMillis(y, mo, d, h, mi, s, ms, offset int64) (int64, bool) {
	t := daysFromCivil(y, mo, d)*msPerDay + h*msPerHour + mi*msPerMinute + s*msPerSecond + ms - offset*msPerMinute
	if t > MaxTimeMillis || t < -MaxTimeMillis {
		return 0, false
	}
	return t, true
}

// DateParse returns the time value, in milliseconds since the epoch, of a
// date string in one of the formats this service accepts (deviation D7),
// and whether s is one. Every accepted string gets the value V8's Date.parse
// gives it:
//
//   - ECMAScript date-time strings: YYYY, YYYY-MM or YYYY-MM-DD (or a signed
//     six-digit year, ±YYYYYY), optionally followed by THH:mm, THH:mm:ss or
//     THH:mm:ss.fff and then Z, ±HH:mm or ±HHmm. Any number of fraction
//     digits is read and the first three count, as in V8. T24:00 is the end
//     of the day. A date-only string is UTC; a date-time without an offset
//     is local time in JavaScript, and is taken as UTC here, as upstream runs
//     with TZ=UTC.
//   - RFC 1123 (and RFC 822) dates: "Tue, 02 Jan 2024 10:00:00 GMT", the day
//     name optional, seconds optional, zone GMT, UT, UTC, Z, a North American
//     zone (EST ... PDT) or ±HHMM. A year below 100 is read as V8 reads it:
//     0-49 is 2000-2049 and 50-99 is 1950-1999.
//
// V8 accepts much more (surrounding spaces, "2024-1-2", "abc 2020", day 30
// of February as 1 March); those strings are invalid here, and so are dates
// outside the calendar.
func DateParse(s string) (int64, bool) {
	if s == "" {
		return 0, false
	}
	// An RFC 1123 date starts with a letter or a one- or two-digit day.
	if c := s[0]; c == '+' || c == '-' || len(s) >= 4 && isDigit(c) && isDigit(s[1]) && isDigit(s[2]) && isDigit(s[3]) {
		return parseISODate(s)
	}
	return parseRFC1123(s)
}

// dateScanner reads a date string left to right.
type dateScanner struct {
	s   string
	pos int
}

// digits reads exactly n digits.
func (sc *dateScanner) digits(n int) (int64, bool) {
	if sc.pos+n > len(sc.s) {
		return 0, false
	}
	var v int64
	for i := 0; i < n; i++ {
		c := sc.s[sc.pos+i]
		if !isDigit(c) {
			return 0, false
		}
		v = v*10 + int64(c-'0')
	}
	sc.pos += n
	return v, true
}

// eat reads c if it is next.
func (sc *dateScanner) eat(c byte) bool {
	if sc.pos < len(sc.s) && sc.s[sc.pos] == c {
		sc.pos++
		return true
	}
	return false
}

// fold reads c or its upper-case form if it is next (c is lower case).
func (sc *dateScanner) fold(c byte) bool {
	return sc.eat(c) || sc.eat(c-'a'+'A')
}

func (sc *dateScanner) done() bool { return sc.pos == len(sc.s) }

// hourMinute reads HH:mm, unchecked.
func (sc *dateScanner) hourMinute() (hour, minute int64, ok bool) {
	if hour, ok = sc.digits(2); !ok || !sc.eat(':') {
		return 0, 0, false
	}
	if minute, ok = sc.digits(2); !ok {
		return 0, 0, false
	}
	return hour, minute, true
}

// offset reads a zone offset, ±HHmm, or ±HH:mm as well when colon is set,
// in minutes east of UTC: hours up to 23, minutes up to 59.
func (sc *dateScanner) offset(colon bool) (int64, bool) {
	var sign int64 = 1
	switch {
	case sc.eat('+'):
	case sc.eat('-'):
		sign = -1
	default:
		return 0, false
	}
	h, ok := sc.digits(2)
	if !ok {
		return 0, false
	}
	if colon {
		sc.eat(':')
	}
	m, ok := sc.digits(2)
	if !ok || h > 23 || m > 59 {
		return 0, false
	}
	return sign * (h*60 + m), true
}

// parseISODate parses the ECMAScript date-time string format: the shape
// SDKs send (see parseCommonISODate) directly, any other through the
// general scanner.
func parseISODate(s string) (int64, bool) {
	if ms, ok := parseCommonISODate(s); ok {
		return ms, true
	}
	return scanISODate(s)
}

// parseCommonISODate parses the date-time shape SDKs send,
// YYYY-MM-DDTHH:mm:ss, then optionally .fff, then Z or ±HH:mm, with fixed
// positions and no scanner. ok is false for any other string and for one
// it cannot tell is valid (an hour of 24, a lower-case t or z, a field out
// of range): scanISODate reads those. Whatever it accepts, scanISODate
// accepts with the same value (TestParseCommonISODate,
// FuzzParseCommonISODate).
func parseCommonISODate(s string) (int64, bool) {
	// The zone starts after the seconds, or after their three fraction
	// digits.
	zone := 19
	switch len(s) {
	case 20, 25:
	case 24, 29:
		zone = 23
		if s[19] != '.' {
			return 0, false
		}
	default:
		return 0, false
	}
	// The date and time are read as three little-endian words, "YYYY-MM-",
	// "DDTHH:mm" and "HH:mm:ss": their separators compared at once, and
	// their digits, with each separator read as a '0', checked and read a
	// word at a time (see digitWord).
	date, dayTime, clock := word(s[0:8]), word(s[8:16]), word(s[11:19])
	const (
		dateSeps  = 0xFF<<32 | 0xFF<<56
		daySeps   = 0xFFFFFFFFFFFF << 16
		clockSeps = 0xFF<<16 | 0xFF<<40
		zeros     = 0x3030303030303030
	)
	if date&dateSeps != '-'<<32|'-'<<56 || dayTime&(0xFF<<16) != 'T'<<16 || clock&clockSeps != ':'<<16|':'<<40 {
		return 0, false
	}
	date = date&^dateSeps | zeros&dateSeps
	dayTime = dayTime&^daySeps | zeros&daySeps
	clock = clock&^clockSeps | zeros&clockSeps
	if notDigits(date)|notDigits(dayTime)|notDigits(clock) != 0 {
		return 0, false
	}
	date, dayTime, clock = digitPairs(date-zeros), digitPairs(dayTime-zeros), digitPairs(clock-zeros)
	year := int64(date&0xFF)*100 + int64(date>>16&0xFF)
	month := int64(date >> 40 & 0xFF)
	day := int64(dayTime & 0xFF)
	hour, minute, second := int64(clock&0xFF), int64(clock>>24&0xFF), int64(clock>>48&0xFF)
	var milli int64
	if zone == 23 {
		m, ok := digits2(s[20], s[21])
		c := s[22] - '0'
		if !ok || c > 9 {
			return 0, false
		}
		milli = m*10 + int64(c)
	}
	var offset int64
	switch s[zone] {
	case 'Z':
		if len(s) != zone+1 {
			return 0, false
		}
	case '+', '-':
		if len(s) != zone+6 || s[zone+3] != ':' {
			return 0, false
		}
		h, ok1 := digits2(s[zone+1], s[zone+2])
		m, ok2 := digits2(s[zone+4], s[zone+5])
		if !ok1 || !ok2 || h > 23 || m > 59 {
			return 0, false
		}
		offset = h*60 + m
		if s[zone] == '-' {
			offset = -offset
		}
	default:
		return 0, false
	}
	if month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) ||
		hour > 23 || minute > 59 || second > 59 {
		return 0, false
	}
	return dateMillis(year, month, day, hour, minute, second, milli, offset)
}

// word returns the first eight bytes of s as a little-endian word: s[0] is
// its lowest byte.
func word(s string) uint64 {
	_ = s[7]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// notDigits returns 0 when every byte of x is an ASCII digit, else
// something else: a digit's high half is 3, and adding 6 leaves it 3. No
// byte carries into the next unless one fails the first test.
func notDigits(x uint64) uint64 {
	const high = 0xF0F0F0F0F0F0F0F0
	const zeros = 0x3030303030303030
	return (x&high ^ zeros) | ((x+0x0606060606060606)&high ^ zeros)
}

// digitPairs returns, for a word of digit values (0-9 in each byte), the
// number each byte and the next write in decimal, in the place of the
// first: at most 99, so no byte carries into the next.
func digitPairs(x uint64) uint64 { return x*10 + x>>8 }

// digits2 returns the number the digits a and b write, ok false when
// either is not a digit.
func digits2(a, b byte) (int64, bool) {
	a -= '0'
	b -= '0'
	return int64(a)*10 + int64(b), a <= 9 && b <= 9
}

// scanISODate parses the ECMAScript date-time string format with the
// general scanner.
func scanISODate(s string) (int64, bool) {
	sc := dateScanner{s: s}
	var year int64
	var ok bool
	switch {
	case sc.eat('+'):
		year, ok = sc.digits(6)
	case sc.eat('-'):
		year, ok = sc.digits(6)
		// ECMAScript forbids -000000 (there is no negative zero year).
		ok = ok && year != 0
		year = -year
	default:
		year, ok = sc.digits(4)
	}
	if !ok {
		return 0, false
	}
	month, day := int64(1), int64(1)
	if sc.eat('-') {
		if month, ok = sc.digits(2); !ok || month < 1 || month > 12 {
			return 0, false
		}
		if sc.eat('-') {
			if day, ok = sc.digits(2); !ok || day < 1 || day > daysInMonth(year, month) {
				return 0, false
			}
		}
	}
	if sc.done() {
		return dateMillis(year, month, day, 0, 0, 0, 0, 0)
	}
	if !sc.fold('t') {
		return 0, false
	}
	hour, minute, ok := sc.hourMinute()
	if !ok {
		return 0, false
	}
	var second, milli int64
	fractionZero := true
	if sc.eat(':') {
		if second, ok = sc.digits(2); !ok {
			return 0, false
		}
		if sc.eat('.') {
			start := sc.pos
			for sc.pos < len(s) && isDigit(s[sc.pos]) {
				d := int64(s[sc.pos] - '0')
				if sc.pos-start < 3 {
					milli = milli*10 + d
				}
				if d != 0 {
					fractionZero = false
				}
				sc.pos++
			}
			n := sc.pos - start
			if n == 0 {
				return 0, false
			}
			for ; n < 3; n++ {
				milli *= 10
			}
		}
	}
	if minute > 59 || second > 59 || hour > 24 || (hour == 24 && (minute != 0 || second != 0 || !fractionZero)) {
		return 0, false
	}
	var offset int64
	if !sc.done() {
		if offset, ok = sc.isoOffset(); !ok || !sc.done() {
			return 0, false
		}
	}
	return dateMillis(year, month, day, hour, minute, second, milli, offset)
}

// isoOffset reads Z, ±HH:mm or ±HHmm, in minutes east of UTC.
func (sc *dateScanner) isoOffset() (int64, bool) {
	if sc.fold('z') {
		return 0, true
	}
	return sc.offset(true)
}

// word reads one of names (lower case) ignoring ASCII case, and returns its
// index.
func (sc *dateScanner) word(names []string) (int, bool) {
	for i, name := range names {
		if sc.pos+len(name) <= len(sc.s) && equalFoldASCII(sc.s[sc.pos:sc.pos+len(name)], name) {
			sc.pos += len(name)
			return i, true
		}
	}
	return 0, false
}

// equalFoldASCII reports whether s equals lower (lower case) ignoring ASCII
// case.
func equalFoldASCII(s, lower string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}

// parseRFC1123 parses "[Day, ]D[D] Mon YYYY HH:MM[:SS] ZONE".
func parseRFC1123(s string) (int64, bool) {
	sc := dateScanner{s: s}
	if _, ok := sc.word(rfcDayNames[:]); ok {
		if !sc.eat(',') || !sc.eat(' ') {
			return 0, false
		}
	}
	day, ok := sc.digits(2)
	if !ok {
		if day, ok = sc.digits(1); !ok {
			return 0, false
		}
	}
	if !sc.eat(' ') {
		return 0, false
	}
	month, ok := sc.word(rfcMonthNames[:])
	if !ok || !sc.eat(' ') {
		return 0, false
	}
	year, ok := sc.digits(4)
	if !ok || !sc.eat(' ') {
		return 0, false
	}
	switch {
	case year < 50:
		year += 2000
	case year < 100:
		year += 1900
	}
	mo := int64(month) + 1
	if day < 1 || day > daysInMonth(year, mo) {
		return 0, false
	}
	hour, minute, ok := sc.hourMinute()
	if !ok {
		return 0, false
	}
	var second int64
	if sc.eat(':') {
		if second, ok = sc.digits(2); !ok {
			return 0, false
		}
	}
	if hour > 23 || minute > 59 || second > 59 || !sc.eat(' ') {
		return 0, false
	}
	offset, ok := sc.rfcZone()
	if !ok || !sc.done() {
		return 0, false
	}
	return dateMillis(year, mo, day, hour, minute, second, 0, offset)
}

// rfcZone reads a zone name or ±HHMM, in minutes east of UTC.
func (sc *dateScanner) rfcZone() (int64, bool) {
	for _, z := range rfcZones {
		if len(sc.s)-sc.pos == len(z.name) && equalFoldASCII(sc.s[sc.pos:], z.name) {
			sc.pos = len(sc.s)
			return z.offset, true
		}
	}
	return sc.offset(false)
}

// rfcDayNames and rfcMonthNames are the RFC 822 names, lower case.
var (
	rfcDayNames   = [...]string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}
	rfcMonthNames = [...]string{"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}
)

// rfcZones are the RFC 822 zone names and their offsets, in minutes east of
// UTC.
var rfcZones = [...]struct {
	name   string
	offset int64
}{
	{"gmt", 0}, {"utc", 0}, {"ut", 0}, {"z", 0},
	{"est", -5 * 60}, {"edt", -4 * 60},
	{"cst", -6 * 60}, {"cdt", -5 * 60},
	{"mst", -7 * 60}, {"mdt", -6 * 60},
	{"pst", -8 * 60}, {"pdt", -7 * 60},
}
