package main

import (
	"context"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cio-transformer/cio-transformer/internal/fakecio"
	"github.com/google/go-cmp/cmp"
)

// TestGoClientExample builds examples/go and runs it against two real
// servers: its unary calls must alternate between them (round_robin) and
// every answer must be right.
func TestGoClientExample(t *testing.T) {
	t.Parallel()
	bin := filepath.Join(t.TempDir(), "go-client")
	build := exec.Command("go", slices.Concat([]string{"build"}, buildFlags, []string{"-o", bin, "./examples/go"})...)
	build.Dir = repoRoot()
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build ./examples/go: %v\n%s", err, out)
	}
	// Both servers deliver to a fake Customer.io that accepts everything.
	fake := fakecio.Start(nil, fakecio.Response{Status: 200, Body: `{}`})
	t.Cleanup(fake.Close)
	a, b := startServer(t, "--delivery-us-url", fake.URL), startServer(t, "--delivery-us-url", fake.URL)

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, bin, "-calls", "6", a.addr, b.addr).CombinedOutput()
	if err != nil {
		t.Fatalf("go-client: %v\n%s", err, out)
	}

	via := regexp.MustCompile(` via=(\S+)`)
	servers := map[string]string{a.addr: "A", b.addr: "B"}
	var order []string
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	for i, line := range lines {
		if m := via.FindStringSubmatch(line); m != nil {
			order = append(order, servers[m[1]])
			lines[i] = strings.Replace(line, m[0], "", 1)
		}
	}
	if o := strings.Join(order, ""); o != "ABABAB" && o != "BABABA" {
		t.Errorf("unary calls went to servers %q, want them alternating over both", o)
	}
	want := []string{
		"transform jobs=1 PUT https://track.customer.io/api/v1/customers/user-1",
		"transform jobs=2 PUT https://track.customer.io/api/v1/customers/user-2",
		"transform jobs=3 PUT https://track.customer.io/api/v1/customers/user-3",
		"transform jobs=4 PUT https://track.customer.io/api/v1/customers/user-4",
		"transform jobs=5 PUT https://track.customer.io/api/v1/customers/user-5",
		"transform jobs=6 PUT https://track.customer.io/api/v1/customers/user-6",
		"batch request=1 jobs=1 POST https://track.customer.io/api/v1/customers/user-1/events",
		"batch request=1 jobs=2 error 400 Event is a required field and should be a string",
		"batch request=1 final",
		"batch request=2 jobs=3+4 POST https://track.customer.io/api/v2/batch",
		"batch request=2 jobs=5 POST https://track.customer.io/api/v1/customers/user-1/events",
		"batch request=2 final",
		"batch request=3 jobs=6 POST https://track.customer.io/api/v1/merge_customers",
		"batch request=3 final",
		"deliver request=1 status=200 jobs=1:200 success",
		"deliver request=2 status=200 jobs=3:200 success, 4:200 success",
		"deliver request=3 status=200 jobs=5:200 success",
		"deliver request=4 status=200 jobs=6:200 success",
	}
	if d := cmp.Diff(want, lines); d != "" {
		t.Errorf("go-client output differs (-want +got):\n%s", d)
	}
	if n := len(fake.Requests()); n != 4 {
		t.Errorf("Customer.io got %d requests, want the 4 the batch made", n)
	}

	// A single target with a scheme goes through gRPC's own resolver, as
	// dns:/// on a headless Service does in Kubernetes.
	out, err = exec.CommandContext(ctx, bin, "-calls", "1", "dns:///"+a.addr).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "transform via="+a.addr+" jobs=1 PUT") {
		t.Errorf("go-client dns:///%s: %v\n%s", a.addr, err, out)
	}
}
