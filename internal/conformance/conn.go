package conformance

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/cio-transformer/cio-transformer/server"
	"google.golang.org/grpc"
	"google.golang.org/grpc/connectivity"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/test/bufconn"
)

// Connection settings of verify.
const (
	// maxResponseBytes lets the client read the largest responses a server
	// may send: up to 500 results, each possibly a batch near 500 KB.
	maxResponseBytes = 512 << 20
	// bufconnBytes is the in-process pipe's buffer.
	bufconnBytes = 1 << 20
	// inProcessTarget names the in-process server; the dialer ignores it.
	inProcessTarget = "passthrough:///in-process"
)

// verifyConn is verify's client connection and what to stop with it.
type verifyConn struct {
	cc     *grpc.ClientConn
	server *server.Server
}

// close closes the connection and stops the in-process server, if any.
func (c *verifyConn) close() {
	_ = c.cc.Close()
	if c.server != nil {
		c.server.Stop()
	}
}

// connect dials the server at addr and waits until the connection is
// ready, at most timeout. With an empty addr it starts a server in-process
// from cfg on a bufconn pipe and dials that, so that both modes run the same client
// code.
func connect(ctx context.Context, addr string, timeout time.Duration, cfg server.Config) (*verifyConn, error) {
	opts := []grpc.DialOption{
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(maxResponseBytes)),
	}
	if addr != "" {
		cc, err := grpc.NewClient(addr, opts...)
		if err != nil {
			return nil, fmt.Errorf("invalid address %q: %w", addr, err)
		}
		if err := awaitReady(ctx, cc, timeout); err != nil {
			_ = cc.Close()
			return nil, fmt.Errorf("cannot reach %s: %w", addr, err)
		}
		return &verifyConn{cc: cc}, nil
	}

	srv, err := server.New(cfg)
	if err != nil {
		return nil, fmt.Errorf("in-process server: %w", err)
	}
	lis := bufconn.Listen(bufconnBytes)
	go func() { _ = srv.Serve(lis) }()
	opts = append(opts, grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) {
		return lis.DialContext(ctx)
	}))
	cc, err := grpc.NewClient(inProcessTarget, opts...)
	if err != nil {
		srv.Stop()
		return nil, fmt.Errorf("in-process server: %w", err)
	}
	return &verifyConn{cc: cc, server: srv}, nil
}

// errConnectFailed is a failed connection attempt.
var errConnectFailed = errors.New("connection failed")

// awaitReady connects cc and waits until it is ready. It gives up at the
// first failed attempt rather than retrying until the timeout, as a server
// that refuses connections will not start in the meantime.
func awaitReady(ctx context.Context, cc *grpc.ClientConn, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cc.Connect()
	for {
		switch s := cc.GetState(); s {
		case connectivity.Ready:
			return nil
		case connectivity.TransientFailure, connectivity.Shutdown:
			return errConnectFailed
		default:
			if !cc.WaitForStateChange(ctx, s) {
				return ctx.Err()
			}
		}
	}
}
