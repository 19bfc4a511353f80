package transform

import (
	"encoding/binary"
	"fmt"
	"math"
	"strconv"
	"testing"

	"github.com/cio-transformer/cio-transformer/internal/jsvalue"
)

// noDate marks an invalid date (JSON null) in the tables below.
const noDate = math.MinInt64

func TestUnixSecondsStrings(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want int64
		// v8 is what upstream's V8 gives where deviation D7 makes this
		// service differ; 0 when they agree.
		v8 int64
	}{
		{"upstream example with offset", "2022-01-10T20:52:18.678+05:30", 1641828138, 0},
		{"date only is UTC", "2024-01-02", 1704153600, 0},
		{"RFC 1123", "Tue, 02 Jan 2024 10:00:00 GMT", 1704189600, 0},
		{"floors toward minus infinity", "1969-12-31T23:59:59.500Z", -1, 0},
		{"router example", "2019-10-14T09:03:17.562Z", 1571043797, 0},
		{"Z without fraction", "2024-01-02T10:00:00Z", 1704189600, 0},
		{"negative offset", "2024-01-02T10:00:00-05:00", 1704207600, 0},
		{"seven fraction digits", "2024-01-02T10:00:00.1234567Z", 1704189600, 0},
		{"fraction truncated not rounded", "2024-01-02T10:00:59.9999Z", 1704189659, 0},
		{"minutes only", "2024-01-02T10:00Z", 1704189600, 0},
		{"end of day", "2024-01-02T24:00:00Z", 1704240000, 0},
		{"past end of day", "2024-01-02T24:00:01Z", noDate, 0},
		{"year only", "2024", 1704067200, 0},
		{"year and month", "2024-01", 1704067200, 0},
		{"year and time", "2024T10:00Z", 1704103200, 0},
		{"no offset read as UTC", "2024-01-02T10:00:00", 1704189600, 0},
		{"no offset with fraction", "2024-01-02T10:00:00.5", 1704189600, 0},
		{"expanded year", "+002024-01-02", 1704153600, 0},
		{"negative expanded year", "-000001-01-01T00:00:00Z", -62198755200, 0},
		{"latest date", "+275760-09-13T00:00:00Z", 8640000000000, 0},
		{"past latest date", "+275760-09-13T00:00:00.001Z", noDate, 0},
		{"earliest date", "-271821-04-20T00:00:00Z", -8640000000000, 0},
		{"earliest through offset", "-271821-04-19T23:00:00-01:00", -8640000000000, 0},
		{"before earliest", "-271821-04-19", noDate, 0},
		{"offset without colon", "2024-01-02T10:00:00+0530", 1704169800, 0},
		{"lower-case t and z", "2024-01-02t10:00:00z", 1704189600, 0},
		{"leap day", "2024-02-29", 1709164800, 0},
		{"leap day of year 2000", "2000-02-29T12:00:00Z", 951825600, 0},
		{"month 13", "2024-13-01", noDate, 0},
		{"month 0", "2024-00-01", noDate, 0},
		{"day 0", "2024-01-00", noDate, 0},
		{"day 32", "2024-01-32", noDate, 0},
		{"minute 60", "2024-01-02T10:60:00Z", noDate, 0},
		{"second 60", "2024-01-02T10:00:60Z", noDate, 0},
		{"offset 24 hours", "2024-01-02T10:00:00+24:00", noDate, 0},
		{"offset 23:59", "2024-01-02T10:00:00+23:59", 1704103260, 0},
		{"dot without digits", "2024-01-02T10:00:00.Z", noDate, 0},
		{"hour only", "2024-01-02T10", noDate, 0},
		{"comma fraction", "2024-01-02T10:00:00,5Z", noDate, 0},
		{"empty", "", noDate, 0},
		{"N/A", "N/A", noDate, 0},
		{"not a date", "not a date", noDate, 0},
		{"invalid-date-string", "invalid-date-string", noDate, 0},
		{"yesterday", "yesterday", noDate, 0},
		{"epoch ms as string", "1700000000000", noDate, 0},
		{"RFC 1123 without day name", "02 Jan 2024 10:00:00 GMT", 1704189600, 0},
		{"RFC 1123 one-digit day", "Tue, 2 Jan 2024 10:00:00 GMT", 1704189600, 0},
		{"RFC 1123 without seconds", "Tue, 02 Jan 2024 10:00 GMT", 1704189600, 0},
		{"RFC 1123 numeric zone", "Tue, 02 Jan 2024 10:00:00 +0100", 1704186000, 0},
		{"RFC 1123 negative numeric zone", "Tue, 02 Jan 2024 10:00:00 -0830", 1704220200, 0},
		{"RFC 822 EST", "Tue, 02 Jan 2024 10:00:00 EST", 1704207600, 0},
		{"RFC 822 PDT", "Tue, 02 Jan 2024 10:00:00 PDT", 1704214800, 0},
		{"RFC 1123 UTC", "Tue, 02 Jan 2024 10:00:00 UTC", 1704189600, 0},
		{"RFC 1123 UT", "Tue, 02 Jan 2024 10:00:00 UT", 1704189600, 0},
		{"RFC 1123 Z", "Tue, 02 Jan 2024 10:00:00 Z", 1704189600, 0},
		{"RFC 1123 lower case", "tue, 02 jan 2024 10:00:00 gmt", 1704189600, 0},
		{"RFC 1123 day name not checked", "Mon, 02 Jan 2024 10:00:00 GMT", 1704189600, 0},
		{"RFC 1123 year 0049", "Tue, 02 Jan 0049 10:00:00 GMT", 2493194400, 0},
		{"RFC 1123 year 0050", "Tue, 02 Jan 0050 10:00:00 GMT", -631029600, 0},
		{"RFC 1123 year 0100", "Tue, 02 Jan 0100 10:00:00 GMT", -59011336800, 0},

		// Deviation D7: informal strings V8 accepts are invalid here.
		{"minus zero year", "-000000-01-01", noDate, 978307200},
		{"no leap day in 2023", "2023-02-29", noDate, 1677628800},
		{"day 30 of February", "2024-02-30", noDate, 1709251200},
		{"no leap day in 1900", "1900-02-29", noDate, -2203891200},
		{"leading space", " 2024-01-02", noDate, 1704153600},
		{"trailing space", "2024-01-02 ", noDate, 1704153600},
		{"space separator", "2024-01-02 10:00:00Z", noDate, 1704189600},
		{"one-digit month and day", "2024-1-2", noDate, 1704153600},
		{"date with Z", "2024-01-02Z", noDate, 1704153600},
		{"informal", "abc 2020", noDate, 1577836800},
		{"slashes", "2024/01/02", noDate, 1704153600},
		{"RFC 1123 February 31", "Tue, 31 Feb 2024 10:00:00 GMT", noDate, 1709373600},
		{"RFC 1123 without zone", "Tue, 02 Jan 2024 10:00:00", noDate, 1704189600},
		{"RFC 1123 hour 24", "Tue, 02 Jan 2024 24:00:00 GMT", noDate, 1704240000},
		{"RFC 1123 second 60", "Tue, 02 Jan 2024 10:00:60 GMT", noDate, 1704189600},
		{"RFC 1123 two-digit year", "Tue, 02 Jan 24 10:00:00 GMT", noDate, 1704189600},
		{"RFC 1123 full month name", "Tue, 02 January 2024 10:00:00 GMT", noDate, 1704189600},
		{"RFC 1123 GMT+0100", "Tue, 02 Jan 2024 10:00:00 GMT+0100", noDate, 1704186000},
		{"JavaScript toString", "Tue Jan 02 2024 10:00:00 GMT+0000 (Coordinated Universal Time)", noDate, 1704189600},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			checkSeconds(t, jsvalue.String(tt.in), tt.want)
		})
	}
}

