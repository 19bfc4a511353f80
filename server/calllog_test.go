package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"slices"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/peer"
	"google.golang.org/grpc/status"
)

// jsonKeys returns the keys of a JSON object line in their order.
func jsonKeys(t *testing.T, line []byte) []string {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(line))
	if _, err := dec.Token(); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, tok.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatal(err)
		}
	}
	return keys
}

func TestCallLoggerLine(t *testing.T) {
	t.Parallel()
	addr := &net.TCPAddr{IP: net.IPv4(10, 0, 0, 7), Port: 50123}
	deadline := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	base := []string{"time", "level", "msg", "jobs", "grpc.service", "grpc.method", "peer.address", "grpc.start_time"}
	tests := []struct {
		name      string
		method    string
		err       error
		deadline  bool
		level     slog.Level
		wantLevel string
		wantKeys  []string
		wantCode  string
	}{
		{"ok with a deadline", "/ciotransformer.v1.TransformerService/Transform", nil, true, slog.LevelInfo, "INFO",
			append(slices.Clone(base), "grpc.request.deadline", "grpc.code", "grpc.time_ms"), "OK"},
		{"invalid argument", "/ciotransformer.v1.TransformerService/Transform", status.Error(codes.InvalidArgument, "bad"), false, slog.LevelInfo, "INFO",
			append(slices.Clone(base), "grpc.code", "grpc.error", "grpc.time_ms"), "InvalidArgument"},
		{"end of stream is OK", "/ciotransformer.v1.TransformerService/TransformBatch", io.EOF, false, slog.LevelInfo, "INFO",
			append(slices.Clone(base), "grpc.code", "grpc.time_ms"), "OK"},
		{"deadline exceeded warns", "/ciotransformer.v1.TransformerService/TransformBatch", status.Error(codes.DeadlineExceeded, "late"), false, slog.LevelInfo, "WARN",
			append(slices.Clone(base), "grpc.code", "grpc.error", "grpc.time_ms"), "DeadlineExceeded"},
		{"internal is an error", "/ciotransformer.v1.TransformerService/Transform", errors.New("boom"), false, slog.LevelInfo, "ERROR",
			append(slices.Clone(base), "grpc.code", "grpc.error", "grpc.time_ms"), "Unknown"},
		{"health quiet at info", "/grpc.health.v1.Health/Check", nil, false, slog.LevelInfo, "", nil, ""},
		{"reflection quiet at info", "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo", nil, false, slog.LevelInfo, "", nil, ""},
		{"health at debug", "/grpc.health.v1.Health/Check", nil, false, slog.LevelDebug, "DEBUG",
			append(slices.Clone(base), "grpc.code", "grpc.time_ms"), "OK"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var buf bytes.Buffer
			call := newUnaryCall(Config{Logger: slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: tt.level}))}.withDefaults(), nil, nil)
			ctx := peer.NewContext(t.Context(), &peer.Peer{Addr: addr})
			if tt.deadline {
				var cancel context.CancelFunc
				ctx, cancel = context.WithDeadline(ctx, deadline)
				defer cancel()
			}
			_, err := call.intercept(ctx, nil, &grpc.UnaryServerInfo{FullMethod: tt.method}, func(ctx context.Context, _ any) (any, error) {
				addJobs(ctx, 3)
				return nil, tt.err
			})
			if err != tt.err {
				t.Errorf("the call's error changed: %v", err)
			}
			if tt.wantKeys == nil {
				if buf.Len() != 0 {
					t.Errorf("logged %s", buf.String())
				}
				return
			}
			line := buf.Bytes()
			if keys := jsonKeys(t, line); !slices.Equal(keys, tt.wantKeys) {
				t.Errorf("keys %v, want %v", keys, tt.wantKeys)
			}
			var rec map[string]any
			if err := json.Unmarshal(line, &rec); err != nil {
				t.Fatal(err)
			}
			service, method := splitMethod(tt.method)
			want := map[string]any{"level": tt.wantLevel, "msg": "finished call", "jobs": 3.0, "grpc.service": service, "grpc.method": method,
				"peer.address": "10.0.0.7:50123", "grpc.code": tt.wantCode}
			if tt.deadline {
				want["grpc.request.deadline"] = "2030-01-02T03:04:05Z"
			}
			if tt.err != nil && tt.err != io.EOF {
				want["grpc.error"] = tt.err.Error()
			}
			for k, v := range want {
				if rec[k] != v {
					t.Errorf("%s = %v, want %v", k, rec[k], v)
				}
			}
		})
	}
}

func TestCallLoggerStream(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	l := callLogger{h: slog.NewJSONHandler(&buf, nil)}
	ss := &contextStream{ctx: withCallStats(t.Context())}
	err := l.stream(nil, ss, &grpc.StreamServerInfo{FullMethod: "/ciotransformer.v1.TransformerService/TransformBatch"}, func(_ any, s grpc.ServerStream) error {
		addJobs(s.Context(), 200)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var rec map[string]any
	if err := json.Unmarshal(buf.Bytes(), &rec); err != nil {
		t.Fatal(err)
	}
	if rec["jobs"] != 200.0 || rec["grpc.method"] != "TransformBatch" || rec["grpc.code"] != "OK" {
		t.Errorf("logged %v", rec)
	}
	if _, ok := rec["peer.address"]; ok {
		t.Error("a peer address without a peer")
	}
}

func TestSplitMethod(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, service, method string }{
		{"/a.B/C", "a.B", "C"},
		{"a.B/C", "a.B", "C"},
		{"nomethod", "unknown", "unknown"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			if s, m := splitMethod(tt.in); s != tt.service || m != tt.method {
				t.Errorf("splitMethod(%q) = %q, %q", tt.in, s, m)
			}
		})
	}
}

// TestSecondTextsFormat checks that the reused texts of start times are
// those of time.Format, whatever the order of the times and their
// locations.
func TestSecondTextsFormat(t *testing.T) {
	t.Parallel()
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		ny = time.FixedZone("EST", -5*3600)
	}
	base := time.Date(2026, 3, 8, 6, 59, 59, 0, time.UTC) // a DST change in New York
	var s secondTexts
	for i, tt := range []time.Time{
		base, base.Add(300 * time.Millisecond), base.Add(time.Second), base.Add(time.Second + 999*time.Millisecond),
		base.In(ny), base.Add(time.Second).In(ny), base.Add(time.Second), base.Add(-time.Hour),
		base.In(time.Local), base.In(time.Local).Add(time.Nanosecond), time.Now(), time.Now().Add(2 * time.Second),
		base.In(time.FixedZone("X", 3600)), base.In(time.FixedZone("Y", 7200)),
	} {
		if got, want := s.format(tt), tt.Format(time.RFC3339); got != want {
			t.Errorf("time %d (%v): %q, want %q", i, tt, got, want)
		}
	}
}
