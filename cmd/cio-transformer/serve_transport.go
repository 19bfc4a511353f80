package main

import (
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/cio-transformer/cio-transformer/server"
	flag "github.com/spf13/pflag"
)

// transportFlags are the serve settings of connections: limits, shutdown
// delay, TLS and authentication.
type transportFlags struct {
	maxInflightBytes      int64
	maxConnections        int
	recvTimeout           time.Duration
	maxConnectionIdle     time.Duration
	maxConcurrentStreams  uint
	keepaliveMinTime      time.Duration
	maxConnectionAge      time.Duration
	maxConnectionAgeGrace time.Duration
	shutdownDelay         time.Duration
	tlsCert               string
	tlsKey                string
	tlsClientCA           string
	authTokenFile         string
}

// define adds the transport flags to fs.
func (f *transportFlags) define(fs *flag.FlagSet) {
	fs.Int64Var(&f.maxInflightBytes, "max-inflight-bytes", server.DefaultMaxInflightBytes, "budget of request messages received and not yet answered, charged at four times their estimated decoded size; past it calls and request messages are refused with RESOURCE_EXHAUSTED (env CIO_MAX_INFLIGHT_BYTES)")
	fs.IntVar(&f.maxConnections, "max-connections", server.DefaultMaxConnections, "most connections served at once; more wait to be accepted (env CIO_MAX_CONNECTIONS)")
	fs.DurationVar(&f.recvTimeout, "recv-timeout", server.DefaultRecvTimeout, "how long a unary call's request message may take to arrive after its headers; a late call is ended between this and this plus two sweep periods (an eighth of it, at most 100 ms each) (env CIO_RECV_TIMEOUT)")
	fs.DurationVar(&f.maxConnectionIdle, "max-connection-idle", server.DefaultMaxConnectionIdle, "how long a connection without calls stays open (env CIO_MAX_CONNECTION_IDLE)")
	fs.UintVar(&f.maxConcurrentStreams, "max-concurrent-streams", server.DefaultMaxConcurrentStreams, "most calls open at once on one connection; clients queue beyond it (env CIO_MAX_CONCURRENT_STREAMS)")
	fs.DurationVar(&f.keepaliveMinTime, "keepalive-min-time", server.DefaultKeepaliveMinTime, "shortest interval between client keepalive pings; a client pinging more often is disconnected (env CIO_KEEPALIVE_MIN_TIME)")
	fs.DurationVar(&f.maxConnectionAge, "max-connection-age", server.DefaultMaxConnectionAge, "how long a connection takes new calls before the client is asked to reconnect; 0 is no limit (env CIO_MAX_CONNECTION_AGE)")
	fs.DurationVar(&f.maxConnectionAgeGrace, "max-connection-age-grace", 0, "how long calls on an aged connection may run on; 0 is until they finish (env CIO_MAX_CONNECTION_AGE_GRACE)")
	fs.DurationVar(&f.shutdownDelay, "shutdown-delay", 0, "how long to keep serving after SIGTERM while health reports NOT_SERVING; part of --shutdown-grace (env CIO_SHUTDOWN_DELAY)")
	fs.StringVar(&f.tlsCert, "tls-cert", "", "PEM certificate chain to serve TLS with; needs --tls-key (env CIO_TLS_CERT)")
	fs.StringVar(&f.tlsKey, "tls-key", "", "PEM private key of --tls-cert (env CIO_TLS_KEY)")
	fs.StringVar(&f.tlsClientCA, "tls-client-ca", "", "PEM CA certificates; when set, clients must present a certificate they signed (mutual TLS) (env CIO_TLS_CLIENT_CA)")
	fs.StringVar(&f.authTokenFile, "auth-token-file", "", "file holding a shared secret every call but health checks must send as \"authorization: Bearer <token>\" (env CIO_AUTH_TOKEN_FILE)")
}

// apply sets the transport settings of cfg from the flags.
func (f *transportFlags) apply(cfg *server.Config) error {
	if f.maxConcurrentStreams == 0 || f.maxConcurrentStreams > math.MaxUint32 {
		return fmt.Errorf("max concurrent streams must be between 1 and %d, got %d", uint32(math.MaxUint32), f.maxConcurrentStreams)
	}
	if f.keepaliveMinTime <= 0 {
		return fmt.Errorf("keepalive min time must be positive, got %s", f.keepaliveMinTime)
	}
	if f.maxConnectionAge < 0 || f.maxConnectionAgeGrace < 0 || f.shutdownDelay < 0 {
		return errors.New("max connection age, its grace and the shutdown delay must not be negative")
	}
	if f.maxInflightBytes <= 0 || f.maxConnections <= 0 || f.recvTimeout <= 0 || f.maxConnectionIdle <= 0 {
		return errors.New("max inflight bytes, max connections, the receive timeout and max connection idle must be positive")
	}
	cfg.MaxInflightBytes = f.maxInflightBytes
	cfg.MaxConnections = f.maxConnections
	cfg.RecvTimeout = f.recvTimeout
	cfg.MaxConnectionIdle = f.maxConnectionIdle
	cfg.MaxConcurrentStreams = uint32(f.maxConcurrentStreams)
	cfg.KeepaliveMinTime = f.keepaliveMinTime
	cfg.MaxConnectionAge = f.maxConnectionAge
	if f.maxConnectionAge == 0 {
		cfg.MaxConnectionAge = -1
	}
	cfg.MaxConnectionAgeGrace = f.maxConnectionAgeGrace
	cfg.ShutdownDelay = f.shutdownDelay
	switch {
	case f.tlsCert != "" || f.tlsKey != "":
		tlsCfg, err := server.LoadTLS(f.tlsCert, f.tlsKey, f.tlsClientCA)
		if err != nil {
			return err
		}
		cfg.TLS = tlsCfg
	case f.tlsClientCA != "":
		return errors.New("--tls-client-ca needs --tls-cert and --tls-key")
	}
	if f.authTokenFile != "" {
		token, err := server.ReadTokenFile(f.authTokenFile)
		if err != nil {
			return err
		}
		cfg.AuthToken = token
	}
	return nil
}
