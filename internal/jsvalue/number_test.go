package jsvalue

import (
	"errors"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

func TestFormatNumber(t *testing.T) {
	t.Parallel()
	point1, point2 := 0.1, 0.2
	tests := []struct {
		name string
		in   float64
		want string
	}{
		{"sum with rounding error", point1 + point2, "0.30000000000000004"},
		{"1e21 switches to exponent", 1e21, "1e+21"},
		{"just below 1e21", 999999999999999900000, "999999999999999900000"},
		{"small with exponent", 123e-20, "1.23e-18"},
		{"1e-6 stays plain", 0.000001, "0.000001"},
		{"1e-7 switches to exponent", 1e-7, "1e-7"},
		{"1.5e-7", 1.5e-7, "1.5e-7"},
		{"large integer shortest digits", 12345678901234567890, "12345678901234567000"},
		{"negative zero", math.Copysign(0, -1), "0"},
		{"zero", 0, "0"},
		{"smallest subnormal", 5e-324, "5e-324"},
		{"largest float", math.MaxFloat64, "1.7976931348623157e+308"},
		{"hundred", 100, "100"},
		{"price", 49.99, "49.99"},
		{"integer", 712136, "712136"},
		{"negative integer", -42, "-42"},
		{"negative fraction", -0.0001234, "-0.0001234"},
		{"negative exponent form", -1e21, "-1e+21"},
		{"2^53", 9007199254740992, "9007199254740992"},
		{"2^53+2", 9007199254740994, "9007199254740994"},
		{"fifteen digits", 123456789012345, "123456789012345"},
		{"1e15", 1e15, "1000000000000000"},
		{"half", 0.5, "0.5"},
		{"fraction with integer part", 123.456, "123.456"},
		{"1e300", 1e300, "1e+300"},
		{"1.5e300", 1.5e300, "1.5e+300"},
		{"NaN", math.NaN(), "NaN"},
		{"Infinity", math.Inf(1), "Infinity"},
		{"-Infinity", math.Inf(-1), "-Infinity"},
		{"one third", 1.0 / 3, "0.3333333333333333"},
		{"epoch millis", 1684054962563, "1684054962563"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := FormatNumber(tt.in); got != tt.want {
				t.Errorf("FormatNumber(%v) = %q, want %q", tt.in, got, tt.want)
			}
			if got := string(AppendNumber([]byte("x"), tt.in)); got != "x"+tt.want {
				t.Errorf("AppendNumber(%v) = %q, want %q", tt.in, got, "x"+tt.want)
			}
		})
	}
}

// TestFormatNumberRoundTrips checks over many bit patterns that the printed
// text parses back to the same float.
func TestFormatNumberRoundTrips(t *testing.T) {
	t.Parallel()
	x := uint64(0x9E3779B97F4A7C15)
	for range 100000 {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		f := math.Float64frombits(x)
		if math.IsNaN(f) || math.IsInf(f, 0) {
			continue
		}
		s := FormatNumber(f)
		g, err := strconv.ParseFloat(s, 64)
		if err != nil || g != f {
			t.Fatalf("FormatNumber(%v) = %q parses to %v, %v", f, s, g, err)
		}
		// The digits are Go's shortest digits; only the layout differs.
		want := strconv.FormatFloat(f, 'e', -1, 64)
		if significand(s) != significand(want) {
			t.Fatalf("FormatNumber(%v) = %q, Go prints %q", f, s, want)
		}
	}
}

// significand returns the significant digits of a printed number.
func significand(s string) string {
	var b []byte
	for i := 0; i < len(s) && s[i] != 'e'; i++ {
		if c := s[i]; c >= '0' && c <= '9' {
			b = append(b, c)
		}
	}
	return strings.Trim(string(b), "0")
}

func TestIsPlainInteger(t *testing.T) {
	t.Parallel()
	tests := []struct {
		text string
		want bool
	}{
		{"0", true},
		{"-0", false},
		{"7", true},
		{"-7", true},
		{"123456789012345", true},
		{"1234567890123456", false},
		{"-123456789012345", true},
		{"01", false},
		{"", false},
		{"-", false},
		{"1.5", false},
		{"1e5", false},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			t.Parallel()
			if got := isPlainInteger(tt.text); got != tt.want {
				t.Errorf("isPlainInteger(%q) = %v, want %v", tt.text, got, tt.want)
			}
		})
	}
}

func TestIsPlainDecimal(t *testing.T) {
	t.Parallel()
	tests := []struct {
		text string
		want bool
	}{
		{"49.99", true},
		{"-49.99", true},
		{"0.5", true},
		{"0.000001", true},
		{"0.0000012345", true},
		{"0.0000001", false},
		{"123456789.012345", true},
		{"123456789.0123456", false},
		{"0.123456789012345", true},
		{"0.1234567890123456", false},
		{"1.50", false},
		{"1.0", false},
		{"0.0", false},
		{"-0.0", false},
		{"1.", false},
		{".5", false},
		{"00.5", false},
		{"1", false},
		{"1e5", false},
		{"1.5e5", false},
		{"", false},
		{"-", false},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			t.Parallel()
			if got := isPlainDecimal(tt.text); got != tt.want {
				t.Errorf("isPlainDecimal(%q) = %v, want %v", tt.text, got, tt.want)
			}
		})
	}
}

