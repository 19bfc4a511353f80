package js

import (
	"testing"
	"time"
)

// TestDaysFromCivil checks the calendar arithmetic against the time
// package over a wide range of years, leap years and BCE years included.
func TestDaysFromCivil(t *testing.T) {
	t.Parallel()
	for y := int64(-1000); y <= 3000; y += 7 {
		for m := int64(1); m <= 12; m++ {
			for _, d := range []int64{1, 28, daysInMonth(y, m)} {
				want := time.Date(int(y), time.Month(m), int(d), 0, 0, 0, 0, time.UTC).Unix() / 86400
				if got := daysFromCivil(y, m, d); got != want {
					t.Fatalf("daysFromCivil(%d, %d, %d) = %d, want %d", y, m, d, got, want)
				}
				if want2 := time.Date(int(y), time.Month(m), int(d)+1, 0, 0, 0, 0, time.UTC); d == daysInMonth(y, m) && want2.Day() != 1 {
					t.Fatalf("daysInMonth(%d, %d) = %d, but day %d exists", y, m, d, d+1)
				}
			}
		}
	}
}

// TestParseCommonISODate checks the fast path of the common date-time
// shape against the general scanner over many shapes, valid and not: where
// it accepts a string, the scanner accepts it with the same value, and it
// accepts every valid string of its shape but those it leaves to the
// scanner (an hour of 24, a lower-case t or z).
func TestParseCommonISODate(t *testing.T) {
	t.Parallel()
	years := []string{"0000", "0001", "1900", "1969", "1970", "2000", "2023", "2024", "2100", "9999", "20x4"}
	dates := []string{"01-01", "01-31", "02-28", "02-29", "02-30", "04-30", "04-31", "12-31", "00-10", "13-01", "01-00", "01-32", "1-02", "0a-01"}
	times := []string{"00:00:00", "03:04:05", "23:59:59", "24:00:00", "24:00:01", "23:60:00", "23:59:60", "99:00:00", "3:04:05", "03:04", "03:04:5x"}
	fractions := []string{"", ".000", ".678", ".999", ".5", ".12", ".1234", ".", ".a23", ".12x"}
	zones := []string{"Z", "z", "", "+00:00", "-00:00", "+05:30", "-07:00", "+23:59", "+24:00", "-00:60", "+0530", "+05:3", "+05:30Z", "ZZ", " ", "+x5:30", "+05;30"}
	seps := []string{"T", "t", " "}
	accepted := 0
	for _, y := range years {
		for _, d := range dates {
			for _, sep := range seps {
				for _, tm := range times {
					for _, f := range fractions {
						for _, z := range zones {
							s := y + "-" + d + sep + tm + f + z
							fast, fastOK := parseCommonISODate(s)
							want, wantOK := scanISODate(s)
							if fastOK {
								accepted++
								if !wantOK || fast != want {
									t.Fatalf("parseCommonISODate(%q) = %d, true; scanISODate = %d, %t", s, fast, want, wantOK)
								}
							}
							common := sep == "T" && len(tm) == 8 && tm[:2] != "24" && (f == "" || len(f) == 4) &&
								(z == "Z" || len(z) == 6 && z[3] == ':')
							if wantOK && !fastOK && common {
								t.Errorf("parseCommonISODate(%q) leaves a valid string of its shape to the scanner", s)
							}
							if got, ok := parseISODate(s); got != want || ok != wantOK {
								t.Fatalf("parseISODate(%q) = %d, %t; scanISODate = %d, %t", s, got, ok, want, wantOK)
							}
						}
					}
				}
			}
		}
	}
	if accepted < 1000 {
		t.Fatalf("parseCommonISODate accepted only %d strings", accepted)
	}
	for s, want := range map[string]int64{
		"2024-01-02T03:04:05.678Z":      1704164645678,
		"2024-01-02T03:04:05Z":          1704164645000,
		"2024-01-02T03:04:05.678+05:30": 1704164645678 - 330*60*1000,
		"2024-01-02T03:04:05-07:00":     1704164645000 + 7*3600*1000,
	} {
		if got, ok := parseCommonISODate(s); !ok || got != want {
			t.Errorf("parseCommonISODate(%q) = %d, %t, want %d, true", s, got, ok, want)
		}
	}
}

// TestParseCommonISODateBytes checks the fast path against the general
// scanner with each byte of dates of each length it reads replaced by
// every byte value: the words it reads take no byte for another, and it
// reads every valid date of its shape.
func TestParseCommonISODateBytes(t *testing.T) {
	t.Parallel()
	for _, base := range []string{
		"2024-02-29T23:59:59Z", "1970-01-01T00:00:00.000Z", "2024-12-31T09:08:07+05:30", "0001-10-20T10:20:30.456-07:00",
	} {
		if _, ok := parseCommonISODate(base); !ok {
			t.Fatalf("parseCommonISODate(%q) fails", base)
		}
		for i := range len(base) {
			for c := range 256 {
				b := []byte(base)
				b[i] = byte(c)
				s := string(b)
				fast, ok := parseCommonISODate(s)
				want, wantOK := scanISODate(s)
				if ok && (!wantOK || fast != want) {
					t.Fatalf("parseCommonISODate(%q) = %d, true; scanISODate = %d, %t", s, fast, want, wantOK)
				}
				// A digit for a digit keeps the shape, but for an hour of 24.
				if !ok && wantOK && isDigit(base[i]) && isDigit(byte(c)) && s[11:13] != "24" {
					t.Errorf("parseCommonISODate(%q) leaves a valid string of its shape to the scanner", s)
				}
			}
		}
	}
}

func FuzzParseCommonISODate(f *testing.F) {
	for _, s := range []string{
		"2024-01-02T03:04:05.678Z", "2024-01-02T03:04:05Z", "2024-02-29T23:59:59.999+23:59",
		"2023-02-29T00:00:00.000Z", "2024-01-02T24:00:00.000Z", "2024-01-02t03:04:05.678z",
		"0000-01-01T00:00:00-00:00", "2024-01-02T03:04:05.6789Z", "2024-01-02 03:04:05Z",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		fast, ok := parseCommonISODate(s)
		want, wantOK := scanISODate(s)
		if ok && (!wantOK || fast != want) {
			t.Fatalf("parseCommonISODate(%q) = %d, true; scanISODate = %d, %t", s, fast, want, wantOK)
		}
		if got, gotOK := parseISODate(s); got != want || gotOK != wantOK {
			t.Fatalf("parseISODate(%q) = %d, %t; scanISODate = %d, %t", s, got, gotOK, want, wantOK)
		}
	})
}
