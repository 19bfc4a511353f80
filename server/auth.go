package server

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"os"
	"strings"

	middleware "github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors"
	"github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors/auth"
	"github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors/selector"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
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
type tokenAuth struct {
	// sum is the token's SHA-256: comparing digests of equal length keeps
	// the comparison constant-time whatever the length of the offered
	// token.
	sum [sha256.Size]byte
}

// errBadToken is the answer to a wrong token. It never quotes the token.
var errBadToken = status.Error(codes.Unauthenticated, "invalid auth token")

// authInterceptors returns the token check for token, or nils when token is
// empty (no authentication).
func authInterceptors(token string) (grpc.UnaryServerInterceptor, grpc.StreamServerInterceptor) {
	if token == "" {
		return nil, nil
	}
	a := &tokenAuth{sum: sha256.Sum256([]byte(token))}
	exempt := selector.MatchFunc(func(_ context.Context, c middleware.CallMeta) bool {
		return c.Service != healthpb.Health_ServiceDesc.ServiceName
	})
	return selector.UnaryServerInterceptor(auth.UnaryServerInterceptor(a.check), exempt),
		selector.StreamServerInterceptor(auth.StreamServerInterceptor(a.check), exempt)
}

// check accepts a call carrying the token. Its errors come from the
// middleware ("Request unauthenticated with bearer", "Bad authorization
// string") or are errBadToken; none repeats what the client sent.
func (a *tokenAuth) check(ctx context.Context) (context.Context, error) {
	got, err := auth.AuthFromMD(ctx, "bearer")
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256([]byte(got))
	if subtle.ConstantTimeCompare(sum[:], a.sum[:]) != 1 {
		return nil, errBadToken
	}
	return ctx, nil
}
