package jsvalue

import (
	"math"
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
	for range 50000 {
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
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		s = s[:i]
	}
	s = strings.NewReplacer("-", "", ".", "").Replace(s)
	return strings.Trim(s, "0")
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
