package delivery

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// siteLimits holds a token bucket per site.
type siteLimits struct {
	mu    sync.Mutex
	rate  rate.Limit
	burst int
	sites map[string]*rate.Limiter
}

// newSiteLimits builds the buckets; a negative perSecond means no limit.
func newSiteLimits(perSecond float64, burst int) *siteLimits {
	l := rate.Limit(perSecond)
	if perSecond < 0 {
		l = rate.Inf
	}
	return &siteLimits{rate: l, burst: burst, sites: map[string]*rate.Limiter{}}
}

// reserve takes a token of site's bucket. It returns how long to wait
// before sending, and false (with the wait) when that is longer than
// maxWait, in which case no token is taken.
func (s *siteLimits) reserve(site string, maxWait time.Duration) (time.Duration, bool) {
	if s.rate == rate.Inf {
		return 0, true
	}
	s.mu.Lock()
	lim, ok := s.sites[site]
	if !ok {
		if len(s.sites) >= maxSites {
			clear(s.sites)
		}
		lim = rate.NewLimiter(s.rate, s.burst)
		s.sites[site] = lim
	}
	s.mu.Unlock()
	now := time.Now()
	r := lim.ReserveN(now, 1)
	d := r.DelayFrom(now)
	if d > maxWait {
		r.CancelAt(now)
		return d, false
	}
	return d, true
}
