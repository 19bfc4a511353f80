package delivery

import (
	"testing"

	"github.com/cio-transformer/cio-transformer/internal/fakecio"
)

// BenchmarkDeliver delivers a batch of one object to a local fake
// Customer.io over a kept-alive connection: the client's own cost plus a
// loopback round trip.
func BenchmarkDeliver(b *testing.B) {
	fake := fakecio.Start(nil, fakecio.Response{Status: 200, Body: `{}`})
	defer fake.Close()
	c, err := New(Config{USURL: fake.URL, EUURL: fake.URL, Rate: -1})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	req := batchRequest("", 1)
	b.ReportAllocs()
	for b.Loop() {
		if d := c.Deliver(b.Context(), req); d.Status != 200 {
			b.Fatalf("status %d", d.Status)
		}
	}
}
