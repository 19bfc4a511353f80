package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// grpcurlCall runs the real grpcurl with args, the word ADDR standing for
// the server's address, and returns its output.
func grpcurlCall(t *testing.T, addr string, args ...string) string {
	t.Helper()
	_, grpcurl := buildBinaries(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	full := []string{"-plaintext"}
	for _, a := range args {
		if a == "ADDR" {
			a = addr
		}
		full = append(full, a)
	}
	out, err := exec.CommandContext(ctx, grpcurl, full...).CombinedOutput()
	if err != nil {
		t.Fatalf("grpcurl %v: %v\n%s", args, err, out)
	}
	return string(out)
}

// TestGrpcurlEndToEnd drives the real binary with the real grpcurl:
// reflection, a raw-JSON identify, a batch, and health.
func TestGrpcurlEndToEnd(t *testing.T) {
	t.Parallel()
	srv := startServer(t)

	t.Run("list", func(t *testing.T) {
		out := grpcurlCall(t, srv.addr, "ADDR", "list")
		for _, svc := range []string{"ciotransformer.v1.TransformerService", "grpc.health.v1.Health"} {
			if !strings.Contains(out, svc) {
				t.Errorf("list lacks %s:\n%s", svc, out)
			}
		}
	})
	t.Run("describe shows comments", func(t *testing.T) {
		out := grpcurlCall(t, srv.addr, "ADDR", "describe", "ciotransformer.v1.Job")
		if !strings.Contains(out, "// The caller's id for the job") {
			t.Errorf("describe lacks the proto comments:\n%s", out)
		}
	})
	t.Run("raw identify", func(t *testing.T) {
		event := `{"type":"identify","userId":"user@example.com","traits":{"plan":"pro"},"originalTimestamp":"2026-01-02T03:04:05Z"}`
		req := fmt.Sprintf(`{"destination":{"site_id":"site-1","api_key":"key-1"},"job":{"job_id":9,"raw_event":%q}}`,
			base64.StdEncoding.EncodeToString([]byte(event)))
		out := grpcurlCall(t, srv.addr, "-d", req, "ADDR", "ciotransformer.v1.TransformerService/Transform")
		var resp struct {
			Result struct {
				Jobs []struct {
					JobID string `json:"jobId"`
				}
				Request struct {
					Method  string
					URL     string `json:"url"`
					Headers map[string]string
					Body    string
				}
			}
		}
		if err := json.Unmarshal([]byte(out), &resp); err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		r := resp.Result.Request
		wantAuth := "Basic " + base64.StdEncoding.EncodeToString([]byte("site-1:key-1"))
		if r.Method != "PUT" || r.URL != "https://track.customer.io/api/v1/customers/user%40example.com" || r.Headers["Authorization"] != wantAuth {
			t.Errorf("got %s %s auth %q, want PUT .../customers/user%%40example.com auth %q", r.Method, r.URL, r.Headers["Authorization"], wantAuth)
		}
		var body map[string]any
		if err := json.Unmarshal([]byte(r.Body), &body); err != nil || body["plan"] != "pro" || body["_timestamp"] != float64(1767323045) {
			t.Errorf("body %s: %v", r.Body, err)
		}
		if len(resp.Result.Jobs) != 1 || resp.Result.Jobs[0].JobID != "9" {
			t.Errorf("jobs %v, want [9]", resp.Result.Jobs)
		}
	})
	t.Run("batch", func(t *testing.T) {
		req := `{"request_id":3,"destination":{"site_id":"s","api_key":"k"},"jobs":[
			{"job_id":1,"event":{"type":"group","user_id":"u1","group_id":"g1"}},
			{"job_id":2,"event":{"type":"identify","user_id":"u2"}},
			{"job_id":3,"event":{"type":"alias"}},
			{"job_id":4,"event":{"type":"group","user_id":"u3","group_id":"g2"}}]}`
		out := grpcurlCall(t, srv.addr, "-d", req, "ADDR", "ciotransformer.v1.TransformerService/TransformBatch")
		var resp struct {
			RequestID string `json:"requestId"`
			Final     bool
			Results   []struct {
				Jobs []struct {
					JobID string `json:"jobId"`
				}
				Request *struct {
					URL string `json:"url"`
				}
				Error *struct{ Message string }
			}
		}
		if err := json.Unmarshal([]byte(out), &resp); err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		var got []string
		for _, r := range resp.Results {
			var ids []string
			for _, j := range r.Jobs {
				ids = append(ids, j.JobID)
			}
			switch {
			case r.Error != nil:
				got = append(got, strings.Join(ids, "+")+" error "+r.Error.Message)
			case r.Request != nil:
				got = append(got, strings.Join(ids, "+")+" "+r.Request.URL)
			}
		}
		want := []string{
			"2 https://track.customer.io/api/v1/customers/u2",
			"3 error Both userId and previousId are mandatory for merge operation",
			"1+4 https://track.customer.io/api/v2/batch",
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") || resp.RequestID != "3" || !resp.Final {
			t.Errorf("got request %s final %v results:\n%s\nwant:\n%s", resp.RequestID, resp.Final, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	})
	t.Run("health", func(t *testing.T) {
		out := grpcurlCall(t, srv.addr, "ADDR", "grpc.health.v1.Health/Check")
		if !strings.Contains(out, `"SERVING"`) {
			t.Errorf("health: %s", out)
		}
	})
}
