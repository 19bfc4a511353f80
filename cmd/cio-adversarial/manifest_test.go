package main

import (
	"math/big"
	"path/filepath"
	"runtime"
	"testing"
)

func TestGoMemLimitFromYAML(t *testing.T) {
	t.Parallel()
	const head = "apiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n"
	tests := []struct {
		name    string
		yaml    string
		want    string
		wantOK  bool
		wantErr bool
	}{
		{
			name:   "literal value",
			yaml:   head + "          env:\n            - name: GOMEMLIMIT\n              value: 435MiB\n",
			want:   "435MiB",
			wantOK: true,
		},
		{
			name: "from the memory limit",
			yaml: head + "          env:\n            - name: GOMEMLIMIT\n              valueFrom:\n                resourceFieldRef:\n                  resource: limits.memory\n" +
				"          resources:\n            limits:\n              memory: 512Mi\n",
			want:   "536870912",
			wantOK: true,
		},
		{
			name: "with a divisor, rounded up",
			yaml: head + "          env:\n            - name: GOMEMLIMIT\n              valueFrom:\n                resourceFieldRef:\n                  resource: limits.memory\n                  divisor: 1Mi\n" +
				"          resources:\n            limits:\n              memory: 1G\n",
			want:   "954",
			wantOK: true,
		},
		{
			name: "second document",
			yaml: "apiVersion: v1\nkind: Service\nspec:\n  ports: []\n---\n" + head + "          env:\n            - name: GOMEMLIMIT\n              value: \"400000000\"\n",
			want: "400000000", wantOK: true,
		},
		{name: "not set", yaml: head + "          env:\n            - name: OTHER\n              value: x\n"},
		{
			name:    "limit missing",
			yaml:    head + "          env:\n            - name: GOMEMLIMIT\n              valueFrom:\n                resourceFieldRef:\n                  resource: limits.memory\n",
			wantErr: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, ok, err := goMemLimitFromYAML([]byte(tt.yaml))
			if (err != nil) != tt.wantErr {
				t.Fatalf("goMemLimitFromYAML() error = %v, want error %t", err, tt.wantErr)
			}
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("goMemLimitFromYAML() = %q, %t, want %q, %t", got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func TestParseQuantity(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want *big.Rat
	}{
		{"512Mi", big.NewRat(512<<20, 1)},
		{"1Gi", big.NewRat(1<<30, 1)},
		{"1G", big.NewRat(1e9, 1)},
		{"100m", big.NewRat(1, 10)},
		{"1e9", big.NewRat(1e9, 1)},
		{"1.5Ki", big.NewRat(1536, 1)},
		{"268435456", big.NewRat(268435456, 1)},
	}
	for _, tt := range tests {
		got, err := parseQuantity(tt.in)
		if err != nil {
			t.Errorf("parseQuantity(%q): %v", tt.in, err)
			continue
		}
		if got.Cmp(tt.want) != 0 {
			t.Errorf("parseQuantity(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
	for _, bad := range []string{"", "Mi", "-1Gi", "1 Gi", "x"} {
		if _, err := parseQuantity(bad); err == nil {
			t.Errorf("parseQuantity(%q) succeeded, want an error", bad)
		}
	}
}

// TestShippedManifestsSetGoMemLimit reads the manifests the harness reads
// in make adversarial.
func TestShippedManifestsSetGoMemLimit(t *testing.T) {
	t.Parallel()
	_, file, _, _ := runtime.Caller(0)
	dir := filepath.Join(filepath.Dir(file), "..", "..", "deploy", "kubernetes")
	v, _, err := goMemLimitFromManifests(dir)
	if err != nil {
		t.Fatal(err)
	}
	if v == "" {
		t.Error("empty GOMEMLIMIT")
	}
}
