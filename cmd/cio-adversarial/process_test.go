package main

import "testing"

func TestLineCounter(t *testing.T) {
	t.Parallel()
	var c lineCounter
	for _, chunk := range []string{`{"msg":"serving"}` + "\n" + `{"msg":"fin`, `ished call","grpc.code":"OK"}` + "\n", "partial"} {
		if _, err := c.Write([]byte(chunk)); err != nil {
			t.Fatal(err)
		}
	}
	if got := c.count(); got != 2 {
		t.Errorf("count() = %d, want 2", got)
	}
	if got, want := logMessage(c.last()), "finished call OK"; got != want {
		t.Errorf("logMessage(last()) = %q, want %q", got, want)
	}
	if got, want := logMessage(`{"msg":"x","apiKey":"secret"}`), "x"; got != want {
		t.Errorf("logMessage() = %q, want %q", got, want)
	}
}
