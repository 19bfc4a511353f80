package procstat

import (
	"os"
	"testing"
	"time"
)

func TestParseStatCPU(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		stat    string
		want    time.Duration
		wantErr bool
	}{
		{
			name: "plain",
			stat: "1234 (cio-transformer) S 1 1234 1234 0 -1 4194560 1000 0 0 0 250 75 0 0 20 0 8 0 100 1000000 2000 18446744073709551615",
			want: 3250 * time.Millisecond,
		},
		{
			name: "command with spaces and parentheses",
			stat: "42 (a (b) c) R 1 42 42 0 -1 0 0 0 0 0 7 3 0 0 20 0 1 0 5 0 0",
			want: 100 * time.Millisecond,
		},
		{name: "no command", stat: "42 a R 1", wantErr: true},
		{name: "too few fields", stat: "42 (x) R 1 2 3", wantErr: true},
		{name: "bad number", stat: "42 (x) R 1 42 42 0 -1 0 0 0 0 0 x 3 0 0", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := parseStatCPU([]byte(tt.stat))
			if (err != nil) != tt.wantErr {
				t.Fatalf("parseStatCPU() error = %v, want error %t", err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("parseStatCPU() = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestParseStatState(t *testing.T) {
	t.Parallel()
	for stat, want := range map[string]byte{
		"1234 (cio-transformer) R 1 1234": 'R',
		"42 (a (b) c) S 1 42 42 0":        'S',
		"7 (x) D 1":                       'D',
	} {
		got, err := parseStatState([]byte(stat))
		if err != nil || got != want {
			t.Errorf("parseStatState(%q) = %c, %v, want %c", stat, got, err, want)
		}
	}
	for _, bad := range []string{"42 x R", "42 (x)"} {
		if _, err := parseStatState([]byte(bad)); err == nil {
			t.Errorf("parseStatState(%q) succeeded, want an error", bad)
		}
	}
}

func TestParseStatusMemory(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		status  string
		want    Memory
		wantErr bool
	}{
		{
			name:   "both",
			status: "Name:\tcio-transformer\nVmPeak:\t 9999 kB\nVmHWM:\t   20480 kB\nVmRSS:\t   10240 kB\nThreads:\t8\n",
			want:   Memory{RSS: 10 << 20, Peak: 20 << 20},
		},
		{name: "no HWM", status: "VmRSS:\t 10 kB\n", wantErr: true},
		{name: "bad number", status: "VmHWM:\t x kB\nVmRSS:\t 10 kB\n", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := parseStatusMemory([]byte(tt.status))
			if (err != nil) != tt.wantErr {
				t.Fatalf("parseStatusMemory() error = %v, want error %t", err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("parseStatusMemory() = %+v, want %+v", got, tt.want)
			}
		})
	}
}

// TestOwnProcess reads this test's own /proc files, where they exist.
func TestOwnProcess(t *testing.T) {
	t.Parallel()
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Skip("no /proc")
	}
	pid := os.Getpid()
	if _, err := CPU(pid); err != nil {
		t.Errorf("CPU: %v", err)
	}
	// This goroutine runs while it asks, so at least its thread is R.
	if running, err := Runnable(pid); err != nil || !running {
		t.Errorf("Runnable() = %t, %v, want true", running, err)
	}
	m, err := ReadMemory(pid)
	if err != nil {
		t.Fatalf("ReadMemory: %v", err)
	}
	if m.RSS <= 0 || m.Peak < m.RSS {
		t.Errorf("ReadMemory = %+v, want 0 < RSS <= Peak", m)
	}
}
