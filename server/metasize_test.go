package server

import (
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/structpb"
)

func TestStructSizeIsTheEncodedSize(t *testing.T) {
	t.Parallel()
	deep := map[string]any{"leaf": "x"}
	for range 50 {
		deep = map[string]any{"d": deep, "l": []any{map[string]any{"k": 1.5}, 1.5, nil}}
	}
	tests := []struct {
		name string
		in   map[string]any
	}{
		{"empty", map[string]any{}},
		{"router metadata", map[string]any{"jobId": 1000001.0, "sourceId": "2Xo8QyFzR1mF0u9c1V4kTz7yBqP", "destinationId": "2Xo8R3aQk0bN7c5dE1fG9hJ2iLm", "workspaceId": "2Xo8Pa1bC3dE5fG7hJ9kL1mN3oP"}},
		{"every kind", map[string]any{"n": nil, "b": true, "f": false, "z": 0.0, "s": "", "l": []any{}, "o": map[string]any{}, "u": "héllo"}},
		{"long string", map[string]any{"traceparent": strings.Repeat("a", 300), "k": strings.Repeat("v", 70000)}},
		{"nested", deep},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, err := structpb.NewStruct(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := structSize(s), proto.Size(s); got != want {
				t.Errorf("structSize = %d, proto.Size = %d", got, want)
			}
		})
	}
	if structSize(nil) != 0 {
		t.Error("a nil Struct has a size")
	}
}

func BenchmarkStructSize(b *testing.B) {
	s, err := structpb.NewStruct(map[string]any{"jobId": 1000001.0, "sourceId": "2Xo8QyFzR1mF0u9c1V4kTz7yBqP", "destinationId": "2Xo8R3aQk0bN7c5dE1fG9hJ2iLm", "workspaceId": "2Xo8Pa1bC3dE5fG7hJ9kL1mN3oP"})
	if err != nil {
		b.Fatal(err)
	}
	b.Run("structSize", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = structSize(s)
		}
	})
	b.Run("proto.Size", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = proto.Size(s)
		}
	})
}
