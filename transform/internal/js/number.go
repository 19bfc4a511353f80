package js

import (
	"math"
	"math/big"
	"strconv"
	"unicode/utf8"

	"github.com/cio-transformer/cio-transformer/internal/jsvalue"
)

// IntegerString returns Number(s) and whether s is not blank and that
// number is an integer.
func IntegerString(s string) (float64, bool) {
	if s == "" {
		return 0, false
	}
	// Only a digit, sign, dot or whitespace can start a number literal.
	if c := s[0]; !isDigit(c) && c != '+' && c != '-' && c != '.' && !isJSSpaceStart(c) {
		return 0, false
	}
	t := jsvalue.TrimSpace(s)
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

// isDigit reports whether c is an ASCII decimal digit.
func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// ArrayLength returns the length a JavaScript array gets when its length
// is set to v, and false where JavaScript throws RangeError "Invalid array
// length": Number(v) must be an integer from 0 to 2^32-1. An array or a
// string goes through its String(), null is 0, a boolean 0 or 1, and any
// other object is NaN.
func ArrayLength(v jsvalue.Value) (int64, bool) {
	var f float64
	switch v.Kind() {
	case jsvalue.KindNumber:
		f = v.Float()
	case jsvalue.KindBool:
		if v.Bool() {
			f = 1
		}
	case jsvalue.KindNull:
	case jsvalue.KindString, jsvalue.KindArray:
		if s := v.JSString(); jsvalue.TrimSpace(s) != "" {
			n, ok := IntegerString(s)
			if !ok {
				return 0, false
			}
			f = n
		}
	default:
		return 0, false
	}
	if f != math.Trunc(f) || f < 0 || f > math.MaxUint32 {
		return 0, false
	}
	return int64(f), true
}