func TestUnixSecondsOtherValues(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   jsvalue.Value
		want int64
	}{
		{"epoch ms", jsvalue.Int(1700000000000), 1700000000},
		{"seconds read as ms", jsvalue.Int(1400687660), 1400687},
		{"zero", jsvalue.Int(0), 0},
		{"minus one ms", jsvalue.Int(-1), -1},
		{"minus one second", jsvalue.Int(-1000), -1},
		{"minus 1001 ms", jsvalue.Int(-1001), -2},
		{"fraction truncated toward zero", jsvalue.RawNumber("1.9"), 0},
		{"negative fraction truncated toward zero", jsvalue.RawNumber("-1.9"), -1},
		{"minus half", jsvalue.RawNumber("-0.5"), 0},
		{"exponent", jsvalue.RawNumber("1.7e12"), 1700000000},
		{"latest", jsvalue.RawNumber("8.64e15"), 8640000000000},
		{"past latest", jsvalue.RawNumber("8640000000000001"), noDate},
		{"earliest", jsvalue.RawNumber("-8.64e15"), -8640000000000},
		{"huge", jsvalue.RawNumber("1e300"), noDate},
		{"NaN", jsvalue.RawNumber("NaN"), noDate},
		{"Infinity", jsvalue.RawNumber("Infinity"), noDate},
		// new Date(null) and new Date(false) are the epoch, new Date(true)
		// is 1 ms after it.
		{"null", jsvalue.Null(), 0},
		{"false", jsvalue.Bool(false), 0},
		{"true", jsvalue.Bool(true), 0},
		{"undefined", jsvalue.Undefined(), noDate},
		{"object", jsvalue.NewObject(0), noDate},
		// An array is converted to a string first: its elements joined.
		{"empty array", jsvalue.NewArray(), noDate},
		{"array of a date string", jsvalue.NewArray(jsvalue.String("2024-01-02")), 1704153600},
		{"array of a year", jsvalue.NewArray(jsvalue.Int(2024)), 1704067200},
		{"array joined with comma", jsvalue.NewArray(jsvalue.String("Tue"), jsvalue.String(" 02 Jan 2024 10:00:00 GMT")), 1704189600},
		{"array of epoch ms", jsvalue.NewArray(jsvalue.Int(1700000000000)), noDate},
		{"array of null", jsvalue.NewArray(jsvalue.Null()), noDate},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			checkSeconds(t, tt.in, tt.want)
		})
	}
}

