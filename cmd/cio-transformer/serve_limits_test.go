package main

import (
	"io"
	"testing"
)

// TestServeMaxEventBytes checks that --max-event-bytes reaches the server
// configuration and that a value that is not positive is refused.
func TestServeMaxEventBytes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		value   string
		want    int
		wantErr bool
	}{
		{"default", "", 1 << 20, false},
		{"set", "4096", 4096, false},
		{"zero", "0", 0, true},
		{"negative", "-1", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var f serveFlags
			fs := newServeFlagSet(&f, io.Discard)
			var args []string
			if tt.value != "" {
				args = []string{"--max-event-bytes", tt.value}
			}
			if err := fs.Parse(args); err != nil {
				t.Fatal(err)
			}
			cfg, _, err := f.config(io.Discard)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("--max-event-bytes %s: no error", tt.value)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if cfg.MaxEventBytes != tt.want {
				t.Errorf("MaxEventBytes = %d, want %d", cfg.MaxEventBytes, tt.want)
			}
		})
	}
}
