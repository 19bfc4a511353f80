package conformance

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"
)

// jsNumber is JavaScript's String() of a number (ECMAScript
// Number::toString with radix 10), written here from the specification
// rather than taken from the code under test: the shortest digits that
// round-trip, in plain notation when the decimal exponent n satisfies
// -6 < n <= 21, else as d.ddde±x.
func jsNumber(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	case f == 0:
		return "0" // -0 too
	}
	sign := ""
	if f < 0 {
		sign, f = "-", -f
	}
	// strconv's shortest round-trip digits, as d.ddde±x.
	mant, exp, _ := strings.Cut(strconv.FormatFloat(f, 'e', -1, 64), "e")
	digits := strings.Replace(mant, ".", "", 1)
	x, _ := strconv.Atoi(exp)
	k, n := len(digits), x+1 // the value is 0.digits × 10^n
	switch {
	case k <= n && n <= 21:
		return sign + digits + strings.Repeat("0", n-k)
	case 0 < n && n <= 21:
		return sign + digits[:n] + "." + digits[n:]
	case -6 < n && n <= 0:
		return sign + "0." + strings.Repeat("0", -n) + digits
	}
	e := "e+"
	if n-1 < 0 {
		e = "e-"
	}
	m := digits[:1]
	if k > 1 {
		m += "." + digits[1:]
	}
	return sign + m + e + strconv.Itoa(abs(n-1))
}

// numberString is JavaScript's String() of a JSON number; text that is
// not a number stays as written.
func numberString(n json.Number) string {
	if f, ok := numberValue(n); ok {
		return jsNumber(f)
	}
	return string(n)
}

// abs is |i|.
func abs(i int) int {
	if i < 0 {
		return -i
	}
	return i
}
