package main

import (
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"
)

// TestBuildInfoMetric checks cio_transformer_build_info: one series of
// value 1 whose labels name the build.
func TestBuildInfoMetric(t *testing.T) {
	t.Parallel()
	families, err := newMetricsRegistry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	b := readBuildInfo()
	var found []*dto.Metric
	for _, mf := range families {
		if mf.GetName() == "cio_transformer_build_info" {
			found = mf.GetMetric()
		}
	}
	if len(found) != 1 || found[0].GetGauge().GetValue() != 1 {
		t.Fatalf("cio_transformer_build_info %v, want one series of value 1", found)
	}
	labels := map[string]string{}
	for _, l := range found[0].GetLabel() {
		labels[l.GetName()] = l.GetValue()
	}
	want := map[string]string{"version": b.Version, "revision": b.Revision, "goversion": b.GoVersion}
	for k, v := range want {
		if labels[k] != v || v == "" {
			t.Errorf("label %s = %q, want %q", k, labels[k], v)
		}
	}
	if len(labels) != len(want) {
		t.Errorf("labels %v, want only %v", labels, want)
	}
}

// TestVersionOverride checks that -ldflags -X values win over build info.
func TestVersionOverride(t *testing.T) {
	// Not parallel: it sets the package variables the linker would.
	version, revision = "v9.9.9", "0123abcd"
	t.Cleanup(func() { version, revision = "", "" })
	var out strings.Builder
	printVersion(&out)
	for _, want := range []string{"cio-transformer v9.9.9\n", "revision: 0123abcd\n"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("version output lacks %q:\n%s", want, out.String())
		}
	}
}
