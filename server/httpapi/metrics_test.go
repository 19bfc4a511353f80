package httpapi

import (
	"testing"

	"github.com/prometheus/client_golang/prometheus"
)

// counterValue returns the value of the counter name with the given
// label values, 0 when absent.
func counterValue(t *testing.T, reg *prometheus.Registry, name string, labels map[string]string) float64 {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
	next:
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				if labels[l.GetName()] != l.GetValue() {
					continue next
				}
			}
			return m.GetCounter().GetValue()
		}
	}
	return 0
}

// TestMetricsCountRequestsAndJobs checks the counters after one router
// request, and that two Handlers share one registry.
func TestMetricsCountRequestsAndJobs(t *testing.T) {
	t.Parallel()
	reg := prometheus.NewRegistry()
	_, c := newTestServer(t, Config{Metrics: reg})
	if _, err := New(Config{Metrics: reg}); err != nil {
		t.Fatalf("a second Handler on the registry: %v", err)
	}
	out := c.routerTransform(mixedJobs(testDest), false)
	var ok, failed float64
	for _, o := range out {
		n := float64(len(o.Metadata))
		if o.StatusCode == 200 {
			ok += n
		} else {
			failed += n
		}
	}
	if got := counterValue(t, reg, "cio_http_jobs_total", map[string]string{"route": routeRouter, "outcome": "request"}); got != ok {
		t.Errorf("request jobs %v, want %v", got, ok)
	}
	if got := counterValue(t, reg, "cio_http_jobs_total", map[string]string{"route": routeRouter, "outcome": "error"}); got != failed || failed == 0 {
		t.Errorf("error jobs %v, want %v", got, failed)
	}
	if got := counterValue(t, reg, "cio_http_requests_total", map[string]string{"route": routeRouter, "code": "200"}); got != 1 {
		t.Errorf("router requests %v, want 1", got)
	}
}