func checkSeconds(t *testing.T, in jsvalue.Value, want int64) {
	t.Helper()
	got := unixSeconds(in, nil)
	if want == noDate {
		if !got.IsNull() {
			t.Errorf("unixSeconds(%s) = %s, want null", in.AppendJSON(nil), got.AppendJSON(nil))
		}
		return
	}
	if got.NumberText() != strconv.FormatInt(want, 10) {
		t.Errorf("unixSeconds(%s) = %s, want %d", in.AppendJSON(nil), got.AppendJSON(nil), want)
	}
}

func TestFloorDiv(t *testing.T) {
	t.Parallel()
	tests := []struct{ a, b, want int64 }{
		{0, 1000, 0}, {999, 1000, 0}, {1000, 1000, 1}, {-1, 1000, -1},
		{-999, 1000, -1}, {-1000, 1000, -1}, {-1001, 1000, -2},
	}
	for _, tt := range tests {
		if got := floorDiv(tt.a, tt.b); got != tt.want {
			t.Errorf("floorDiv(%d, %d) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

func BenchmarkUnixSeconds(b *testing.B) {
	for _, in := range []jsvalue.Value{
		jsvalue.String("2019-10-14T09:03:17.562Z"),
		jsvalue.String("2022-01-10T20:52:18.678+05:30"),
		jsvalue.String("Tue, 02 Jan 2024 10:00:00 GMT"),
		jsvalue.Int(1700000000000),
	} {
		b.Run(string(in.AppendJSON(nil)), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = unixSeconds(in, nil)
			}
		})
	}
}

// TestDigits8 checks digits8 on every four digits in either half, beside
// the smallest and the largest other half: its lanes are apart, so that
// covers every number below 10^8.
func TestDigits8(t *testing.T) {
	t.Parallel()
	check := func(n uint64) {
		t.Helper()
		want := fmt.Sprintf("%08d", n)
		var b [8]byte
		binary.LittleEndian.PutUint64(b[:], digits8(n)+0x3030303030303030)
		if string(b[:]) != want {
			t.Fatalf("digits8(%d) writes %q", n, b[:])
		}
	}
	for x := range uint64(1e4) {
		for _, y := range []uint64{0, 1, 99, 100, 9999, x} {
			check(x*1e4 + y)
			check(y*1e4 + x)
		}
	}
}

// TestAppendSeconds checks appendSeconds against strconv.AppendInt about
// the ten-digit range it writes itself and over it.
func TestAppendSeconds(t *testing.T) {
	t.Parallel()
	vals := []int64{0, 1, -1, 999999999, 1e9, 1e9 + 1, 1704164645, 2e9, 9999999999, 1e10, 1e10 + 1, -1e9, -9999999999,
		math.MaxInt64, math.MinInt64}
	for i := int64(0); i < 100000; i++ {
		vals = append(vals, 1e9+i*89999, 1e9+i, 1e10-1-i)
	}
	for _, s := range vals {
		want := string(strconv.AppendInt([]byte("x"), s, 10))
		if got := string(appendSeconds([]byte("x"), s)); got != want {
			t.Fatalf("appendSeconds(%d) = %s, want %s", s, got, want)
		}
	}
}
