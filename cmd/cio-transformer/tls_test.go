package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	ciotransformerv1 "github.com/cio-transformer/cio-transformer/gen/ciotransformer/v1"
	"github.com/cio-transformer/cio-transformer/internal/testpki"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/structpb"
)

// e2eToken is the shared secret of the end-to-end security test.
const e2eToken = "e2e-token-5b7c9d1e2f"

// TestSecureServe starts the real binary with mutual TLS and a bearer
// token, at debug log level, and checks who gets in: a client with a
// certificate from the client CA and the token; not a plaintext client, not
// a client with an unknown certificate, not a call without the token
// (except health checks). Then it checks that neither the logs nor the
// answers hold the token, api keys, Authorization headers or traits.
func TestSecureServe(t *testing.T) {
	t.Parallel()
	ca, otherCA := testpki.NewCA(t, "test CA"), testpki.NewCA(t, "unknown CA")
	dir := t.TempDir()
	certFile, keyFile := ca.Server(t).WriteFiles(t, dir, "server")
	clientCA := ca.WriteFile(t, dir, "clients")
	tokenFile := filepath.Join(dir, "token")
	if err := os.WriteFile(tokenFile, []byte(e2eToken+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	srv := startServer(t, "--log-level", "debug", "--tls-cert", certFile, "--tls-key", keyFile,
		"--tls-client-ca", clientCA, "--auth-token-file", tokenFile)
	if !strings.Contains(srv.logs.String(), `"mutual_tls":true`) || !strings.Contains(srv.logs.String(), `"auth_token":true`) {
		t.Errorf("the serving line does not report mutual TLS and the token:\n%s", srv.logs.String())
	}

	dial := func(creds grpc.DialOption) *grpc.ClientConn {
		conn, err := grpc.NewClient(srv.addr, creds)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = conn.Close() })
		return conn
	}
	tlsDial := func(certs ...tls.Certificate) *grpc.ClientConn {
		return dial(grpc.WithTransportCredentials(credentials.NewTLS(&tls.Config{
			RootCAs: ca.Pool, ServerName: "localhost", Certificates: certs, MinVersion: tls.VersionTLS12})))
	}
	good := tlsDial(ca.Client(t, "router").TLS)
	traits, err := structpb.NewStruct(map[string]any{"email": "jane.secret@example.com", "plan": "pro"})
	if err != nil {
		t.Fatal(err)
	}
	dest := &ciotransformerv1.Destination{SiteId: "site-1", ApiKey: "api-key-e2e-9931"}
	req := &ciotransformerv1.TransformRequest{Destination: dest, Job: &ciotransformerv1.Job{JobId: 1,
		Payload: &ciotransformerv1.Job_Event{Event: &ciotransformerv1.Event{Type: "identify", UserId: "u1", Traits: traits}}}}
	call := func(conn *grpc.ClientConn, md ...string) (*ciotransformerv1.TransformResponse, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		return ciotransformerv1.NewTransformerServiceClient(conn).Transform(metadata.AppendToOutgoingContext(ctx, md...), req)
	}
	bearer := []string{"authorization", "Bearer " + e2eToken}

	resp, err := call(good, bearer...)
	if err != nil || resp.GetResult().GetRequest() == nil {
		t.Fatalf("client with certificate and token: %v %v", resp, err)
	}
	basic := resp.GetResult().GetRequest().GetHeaders()["Authorization"]
	tests := []struct {
		name string
		conn *grpc.ClientConn
		md   []string
		want codes.Code
	}{
		{name: "plaintext client", conn: dial(grpc.WithTransportCredentials(insecure.NewCredentials())), md: bearer, want: codes.Unavailable},
		{name: "client without certificate", conn: tlsDial(), md: bearer, want: codes.Unavailable},
		{name: "client with unknown certificate", conn: tlsDial(otherCA.Client(t, "stranger").TLS), md: bearer, want: codes.Unavailable},
		{name: "no token", conn: good, want: codes.Unauthenticated},
		{name: "wrong token", conn: good, md: []string{"authorization", "Bearer wrong-" + e2eToken}, want: codes.Unauthenticated},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := call(tt.conn, tt.md...)
			if status.Code(err) != tt.want {
				t.Fatalf("got %v, want %s", err, tt.want)
			}
			if strings.Contains(err.Error(), e2eToken) {
				t.Errorf("the answer %q repeats the token", err)
			}
		})
	}
	t.Run("health command", func(t *testing.T) {
		clientCert, clientKey := ca.Client(t, "probe").WriteFiles(t, dir, "probe")
		caFile := ca.WriteFile(t, dir, "server-ca")
		probe := func(args ...string) int {
			return run(context.Background(), append([]string{"health", "--addr", srv.addr, "--timeout", "30s"}, args...), io.Discard, io.Discard)
		}
		if code := probe("--tls-ca", caFile, "--tls-server-name", "localhost", "--tls-cert", clientCert, "--tls-key", clientKey); code != 0 {
			t.Errorf("verified probe with a client certificate: exit %d, want 0", code)
		}
		if code := probe("--tls-no-verify", "--tls-cert", clientCert, "--tls-key", clientKey); code != 0 {
			t.Errorf("unverified loopback probe: exit %d, want 0", code)
		}
		if code := probe("--tls-no-verify"); code != 1 {
			t.Errorf("probe without the client certificate mutual TLS needs: exit %d, want 1", code)
		}
		if code := probe(); code != 1 {
			t.Errorf("plaintext probe of a TLS server: exit %d, want 1", code)
		}
	})
	t.Run("health without token", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		h, err := healthpb.NewHealthClient(good).Check(ctx, &healthpb.HealthCheckRequest{})
		if err != nil || h.GetStatus() != healthpb.HealthCheckResponse_SERVING {
			t.Errorf("got %v %v", h, err)
		}
	})

	// Let the process write its last log lines, then read them all.
	stopServer(t, srv)
	logs := srv.logs.String()
	// Refused calls are logged at debug level only, on their headers.
	if !strings.Contains(logs, "finished call") || !strings.Contains(logs, `"reason":"unauthenticated"`) {
		t.Fatalf("debug logs lack the calls:\n%s", logs)
	}
	for _, secret := range []string{e2eToken, "api-key-e2e-9931", "jane.secret@example.com", basic, strings.TrimPrefix(basic, "Basic "),
		base64.StdEncoding.EncodeToString([]byte("site-1:api-key-e2e-9931"))} {
		if strings.Contains(logs, secret) {
			t.Errorf("logs hold %q:\n%s", secret, logs)
		}
	}
}

