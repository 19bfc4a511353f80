package server

import (
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"os"
	"strings"

	"google.golang.org/grpc/codes"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// maxTokenFileBytes bounds the token file, which holds one line.
const maxTokenFileBytes = 4096

// ReadTokenFile reads a shared-secret bearer token from path: the file's
// content without surrounding white space. An empty file is an error, so
// that a missing secret never turns authentication off.
func ReadTokenFile(path string) (string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("read auth token file: %w", err)
	}
	if len(data) > maxTokenFileBytes {
		return "", fmt.Errorf("auth token file %s is larger than %d bytes", path, maxTokenFileBytes)
	}
	token := strings.TrimSpace(string(data))
	if token == "" {
		return "", fmt.Errorf("auth token file %s is empty", path)
	}
	if strings.ContainsAny(token, " \t\r\n") {
		return "", errors.New("auth token must be one word without white space")
	}
	return token, nil
}

// tokenAuth requires "authorization: Bearer <token>" on every call except
// health checks, which load balancers and probes make without credentials.
// It runs in the admission tap, on the call's headers, so that a call
// without the token costs no message read.
type tokenAuth struct {
	// sum is the token's SHA-256: comparing digests of equal length keeps
	// the comparison constant-time whatever the length of the offered
	// token.
	sum [sha256.Size]byte
}

// Answers to calls without the right token. None repeats what the client
// sent.
var (
	errNoToken   = status.Error(codes.Unauthenticated, "Request unauthenticated with bearer")
	errBadScheme = status.Error(codes.Unauthenticated, "Bad authorization string")
	errBadToken  = status.Error(codes.Unauthenticated, "invalid auth token")
)

// newTokenAuth returns the token check for token, or nil when token is
// empty (no authentication).
func newTokenAuth(token string) *tokenAuth {
	if token == "" {
		return nil
	}
	return &tokenAuth{sum: sha256.Sum256([]byte(token))}
}

// exempt reports whether method, a full method name, is a health check.
func (*tokenAuth) exempt(method string) bool {
	return strings.HasPrefix(method, "/"+healthpb.Health_ServiceDesc.ServiceName+"/")
}

// check accepts a call whose headers carry the token.
func (a *tokenAuth) check(md metadata.MD) error {
	vals := md.Get("authorization")
	if len(vals) == 0 {
		return errNoToken
	}
	scheme, got, ok := strings.Cut(vals[0], " ")
	if !ok {
		return errBadScheme
	}
	if !strings.EqualFold(scheme, "bearer") {
		return errNoToken
	}
	sum := sha256.Sum256([]byte(got))
	if subtle.ConstantTimeCompare(sum[:], a.sum[:]) != 1 {
		return errBadToken
	}
	return nil
}
