package server

import (
	"context"
	"crypto/tls"
	"os"
	"path/filepath"
	"strings"
	"testing"

	ciotransformerv1 "github.com/cio-transformer/cio-transformer/gen/ciotransformer/v1"
	"github.com/cio-transformer/cio-transformer/internal/testpki"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	reflectionpb "google.golang.org/grpc/reflection/grpc_reflection_v1"
	"google.golang.org/grpc/status"
)

// pki is a server certificate and client certificates, one from the
// server's client CA and one from a CA the server does not know.
type pki struct {
	ca, otherCA   *testpki.CA
	server        *testpki.Cert
	client, stray *testpki.Cert
	certFile, key string
	clientCAFile  string
	serverTLS     *tls.Config
	mutualTLS     *tls.Config
}

// newPKI creates the certificates of a test and loads the server side with
// LoadTLS, from files as the binary does.
func newPKI(t *testing.T) *pki {
	t.Helper()
	p := &pki{ca: testpki.NewCA(t, "test CA"), otherCA: testpki.NewCA(t, "unknown CA")}
	p.server = p.ca.Server(t)
	p.client = p.ca.Client(t, "router")
	p.stray = p.otherCA.Client(t, "stranger")
	dir := t.TempDir()
	p.certFile, p.key = p.server.WriteFiles(t, dir, "server")
	p.clientCAFile = p.ca.WriteFile(t, dir, "clients")
	var err error
	if p.serverTLS, err = LoadTLS(p.certFile, p.key, ""); err != nil {
		t.Fatal(err)
	}
	if p.mutualTLS, err = LoadTLS(p.certFile, p.key, p.clientCAFile); err != nil {
		t.Fatal(err)
	}
	return p
}

// clientTLS is a client configuration trusting roots, presenting certs.
func clientTLS(p *pki, roots *testpki.CA, certs ...*testpki.Cert) grpc.DialOption {
	cfg := &tls.Config{RootCAs: roots.Pool, ServerName: "localhost", MinVersion: tls.VersionTLS12}
	for _, c := range certs {
		cfg.Certificates = append(cfg.Certificates, c.TLS)
	}
	return grpc.WithTransportCredentials(credentials.NewTLS(cfg))
}

// transformOnce makes one Transform call on conn.
func transformOnce(t *testing.T, conn *grpc.ClientConn, md ...string) (*ciotransformerv1.TransformResponse, error) {
	t.Helper()
	ctx := testContext(t)
	if len(md) > 0 {
		ctx = metadata.AppendToOutgoingContext(ctx, md...)
	}
	return ciotransformerv1.NewTransformerServiceClient(conn).Transform(ctx, &ciotransformerv1.TransformRequest{
		Destination: testDestination, Job: rawJob(1, `{"type":"identify","userId":"u1"}`)})
}

func TestTLS(t *testing.T) {
	t.Parallel()
	p := newPKI(t)
	tests := []struct {
		name   string
		mutual bool
		dial   grpc.DialOption
		ok     bool
	}{
		{name: "TLS client trusting the server", dial: clientTLS(p, p.ca), ok: true},
		{name: "plaintext client", dial: grpc.WithTransportCredentials(insecure.NewCredentials())},
		{name: "client not trusting the server", dial: clientTLS(p, p.otherCA)},
		{name: "mutual TLS with a known client certificate", mutual: true, dial: clientTLS(p, p.ca, p.client), ok: true},
		{name: "mutual TLS without a client certificate", mutual: true, dial: clientTLS(p, p.ca)},
		{name: "mutual TLS with an unknown client certificate", mutual: true, dial: clientTLS(p, p.ca, p.stray)},
		{name: "mutual TLS with a plaintext client", mutual: true, dial: grpc.WithTransportCredentials(insecure.NewCredentials())},
		{name: "mutual TLS with the server's own certificate as client", mutual: true, dial: clientTLS(p, p.ca, p.server)},
	}
	for _, network := range transports {
		t.Run(network, func(t *testing.T) {
			t.Parallel()
			servers := map[bool]*liveServer{
				false: startLive(t, Config{TLS: p.serverTLS}, network),
				true:  startLive(t, Config{TLS: p.mutualTLS}, network),
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					t.Parallel()
					resp, err := transformOnce(t, servers[tt.mutual].conn(t, tt.dial))
					switch {
					case tt.ok && (err != nil || resp.GetResult().GetRequest() == nil):
						t.Errorf("got %v %v, want a request", resp, err)
					case !tt.ok && status.Code(err) != codes.Unavailable:
						t.Errorf("got %v %v, want the connection refused (Unavailable)", resp, err)
					}
				})
			}
		})
	}
}

func TestLoadTLSErrors(t *testing.T) {
	t.Parallel()
	p := newPKI(t)
	dir := t.TempDir()
	notPEM := filepath.Join(dir, "not.pem")
	if err := os.WriteFile(notPEM, []byte("not a certificate"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name                string
		cert, key, clientCA string
	}{
		{name: "no key", cert: p.certFile},
		{name: "no certificate", key: p.key},
		{name: "missing files", cert: filepath.Join(dir, "nope.crt"), key: filepath.Join(dir, "nope.key")},
		{name: "key of another certificate", cert: p.clientCAFile, key: p.key},
		{name: "client CA file without PEM", cert: p.certFile, key: p.key, clientCA: notPEM},
		{name: "missing client CA file", cert: p.certFile, key: p.key, clientCA: filepath.Join(dir, "nope.crt")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if _, err := LoadTLS(tt.cert, tt.key, tt.clientCA); err == nil {
				t.Error("LoadTLS succeeded")
			}
		})
	}
}

