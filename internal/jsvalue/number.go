package jsvalue

import (
	"math"
	"strconv"
)

// maxExactDigits is the longest plain integer literal that is always printed
// back unchanged by JavaScript: every integer of at most 15 digits is exactly
// representable and its shortest round-trip form is itself.
const maxExactDigits = 15

// FormatNumber returns f as JavaScript's Number#toString(10) prints it
// (ECMAScript Number::toString): the shortest digits that round-trip, in
// plain decimal notation when 1e-6 <= |f| < 1e21 ("0.000001", "49.99",
// "12345678901234567000") and in exponent notation otherwise ("1e+21",
// "1e-7", "1.5e-7"). Negative zero prints "0", NaN "NaN" and the infinities
// "Infinity" and "-Infinity".
func FormatNumber(f float64) string {
	if f == 0 {
		return "0"
	}
	if f > -1e15 && f < 1e15 {
		if i := int64(f); float64(i) == f {
			return strconv.FormatInt(i, 10)
		}
	}
	var buf [32]byte
	return string(AppendNumber(buf[:0], f))
}

// AppendNumber appends FormatNumber(f) to dst.
func AppendNumber(dst []byte, f float64) []byte {
	switch {
	case f != f:
		return append(dst, "NaN"...)
	case math.IsInf(f, 1):
		return append(dst, "Infinity"...)
	case math.IsInf(f, -1):
		return append(dst, "-Infinity"...)
	case f == 0:
		return append(dst, '0')
	}
	if f > -1e15 && f < 1e15 {
		if i := int64(f); float64(i) == f {
			return strconv.AppendInt(dst, i, 10)
		}
	}

	// Shortest round-trip digits in the form [-]D[.DDD]e±XX; ECMAScript's
	// Number::toString then only chooses where the decimal point goes.
	var tmp [32]byte
	d := strconv.AppendFloat(tmp[:0], f, 'e', -1, 64)
	if d[0] == '-' {
		dst = append(dst, '-')
		d = d[1:]
	}
	ei := 0
	for d[ei] != 'e' {
		ei++
	}
	exp := 0
	for _, c := range d[ei+2:] {
		exp = exp*10 + int(c-'0')
	}
	if d[ei+1] == '-' {
		exp = -exp
	}
	var digitBuf [20]byte
	digits := append(digitBuf[:0], d[0])
	if ei > 1 {
		digits = append(digits, d[2:ei]...)
	}
	k := len(digits)
	n := exp + 1 // position of the decimal point relative to the digits

	switch {
	case k <= n && n <= 21:
		dst = append(dst, digits...)
		for range n - k {
			dst = append(dst, '0')
		}
	case 0 < n && n <= 21:
		dst = append(dst, digits[:n]...)
		dst = append(dst, '.')
		dst = append(dst, digits[n:]...)
	case -6 < n && n <= 0:
		dst = append(dst, '0', '.')
		for range -n {
			dst = append(dst, '0')
		}
		dst = append(dst, digits...)
	default:
		dst = append(dst, digits[0])
		if k > 1 {
			dst = append(dst, '.')
			dst = append(dst, digits[1:]...)
		}
		dst = append(dst, 'e')
		e := n - 1
		if e < 0 {
			dst = append(dst, '-')
			e = -e
		} else {
			dst = append(dst, '+')
		}
		dst = strconv.AppendInt(dst, int64(e), 10)
	}
	return dst
}

// isPlainInteger reports whether text is a JSON integer literal that
// JavaScript prints back unchanged: at most 15 digits, no leading zero, and
// not negative zero.
func isPlainInteger(text string) bool {
	i := 0
	if i < len(text) && text[i] == '-' {
		i++
	}
	n := len(text) - i
	if n == 0 || n > maxExactDigits {
		return false
	}
	if text[i] == '0' {
		return n == 1 && i == 0
	}
	for ; i < len(text); i++ {
		if c := text[i]; c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// isPlainDecimal reports whether text, a JSON number literal, is a decimal
// fraction that JavaScript prints back unchanged: no exponent, at most 15
// significant digits, no trailing zero, and at least 1e-6 in magnitude. A
// decimal of at most 15 significant digits is the shortest text that
// round-trips its float64 (no other decimal that short lies within an ulp of
// it), and in that range JavaScript lays it out in plain notation.
func isPlainDecimal(text string) bool {
	i := 0
	if i < len(text) && text[i] == '-' {
		i++
	}
	dot := -1
	for j := i; j < len(text); j++ {
		switch c := text[j]; {
		case c == '.':
			if dot >= 0 {
				return false
			}
			dot = j
		case c < '0' || c > '9':
			return false
		}
	}
	if dot <= i || dot == len(text)-1 || text[len(text)-1] == '0' {
		return false
	}
	intPart, frac := text[i:dot], text[dot+1:]
	if intPart != "0" {
		return intPart[0] != '0' && len(intPart)+len(frac) <= maxExactDigits
	}
	zeros := 0
	for zeros < len(frac) && frac[zeros] == '0' {
		zeros++
	}
	// 0.000001 is plain, 0.0000001 is 1e-7.
	return zeros <= 5 && len(frac)-zeros <= maxExactDigits
}

// plainFraction is isPlainDecimal for a number whose text the tokenizer
// has checked, from what it saw: its integer part has intDigits digits,
// and is "0" when zero is set, and frac is its fraction's digits, one at
// least. As isPlainDecimal, it reports whether JavaScript prints the
// number back unchanged (TestPlainFraction).
func plainFraction(intDigits int, zero bool, frac string) bool {
	if frac[len(frac)-1] == '0' {
		return false
	}
	if !zero {
		return intDigits+len(frac) <= maxExactDigits
	}
	// 0.000001 is plain, 0.0000001 is 1e-7.
	zeros := 0
	for frac[zeros] == '0' {
		zeros++
	}
	return zeros <= 5 && len(frac)-zeros <= maxExactDigits
}

// canonicalNumber returns the JavaScript text of the number whose JSON text
// is text, reusing text when it already is canonical.
func canonicalNumber(text string) string {
	if isPlainInteger(text) || isPlainDecimal(text) {
		return text
	}
	f := RawNumber(text).Float()
	var buf [32]byte
	out := AppendNumber(buf[:0], f)
	if string(out) == text {
		return text
	}
	return string(out)
}
