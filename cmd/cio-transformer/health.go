package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/cio-transformer/cio-transformer/internal/cli"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

// healthUsage is the head of health's help.
const healthUsage = `usage: cio-transformer health [flags]

Asks a server for its grpc.health.v1 status, as a Kubernetes exec probe
does: Kubernetes' own gRPC probes cannot speak TLS. Health checks need no
token. Exit code 0: SERVING; 1: anything else or no answer; 2: usage error.

Flags:
`

// health checks the gRPC health of the server at --addr and returns 0 when
// it is SERVING.
func health(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := cli.NewFlagSet("cio-transformer health", stderr)
	addr := fs.String("addr", "127.0.0.1:50051", "HOST:PORT of the server")
	service := fs.String("service", "", "service to ask about; empty is the server as a whole")
	timeout := fs.Duration("timeout", 2*time.Second, "deadline of the check, connection included")
	useTLS := fs.Bool("tls", false, "connect with TLS (implied by the other --tls flags)")
	caFile := fs.String("tls-ca", "", "PEM CA certificates to verify the server with; empty is the system's")
	serverName := fs.String("tls-server-name", "", "name to verify the server certificate for; empty is the host of --addr")
	noVerify := fs.Bool("tls-no-verify", false, "do not verify the server certificate (a probe on the pod's own loopback)")
	certFile := fs.String("tls-cert", "", "PEM client certificate, for a server requiring mutual TLS; needs --tls-key")
	keyFile := fs.String("tls-key", "", "PEM private key of --tls-cert")
	if code, ok := cli.ParseArgs(fs, args, healthUsage, stdout, stderr); !ok {
		return code
	}
	if fs.NArg() > 0 {
		return cli.UsageError(stderr, "cio-transformer health", fmt.Errorf("unexpected argument %q: health takes flags only", fs.Arg(0)))
	}
	creds := insecure.NewCredentials()
	if *useTLS || *caFile != "" || *serverName != "" || *noVerify || *certFile != "" || *keyFile != "" {
		cfg, err := probeTLS(*caFile, *serverName, *noVerify, *certFile, *keyFile)
		if err != nil {
			return cli.UsageError(stderr, "cio-transformer health", err)
		}
		creds = credentials.NewTLS(cfg)
	}
	conn, err := grpc.NewClient(*addr, grpc.WithTransportCredentials(creds))
	if err != nil {
		return cli.UsageError(stderr, "cio-transformer health", err)
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	resp, err := healthpb.NewHealthClient(conn).Check(ctx, &healthpb.HealthCheckRequest{Service: *service})
	if err != nil {
		fmt.Fprintf(stderr, "cio-transformer health: %v\n", err)
		return 1
	}
	fmt.Fprintln(stdout, resp.GetStatus())
	if resp.GetStatus() != healthpb.HealthCheckResponse_SERVING {
		return 1
	}
	return 0
}

// probeTLS is the client TLS configuration of the health command.
func probeTLS(caFile, serverName string, noVerify bool, certFile, keyFile string) (*tls.Config, error) {
	// --tls-no-verify is for a probe of the pod's own loopback address,
	// which the server certificate does not name.
	cfg := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: serverName, InsecureSkipVerify: noVerify}
	if caFile != "" {
		pem, err := os.ReadFile(caFile)
		if err != nil {
			return nil, err
		}
		cfg.RootCAs = x509.NewCertPool()
		if !cfg.RootCAs.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("%s holds no PEM certificate", caFile)
		}
	}
	if (certFile == "") != (keyFile == "") {
		return nil, errors.New("--tls-cert and --tls-key go together")
	}
	if certFile != "" {
		cert, err := tls.LoadX509KeyPair(certFile, keyFile)
		if err != nil {
			return nil, err
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	return cfg, nil
}
