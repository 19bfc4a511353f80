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
