package server

import "context"

// Mapping is the server's bound on the jobs mapped at once (one per
// processor, GOMAXPROCS) as another face of the service shares it: work
// that takes CPU there holds a slot, as the gRPC calls' mapping does, so
// that however many requests are open on both faces, at most that many
// goroutines compete for CPU with health checks. A nil *Mapping bounds
// nothing.
type Mapping struct {
	slots chan struct{}
}

// Mapping returns the server's bound on the jobs mapped at once.
func (s *Server) Mapping() *Mapping { return &Mapping{slots: s.mapping} }

// Acquire holds a slot, waiting for one; it fails with ctx's error if ctx
// ends first. The holder releases it before anything that may block, such
// as writing a response.
func (m *Mapping) Acquire(ctx context.Context) error {
	if m == nil || m.slots == nil {
		return nil
	}
	select {
	case m.slots <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Release gives back a slot Acquire held.
func (m *Mapping) Release() {
	if m != nil && m.slots != nil {
		<-m.slots
	}
}