// testToken is the shared secret of the authentication tests.
const testToken = "tok-3f9a0c1d-secret-value"

func TestAuthToken(t *testing.T) {
	t.Parallel()
	wrong := []struct {
		name   string
		md     []string
		secret string // must not appear in the answer
	}{
		{name: "no authorization header"},
		{name: "wrong token", md: []string{"authorization", "Bearer not-the-token-7781"}, secret: "not-the-token-7781"},
		{name: "token one character short", md: []string{"authorization", "Bearer " + testToken[:len(testToken)-1]}, secret: testToken[:len(testToken)-1]},
		{name: "token with a suffix", md: []string{"authorization", "Bearer " + testToken + "x"}, secret: testToken},
		{name: "basic scheme", md: []string{"authorization", "Basic " + testToken}, secret: testToken},
		{name: "no scheme", md: []string{"authorization", testToken}, secret: testToken},
		{name: "empty bearer", md: []string{"authorization", "Bearer "}},
	}
	onEachTransport(t, Config{AuthToken: testToken}, func(t *testing.T, live *liveServer) {
		conn := live.conn(t)
		for _, tt := range wrong {
			t.Run(tt.name, func(t *testing.T) {
				t.Parallel()
				_, err := transformOnce(t, conn, tt.md...)
				if status.Code(err) != codes.Unauthenticated {
					t.Fatalf("got %v, want Unauthenticated", err)
				}
				if tt.secret != "" && strings.Contains(err.Error(), tt.secret) {
					t.Errorf("the answer %q repeats the credential", err)
				}
				stream, err := ciotransformerv1.NewTransformerServiceClient(conn).TransformBatch(metadataContext(t, tt.md...))
				if err == nil {
					_, err = stream.Recv()
				}
				if status.Code(err) != codes.Unauthenticated {
					t.Errorf("stream: got %v, want Unauthenticated", err)
				}
			})
		}
		t.Run("right token", func(t *testing.T) {
			t.Parallel()
			resp, err := transformOnce(t, conn, "authorization", "Bearer "+testToken)
			if err != nil || resp.GetResult().GetRequest() == nil {
				t.Fatalf("got %v %v", resp, err)
			}
			stream, err := ciotransformerv1.NewTransformerServiceClient(conn).TransformBatch(metadataContext(t, "authorization", "bearer "+testToken))
			if err != nil {
				t.Fatal(err)
			}
			if res := collect(t, stream, &ciotransformerv1.TransformBatchRequest{Destination: testDestination, Jobs: []*ciotransformerv1.Job{rawJob(1, `{"type":"identify","userId":"u"}`)}}); len(res) != 1 {
				t.Errorf("stream: %d results", len(res))
			}
		})
		t.Run("health without a token", func(t *testing.T) {
			t.Parallel()
			h, err := healthpb.NewHealthClient(conn).Check(testContext(t), &healthpb.HealthCheckRequest{})
			if err != nil || h.GetStatus() != healthpb.HealthCheckResponse_SERVING {
				t.Errorf("check: %v %v", h, err)
			}
			w, err := healthpb.NewHealthClient(conn).Watch(testContext(t), &healthpb.HealthCheckRequest{})
			if err == nil {
				_, err = w.Recv()
			}
			if err != nil {
				t.Errorf("watch: %v", err)
			}
		})
		t.Run("reflection without a token", func(t *testing.T) {
			t.Parallel()
			r, err := reflectionpb.NewServerReflectionClient(conn).ServerReflectionInfo(testContext(t))
			if err == nil {
				_ = r.Send(&reflectionpb.ServerReflectionRequest{MessageRequest: &reflectionpb.ServerReflectionRequest_ListServices{}})
				_, err = r.Recv()
			}
			if status.Code(err) != codes.Unauthenticated {
				t.Errorf("got %v, want Unauthenticated", err)
			}
		})
	})
}

// metadataContext is a test context carrying md.
func metadataContext(t *testing.T, md ...string) context.Context {
	t.Helper()
	ctx := testContext(t)
	if len(md) > 0 {
		ctx = metadata.AppendToOutgoingContext(ctx, md...)
	}
	return ctx
}

func TestReadTokenFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	tests := []struct {
		name    string
		content string
		want    string // empty: an error
	}{
		{name: "token with a newline", content: "abc123\n", want: "abc123"},
		{name: "token with spaces around", content: "  abc123 \r\n", want: "abc123"},
		{name: "empty", content: ""},
		{name: "white space only", content: " \n\n"},
		{name: "two words", content: "abc 123"},
		{name: "too large", content: strings.Repeat("a", maxTokenFileBytes+1)},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(dir, string(rune('a'+i)))
			if err := os.WriteFile(path, []byte(tt.content), 0o600); err != nil {
				t.Fatal(err)
			}
			got, err := ReadTokenFile(path)
			switch {
			case tt.want == "" && err == nil:
				t.Errorf("got %q, want an error", got)
			case tt.want != "" && (err != nil || got != tt.want):
				t.Errorf("got %q %v, want %q", got, err, tt.want)
			case err != nil && strings.Contains(err.Error(), strings.TrimSpace(tt.content)) && strings.TrimSpace(tt.content) != "":
				t.Errorf("error %q repeats the file's content", err)
			}
		})
	}
	if _, err := ReadTokenFile(filepath.Join(dir, "missing")); err == nil {
		t.Error("a missing file gave no error")
	}
}
