package conformance

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/cio-transformer/cio-transformer/server/delivery"
	"github.com/cio-transformer/cio-transformer/server/httpapi"
)

// corpusPaths returns the corpus files and how many cases they hold,
// skipping the test when the corpus is not there.
func corpusPaths(t *testing.T, files ...string) ([]string, int) {
	t.Helper()
	paths, cases, err := CorpusFiles(corpusDir, files...)
	if errors.Is(err, fs.ErrNotExist) {
		t.Skipf("conformance corpus not found at %s", corpusDir)
	}
	if err != nil {
		t.Fatal(err)
	}
	return paths, cases
}

// runVerify runs verify with args and returns its exit code and the
// counts of its summary line.
func runVerify(t *testing.T, args []string) (code, passed, failed, skipped int, out string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	var stdout, stderr bytes.Buffer
	code = Run(ctx, args, &stdout, &stderr)
	out = strings.TrimSpace(stdout.String())
	sum, err := ParseSummary(out)
	if err != nil {
		t.Fatalf("%v; stderr: %s", err, stderr.String())
	}
	return code, sum.Passed, sum.Failed, sum.Skipped, out
}

// TestVerifyCorpusHTTP replays the whole shared corpus over the HTTP face,
// in rudder-server's plain and compacted formats (transform cases; the
// delivery cases post their proxy request once, to a face delivering to a
// fake Customer.io), comparing whole response documents: every case must
// pass and none is skipped.
func TestVerifyCorpusHTTP(t *testing.T) {
	t.Parallel()
	paths, lines := corpusPaths(t, "processor.jsonl", "differential/processor.jsonl",
		"router.jsonl", "differential/router.jsonl", "delivery.jsonl")
	for _, formats := range []string{"plain", "compacted", "plain,compacted"} {
		t.Run(formats, func(t *testing.T) {
			t.Parallel()
			code, passed, failed, skipped, out := runVerify(t, append([]string{"--http", "--formats", formats}, paths...))
			t.Log(out[strings.LastIndex(out, "\n")+1:])
			if code != 0 || failed != 0 {
				t.Errorf("exit code %d, %d failed:\n%s", code, failed, out)
			}
			if passed+failed+skipped != lines {
				t.Errorf("%d cases counted, the files hold %d", passed+failed+skipped, lines)
			}
			if skipped != 0 {
				t.Errorf("%d cases skipped, want none", skipped)
			}
		})
	}
}

// TestVerifyHTTPDeliveryNeedsFake fails, rather than skips, delivery cases
// replayed against a running server without a fake Customer.io.
func TestVerifyHTTPDeliveryNeedsFake(t *testing.T) {
	t.Parallel()
	paths, lines := corpusPaths(t, "delivery.jsonl")
	h, err := httpapi.New(httpapi.Config{})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(h)
	defer ts.Close()
	code, _, failed, skipped, out := runVerify(t, append([]string{"--http-url", ts.URL}, paths...))
	if code != 1 || failed != lines || skipped != 0 || !strings.Contains(out, "needs a fake Customer.io") {
		t.Errorf("exit code %d, %d failed, %d skipped:\n%s", code, failed, skipped, out)
	}
}

// TestVerifyHTTPCatchesWrongAnswers points verify at faces that answer
// wrongly: each must fail the cases it breaks, while the unchanged answers
// pass.
func TestVerifyHTTPCatchesWrongAnswers(t *testing.T) {
	t.Parallel()
	paths, _ := corpusPaths(t, "processor.jsonl", "differential/router.jsonl")
	real, err := httpapi.New(httpapi.Config{})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		// edit changes a correct answer.
		edit func(path string, body []byte) []byte
		want int
	}{
		{"unchanged", func(_ string, b []byte) []byte { return b }, 0},
		{"feature tag", func(_ string, b []byte) []byte {
			return bytes.ReplaceAll(b, []byte(`"feature":"processor"`), []byte(`"feature":"router"`))
		}, 1},
		{"batched flag", func(path string, b []byte) []byte {
			return bytes.ReplaceAll(b, []byte(`"batched":false`), []byte(`"batched":true`))
		}, 1},
		{"extra key", func(_ string, b []byte) []byte {
			return bytes.ReplaceAll(b, []byte(`"files":{}`), []byte(`"files":{},"extra":1`))
		}, 1},
		{"dropped job", func(path string, b []byte) []byte {
			if path != "/routerTransform" {
				return b
			}
			var doc struct{ Output []json.RawMessage }
			if json.Unmarshal(b, &doc) != nil || len(doc.Output) < 2 {
				return b
			}
			out, _ := json.Marshal(map[string]any{"output": doc.Output[1:]})
			return out
		}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				// Uncompressed, so that the edit sees the document.
				r.Header.Del("Accept-Encoding")
				rec := httptest.NewRecorder()
				real.ServeHTTP(rec, r)
				for k, v := range rec.Header() {
					w.Header()[k] = v
				}
				w.WriteHeader(rec.Code)
				_, _ = io.Copy(w, bytes.NewReader(tt.edit(r.URL.Path, rec.Body.Bytes())))
			}))
			defer ts.Close()
			code, _, failed, _, out := runVerify(t, append([]string{"--http-url", ts.URL, "--formats", "plain"}, paths...))
			if code != tt.want || (tt.want == 0) != (failed == 0) {
				t.Errorf("exit code %d with %d failed, want %d:\n%.2000s", code, failed, tt.want, out)
			}
		})
	}
}

// TestVerifyHTTPCatchesWrongDeliveries points verify at proxy endpoints
// that answer wrongly: each must fail the delivery cases it breaks.
func TestVerifyHTTPCatchesWrongDeliveries(t *testing.T) {
	t.Parallel()
	paths, _ := corpusPaths(t, "delivery.jsonl")
	tests := []struct {
		name string
		// edit changes a correct answer and its status.
		edit func(status int, body []byte) (int, []byte)
		want int
	}{
		{"unchanged", func(s int, b []byte) (int, []byte) { return s, b }, 0},
		{"statTags without destinationId", func(s int, b []byte) (int, []byte) {
			return s, bytes.ReplaceAll(b, []byte(`"dataDelivery","destinationId":"default-destinationId"`), []byte(`"dataDelivery"`))
		}, 1},
		{"auth error answered 200", func(s int, b []byte) (int, []byte) { return http.StatusOK, b }, 1},
		{"metadata changed", func(s int, b []byte) (int, []byte) {
			return s, bytes.Replace(b, []byte(`"attemptNum":1`), []byte(`"attemptNum":2`), 1)
		}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			lis, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			fakeAddr := lis.Addr().String()
			lis.Close()
			d, err := delivery.New(delivery.Config{USURL: "http://" + fakeAddr, EUURL: "http://" + fakeAddr})
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			real, err := httpapi.New(httpapi.Config{Deliverer: d})
			if err != nil {
				t.Fatal(err)
			}
			ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				r.Header.Del("Accept-Encoding")
				rec := httptest.NewRecorder()
				real.ServeHTTP(rec, r)
				for k, v := range rec.Header() {
					w.Header()[k] = v
				}
				status, body := tt.edit(rec.Code, rec.Body.Bytes())
				w.WriteHeader(status)
				_, _ = w.Write(body)
			}))
			defer ts.Close()
			code, _, failed, _, out := runVerify(t, append([]string{"--http-url", ts.URL, "--fake-cio", fakeAddr}, paths...))
			if code != tt.want || (tt.want == 0) != (failed == 0) {
				t.Errorf("exit code %d with %d failed, want %d:\n%.2000s", code, failed, tt.want, out)
			}
		})
	}
}
