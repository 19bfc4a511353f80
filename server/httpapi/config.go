package httpapi

import (
	"cmp"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/cio-transformer/cio-transformer/internal/jsvalue"
	"github.com/cio-transformer/cio-transformer/server"
	"github.com/prometheus/client_golang/prometheus"
)

// V2WorkspacesEnv is the environment variable with which upstream opts
// workspaces into its batching-framework router path: "ALL", or a
// comma-separated list of workspace ids. The binary reads the same variable,
// so a deployment keeps its setting.
const V2WorkspacesEnv = "CUSTOMERIO_BATCHING_FRAMEWORK_ENABLED_WORKSPACE_IDS"

// DefaultWriteTimeout bounds the writing of an answer: a client that has
// not taken its answer by then has its connection closed.
const DefaultWriteTimeout = 30 * time.Second

// DefaultFallbackTimeout bounds a forwarded request from its start to the
// end of the upstream transformer's response headers.
const DefaultFallbackTimeout = 60 * time.Second

// Config configures a Handler.
type Config struct {
	// Logger receives one line per request. Nil discards logs.
	Logger *slog.Logger
	// MaxBodyBytes is the largest request body, after gzip decoding, in
	// bytes; larger is 413. Zero is server.DefaultMaxRecvMsgSize.
	MaxBodyBytes int
	// MaxJobsPerRequest is the most jobs one request may carry; more is
	// 413. Zero is server.DefaultMaxJobsPerRequest.
	MaxJobsPerRequest int
	// MaxEventBytes caps the bytes one event may produce; over it the job
	// fails with a 400. Zero is transform.DefaultMaxEventBytes.
	MaxEventBytes int
	// AuthToken, when not empty, is the shared secret every request but
	// GET /health must carry as "Authorization: Bearer <token>". It is
	// never logged.
	AuthToken string
	// Metrics, when set, receives the HTTP metrics. Nil records none.
	Metrics prometheus.Registerer
	// PlainAnswers, when set, never compresses an answer, even for a
	// client that asks for gzip as rudder-server does: compressing costs
	// about a third of a router request's CPU, and saves nothing where the
	// network between the two is free, as beside rudder-server.
	PlainAnswers bool
	// V2Workspaces is the value of V2WorkspacesEnv: the workspaces whose
	// jobs take API mode v2 in router requests ("ALL" for every one), a
	// destination group by the workspace of its first job. Empty keeps
	// every router request on the legacy path.
	V2Workspaces string
	// Fallback, when set, is the rudder-transformer that every request for
	// another destination type or another path is forwarded to.
	Fallback *url.URL
	// FallbackTimeout bounds a forwarded request until the upstream's
	// response headers. Zero is DefaultFallbackTimeout.
	FallbackTimeout time.Duration
	// Budget, when set, is the in-flight budget request bodies are charged
	// to until they are answered (the gRPC server's, shared by both faces:
	// see server.Server.Budget): four times each byte read, as sent and
	// decoded from gzip, as a gRPC request message is charged. A body that
	// stops fitting is answered 503, at once when the budget is spent. Nil
	// charges nothing.
	Budget *server.Budget
	// WriteTimeout bounds the writing of an answer, from its start: a
	// client that has not taken it by then has its connection closed, and
	// what its request held is given back. Zero is DefaultWriteTimeout;
	// negative is no limit. A forwarded request has FallbackTimeout and
	// WriteTimeout together, from its start, for its whole exchange.
	WriteTimeout time.Duration
	// Mapping, when set, bounds the requests decoded and mapped at once
	// (the gRPC server's mapping slots, shared by both faces: see
	// server.Server.Mapping). A request holds a slot from the end of its
	// body's reading to the start of its response. Nil bounds nothing.
	Mapping *server.Mapping
	// BodyTimeout bounds the reading of a request body, from the handler's
	// start; a body not read by then is answered 408. Zero is
	// server.DefaultRecvTimeout; negative is no limit.
	BodyTimeout time.Duration
	// Deliverer performs proxy (delivery) requests; the serve command sets
	// the gRPC server's delivery client. Nil forwards them to Fallback, or
	// answers them 501 without one, and /features does not advertise the
	// proxy.
	Deliverer Deliverer
}

// withDefaults returns c with zero fields set to their defaults.
func (c Config) withDefaults() Config {
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	c.MaxBodyBytes = cmp.Or(c.MaxBodyBytes, server.DefaultMaxRecvMsgSize)
	c.MaxJobsPerRequest = cmp.Or(c.MaxJobsPerRequest, server.DefaultMaxJobsPerRequest)
	c.FallbackTimeout = cmp.Or(c.FallbackTimeout, DefaultFallbackTimeout)
	c.BodyTimeout = cmp.Or(c.BodyTimeout, server.DefaultRecvTimeout)
	c.WriteTimeout = cmp.Or(c.WriteTimeout, DefaultWriteTimeout)
	return c
}

// validate reports a Config that cannot work.
func (c Config) validate() error {
	var errs []error
	if c.MaxBodyBytes < 0 {
		errs = append(errs, fmt.Errorf("max body bytes must be positive, got %d", c.MaxBodyBytes))
	}
	if c.MaxJobsPerRequest < 0 {
		errs = append(errs, fmt.Errorf("max jobs per request must be positive, got %d", c.MaxJobsPerRequest))
	}
	if c.FallbackTimeout < 0 {
		errs = append(errs, fmt.Errorf("fallback timeout must not be negative, got %s", c.FallbackTimeout))
	}
	if u := c.Fallback; u != nil && (u.Scheme != "http" && u.Scheme != "https" || u.Host == "") {
		errs = append(errs, fmt.Errorf("fallback transformer URL must be http(s)://host[:port], got %q", u.Redacted()))
	}
	return errors.Join(errs...)
}

// v2Selector answers whether a router request's destination group takes
// API mode v2, as upstream decides it: V2WorkspacesEnv holds "ALL" or the
// workspace id of the group's first job.
type v2Selector struct {
	all        bool
	workspaces []string
}

// newV2Selector parses the value of V2WorkspacesEnv: comma-separated,
// trimmed.
func newV2Selector(value string) v2Selector {
	var s v2Selector
	for w := range strings.SplitSeq(value, ",") {
		w = jsvalue.TrimSpace(w)
		switch {
		case w == "ALL":
			s.all = true
		case w != "":
			s.workspaces = append(s.workspaces, w)
		}
	}
	return s
}

// selects reports whether a group whose first job belongs to workspace
// takes API mode v2. The workspace id is trimmed, as upstream trims it.
func (s v2Selector) selects(workspace string) bool {
	workspace = jsvalue.TrimSpace(workspace)
	return s.all || (workspace != "" && slices.Contains(s.workspaces, workspace))
}
