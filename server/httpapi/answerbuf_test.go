package httpapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync"
	"testing"
)

// TestAnswerBuffersReused posts router and processor requests of different
// events and sizes at once, over a real socket, to a server that reuses
// its answer buffers: every answer is the one the same request gets on its
// own.
func TestAnswerBuffersReused(t *testing.T) {
	t.Parallel()
	ts, _ := newTestServer(t, Config{})
	type request struct {
		path string
		body []byte
		want []byte
	}
	var reqs []request
	for i := range 12 {
		var jobs []routerJob
		for k := range 1 + i*9 {
			jobs = append(jobs, routerJob{
				Message:     json.RawMessage(fmt.Sprintf(`{"type":"track","userId":"user-%d-%d","event":"e%d","properties":{"n":%d}}`, i, k, k, i*k)),
				Metadata:    jobMetadata{JobID: int64(k + 1), UserID: fmt.Sprint(i), WorkspaceID: "w1"},
				Destination: json.RawMessage(testDest),
			})
		}
		router, err := json.Marshal(map[string]any{"input": jobs, "destType": "customerio"})
		if err != nil {
			t.Fatal(err)
		}
		processor, err := json.Marshal(jobs)
		if err != nil {
			t.Fatal(err)
		}
		reqs = append(reqs,
			request{path: "/routerTransform", body: router},
			request{path: "/v0/destinations/customerio", body: processor})
	}
	for i := range reqs {
		resp, answer := do(t, ts.Client(), http.MethodPost, ts.URL+reqs[i].path, nil, reqs[i].body)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d %.200s", reqs[i].path, resp.StatusCode, answer)
		}
		reqs[i].want = answer
	}
	var wg sync.WaitGroup
	for c := range 8 {
		wg.Go(func() {
			for k := range 3 * len(reqs) {
				r := reqs[(c*5+k)%len(reqs)]
				resp, err := ts.Client().Post(ts.URL+r.path, "application/json", bytes.NewReader(r.body))
				if err != nil {
					t.Error(err)
					return
				}
				answer, err := io.ReadAll(resp.Body)
				_ = resp.Body.Close()
				if err != nil || resp.StatusCode != http.StatusOK || !bytes.Equal(answer, r.want) {
					t.Errorf("%s of %d bytes, among others: %d %v, answer differs from its own:\n%.300s\nwant\n%.300s",
						r.path, len(r.body), resp.StatusCode, err, answer, r.want)
					return
				}
			}
		})
	}
	wg.Wait()
}
