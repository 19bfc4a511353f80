package server

import (
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// Defaults of Config.
const (
	DefaultMaxJobsPerRequest = 10000
	DefaultMaxRecvMsgSize    = 16 << 20
	DefaultShutdownGrace     = 10 * time.Second
	// resultsPerResponse is how many results a TransformBatch response
	// carries at most before the server sends it and starts the next one.
	resultsPerResponse = 500
)

// Config configures a Server.
type Config struct {
	// Logger receives one line per finished call. Nil discards logs.
	Logger *slog.Logger
	// MaxJobsPerRequest is the most jobs a request message may carry;
	// more is InvalidArgument.
	MaxJobsPerRequest int
	// MaxRecvMsgSize is the largest request message in bytes; larger is
	// ResourceExhausted.
	MaxRecvMsgSize int
	// ShutdownGrace is how long Shutdown lets in-flight calls finish.
	ShutdownGrace time.Duration

	// jobHook, when set, runs before each job is transformed. Tests use it
	// to inject faults.
	jobHook func(jobID uint64)
}

// withDefaults returns c with zero fields set to their defaults.
func (c Config) withDefaults() Config {
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.MaxJobsPerRequest == 0 {
		c.MaxJobsPerRequest = DefaultMaxJobsPerRequest
	}
	if c.MaxRecvMsgSize == 0 {
		c.MaxRecvMsgSize = DefaultMaxRecvMsgSize
	}
	if c.ShutdownGrace == 0 {
		c.ShutdownGrace = DefaultShutdownGrace
	}
	return c
}

// Validate reports a Config that cannot work.
func (c Config) Validate() error {
	var errs []error
	if c.MaxJobsPerRequest < 0 {
		errs = append(errs, fmt.Errorf("max jobs per request must be positive, got %d", c.MaxJobsPerRequest))
	}
	if c.MaxRecvMsgSize < 0 {
		errs = append(errs, fmt.Errorf("max receive message size must be positive, got %d", c.MaxRecvMsgSize))
	}
	if c.ShutdownGrace < 0 {
		errs = append(errs, fmt.Errorf("shutdown grace must not be negative, got %s", c.ShutdownGrace))
	}
	return errors.Join(errs...)
}