// TestIsPlainDecimalAgreesWithFormat checks the shortcut against the full
// parse-and-print path over many random decimals.
func TestIsPlainDecimalAgreesWithFormat(t *testing.T) {
	t.Parallel()
	x := uint64(0x2545F4914F6CDD1D)
	next := func(n uint64) uint64 {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		return x % n
	}
	for range 100000 {
		var b []byte
		if next(2) == 0 {
			b = append(b, '-')
		}
		intDigits := int(next(17))
		if intDigits == 0 {
			b = append(b, '0')
		} else {
			b = append(b, byte('1'+next(9)))
			for range intDigits - 1 {
				b = append(b, byte('0'+next(10)))
			}
		}
		b = append(b, '.')
		if intDigits == 0 {
			for range next(9) {
				b = append(b, '0')
			}
		}
		for range 1 + next(17) {
			b = append(b, byte('0'+next(10)))
		}
		text := string(b)
		f, err := strconv.ParseFloat(text, 64)
		if err != nil {
			t.Fatal(err)
		}
		canonical := FormatNumber(f) == text
		if isPlainDecimal(text) && !canonical {
			t.Fatalf("isPlainDecimal(%q) but JavaScript prints %q", text, FormatNumber(f))
		}
		if got := canonicalNumber(text); got != FormatNumber(f) {
			t.Fatalf("canonicalNumber(%q) = %q, want %q", text, got, FormatNumber(f))
		}
	}
}

// numberRewrites is the rule consumeNumber follows, written out from the
// functions that define it: whether JavaScript prints the number text
// otherwise.
func numberRewrites(text string) bool {
	return !isPlainInteger(text) && !isPlainDecimal(text) && canonicalNumber(text) != text
}

// TestPlainFraction checks plainFraction, and the flags consumeNumber
// reports, against isPlainDecimal and numberRewrites over many random
// decimals and integers, with and without exponents.
func TestPlainFraction(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(3, 4))
	for range 200000 {
		var b []byte
		if rng.IntN(2) == 0 {
			b = append(b, '-')
		}
		intDigits := rng.IntN(18)
		if intDigits == 0 {
			b = append(b, '0')
		} else {
			b = append(b, byte('1'+rng.IntN(9)))
			for range intDigits - 1 {
				b = append(b, byte('0'+rng.IntN(10)))
			}
		}
		if rng.IntN(4) > 0 {
			b = append(b, '.')
			if intDigits == 0 {
				for range rng.IntN(9) {
					b = append(b, '0')
				}
			}
			for range 1 + rng.IntN(18) {
				b = append(b, byte('0'+rng.IntN(10)))
			}
			if rng.IntN(4) == 0 {
				b = append(b, '0')
			}
		}
		if rng.IntN(8) == 0 {
			b = append(b, 'e')
			if sign := rng.IntN(3); sign > 0 {
				b = append(b, "+-"[sign-1])
			}
			b = append(b, byte('0'+rng.IntN(10)))
		}
		checkNumberToken(t, string(b))
	}
}

// checkNumberToken checks the number token text: consumeNumber reads all
// of it, and flags it as numberRewrites does; plainFraction agrees with
// isPlainDecimal when it has a fraction and no exponent.
func checkNumberToken(t *testing.T, text string) {
	t.Helper()
	end, fl, err := consumeNumber(text, 0)
	if err != nil || end != len(text) {
		t.Fatalf("consumeNumber(%q) = %d, %v", text, end, err)
	}
	if got, want := fl&flagRewrite != 0, numberRewrites(text); got != want {
		t.Fatalf("consumeNumber(%q): rewrite %v, want %v", text, got, want)
	}
	digits := strings.TrimPrefix(text, "-")
	dot := strings.IndexByte(digits, '.')
	if dot < 0 || strings.ContainsAny(digits, "eE") {
		return
	}
	if got, want := plainFraction(dot, digits[0] == '0', digits[dot+1:]), isPlainDecimal(text); got != want {
		t.Fatalf("plainFraction for %q = %v, want %v", text, got, want)
	}
}

func FuzzConsumeNumber(f *testing.F) {
	for _, s := range []string{"0", "-0", "1.5", "0.000001", "0.0000001", "-0.10", "123456789012345", "1234567890123456",
		"0.123456789012345", "1e21", "1E+2", "12345678901234567890", "49.99", "1.0", "0.0", "100"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if s == "" || s[0] != '-' && (s[0] < '0' || s[0] > '9') {
			return
		}
		end, _, err := consumeNumber(s, 0)
		if err != nil {
			return
		}
		if _, err := strconv.ParseFloat(s[:end], 64); err != nil && !errors.Is(err, strconv.ErrRange) {
			t.Fatalf("consumeNumber accepts %q: %v", s[:end], err)
		}
		checkNumberToken(t, s[:end])
	})
}
