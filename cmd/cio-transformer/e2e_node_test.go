package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/cio-transformer/cio-transformer/internal/fakecio"
	"github.com/google/go-cmp/cmp"
)

// nodeDemoWant is what examples/node/demo.js prints: the answers of one
// Transform call and of three pipelined TransformBatch messages.
const nodeDemoWant = `{
  "transform": {
    "jobs": ["1"], "method": "PUT", "url": "https://track.customer.io/api/v1/customers/user-1",
    "endpoint_path": "v1/customers", "headers": {"Authorization": "Basic c2l0ZS0xOmtleS0x"},
    "body": {"city": "London", "email": "ada@example.com", "plan": "pro", "tags": ["a", 1, true, null], "_timestamp": 1767323045}
  },
  "batches": [
    [
      {"jobs": ["1"], "method": "POST", "url": "https://track.customer.io/api/v1/customers/user-1/events",
       "endpoint_path": "v1/customers/events", "headers": {"Authorization": "Basic c2l0ZS0xOmtleS0x"},
       "body": {"data": {"total": 49.99}, "name": "Order Completed", "type": "event"}},
      {"jobs": ["2"], "error": {"status_code": 400, "message": "Event is a required field and should be a string"}}
    ],
    [
      {"jobs": ["3", "4"], "method": "POST", "url": "https://track.customer.io/api/v2/batch", "endpoint_path": "v2/batch",
       "headers": {"Authorization": "Basic c2l0ZS0xOmtleS0x", "Content-Type": "application/json"},
       "body": {"batch": [
         {"identifiers": {"object_id": "acme", "object_type_id": "1"}, "type": "object", "action": "identify",
          "attributes": {"name": "Acme"}, "cio_relationships": [{"identifiers": {"id": "user-1"}}]},
         {"identifiers": {"object_id": "acme", "object_type_id": "1"}, "type": "object", "action": "identify",
          "attributes": {}, "cio_relationships": [{"identifiers": {"id": "user-2"}}]}]}},
      {"jobs": ["5"], "method": "POST", "url": "https://track.customer.io/api/v1/customers/user-1/events",
       "endpoint_path": "v1/customers/events", "headers": {"Authorization": "Basic c2l0ZS0xOmtleS0x"},
       "body": {"name": "Home", "type": "page"}}
    ],
    [
      {"jobs": ["6"], "method": "POST", "url": "https://track-eu.customer.io/api/v1/merge_customers",
       "endpoint_path": "v1/merge_customers", "headers": {"Authorization": "Basic c2l0ZS0xOmtleS0x"},
       "body": {"primary": {"id": "user-9"}, "secondary": {"id": "anon-9"}}}
    ]
  ],
  "deliveries": [
    {"status": 200, "message": "[CustomerIO Response Handler] - Request Processed Successfully", "error_type": "",
     "jobs": [{"job_id": "1", "status_code": 200, "error": "success"}]},
    {"status": 207, "message": "[CustomerIO Response Handler] - Batch completed with partial failures", "error_type": "",
     "jobs": [{"job_id": "3", "status_code": 200, "error": "success"},
              {"job_id": "4", "status_code": 400, "error": "reason: invalid, field: identifiers.object_id, message: object not found"}]},
    {"status": 200, "message": "[CustomerIO Response Handler] - Request Processed Successfully", "error_type": "",
     "jobs": [{"job_id": "5", "status_code": 200, "error": "success"}]},
    {"status": 429, "message": "[CustomerIO Response Handler] - Error in transformer proxy during CustomerIO response transformation", "error_type": "throttled",
     "jobs": [{"job_id": "6", "status_code": 429, "error": "{\"meta\":{\"error\":\"slow down\"}}"}]}
  ]
}`

// TestNodeClient installs the Node.js example's pinned packages with npm ci
// and runs its demo against the real binary. Node and npm are required:
// without them the test fails rather than skips, so CI cannot pass without
// having run it.
func TestNodeClient(t *testing.T) {
	t.Parallel()
	for _, tool := range []string{"node", "npm"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is required to test the Node.js client (examples/node): %v", tool, err)
		}
	}
	root := repoRoot()
	dir := filepath.Join(root, "examples", "node")
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	npm := exec.CommandContext(ctx, "npm", "ci", "--no-audit", "--no-fund", "--loglevel=error")
	npm.Dir = dir
	if out, err := npm.CombinedOutput(); err != nil {
		t.Fatalf("npm ci in examples/node: %v\n%s", err, out)
	}

	// A fake Customer.io: the US site accepts v1 requests and rejects the
	// second object of a batch; the EU site is throttling.
	us := fakecio.Start(nil, fakecio.Response{Status: 200, Body: `{}`})
	t.Cleanup(us.Close)
	us.SetPath("/api/v2/batch", fakecio.Response{Status: 207, Body: readmeFakeAnswer})
	eu := fakecio.Start(nil, fakecio.Response{Status: 429, Body: `{"meta":{"error":"slow down"}}`, Header: map[string]string{"Retry-After": "5"}})
	t.Cleanup(eu.Close)
	srv := startServer(t, "--delivery-us-url", us.URL, "--delivery-eu-url", eu.URL)
	node := exec.CommandContext(ctx, "node", "demo.js", srv.addr)
	node.Dir = dir
	var stderr bytes.Buffer
	node.Stderr = &stderr
	out, err := node.Output()
	if err != nil {
		t.Fatalf("node demo.js: %v\n%s\nserver logs:\n%s", err, stderr.String(), srv.logs.String())
	}
	var got, want any
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("demo output is not JSON: %v\n%s", err, out)
	}
	if err := json.Unmarshal([]byte(nodeDemoWant), &want); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("Node.js demo answers differ (-want +got):\n%s", d)
	}
}
