package httpapi

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
)

// BenchmarkRouterTransform measures one router request of 100 mixed jobs
// through the handler, decoding to encoding, without the network.
func BenchmarkRouterTransform(b *testing.B) {
	var jobs []routerJob
	for range 10 {
		jobs = append(jobs, mixedJobs(testDest)...)
	}
	for i := range jobs {
		jobs[i].Metadata.JobID = int64(i + 1)
	}
	body, err := json.Marshal(map[string]any{"input": jobs, "destType": "customerio"})
	if err != nil {
		b.Fatal(err)
	}
	h, err := New(Config{})
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/routerTransform", bytes.NewReader(body)))
		if rec.Code != http.StatusOK {
			b.Fatalf("status %d", rec.Code)
		}
	}
}