// stopServer sends SIGTERM and waits for the process to exit.
func stopServer(t *testing.T, srv *runningServer) {
	t.Helper()
	if err := srv.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-srv.done:
		srv.done <- err
	case <-time.After(30 * time.Second):
		t.Fatal("the server did not stop")
	}
}

// TestServeRefusesBadSecurityFlags checks that security flags that cannot
// work stop the binary at start, without repeating secrets.
func TestServeRefusesBadSecurityFlags(t *testing.T) {
	t.Parallel()
	bin, _ := buildBinaries(t)
	ca := testpki.NewCA(t, "test CA")
	dir := t.TempDir()
	certFile, keyFile := ca.Server(t).WriteFiles(t, dir, "server")
	empty := filepath.Join(dir, "empty")
	if err := os.WriteFile(empty, []byte("\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
	}{
		{name: "certificate without key", args: []string{"--tls-cert", certFile}},
		{name: "client CA without certificate", args: []string{"--tls-client-ca", certFile}},
		{name: "key that is not a key", args: []string{"--tls-cert", certFile, "--tls-key", certFile}},
		{name: "key of another certificate", args: []string{"--tls-cert", ca.WriteFile(t, dir, "ca"), "--tls-key", keyFile}},
		{name: "empty token file", args: []string{"--auth-token-file", empty}},
		{name: "missing token file", args: []string{"--auth-token-file", filepath.Join(dir, "nope")}},
		{name: "delay as long as the grace", args: []string{"--shutdown-delay", "10s", "--shutdown-grace", "10s"}},
		{name: "zero concurrent streams", args: []string{"--max-concurrent-streams", "0"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, bin, append([]string{"serve", "--listen", "127.0.0.1:0"}, tt.args...)...)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			err := cmd.Run()
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() != 2 {
				t.Errorf("got %v, want exit status 2; stderr:\n%s", err, stderr.String())
			}
			if strings.Contains(stderr.String(), "PRIVATE KEY") {
				t.Errorf("stderr holds key material:\n%s", stderr.String())
			}
		})
	}
}
