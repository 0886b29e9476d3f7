package ratelimit

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/clock"
	"github.com/resilience-go/resilience/ratelimit/internal/gcra"
)

// policyName is the Policy of the events this package reports.
const policyName = "ratelimit"

var _ resilience.Guard = (*Limiter)(nil)

// A Limiter is a token bucket, implemented as GCRA (the generic cell rate
// algorithm): it admits Rate events per Per on average and bursts of up to
// Burst events. Its whole state is one atomic word, the theoretical arrival
// time, updated with compare-and-swap, so Allow is lock-free and a refusal
// writes nothing. With WarmUp set it takes a mutex instead (see Config).
//
// Most callers want Allow, or Acquire through a pipeline; Wait blocks until
// the events may happen, and Reserve says how long that would be.
// AllowInfo returns what a server needs for Retry-After and the RateLimit
// headers.
//
// The zero Limiter rejects every event; create limiters with New. A Limiter
// is safe for simultaneous use by multiple goroutines.
type Limiter struct {
	tat atomic.Int64
	_   [56]byte // keep the hot word on its own cache line

	p     atomic.Pointer[params]
	clk   clock.Clock
	warm  *warmState
	slack int64
	reporter
	mu sync.Mutex // serializes reconfiguration
}

// New returns a Limiter for cfg, or cfg.Validate's error. The bucket starts
// full, except with WarmUp, where the limiter starts cold.
func New(cfg Config) (*Limiter, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	l := &Limiter{
		clk:      clock.Or(cfg.Clock),
		slack:    slackFor(cfg.Clock),
		reporter: reporter{listener: cfg.Listener, name: cfg.Name, shadow: cfg.Shadow},
	}
	p, err := newParams(cfg.Rate, cfg.Per, cfg.Burst, cfg.Unlimited, l.slack)
	if err != nil {
		return nil, err
	}
	l.p.Store(p)
	if cfg.WarmUp > 0 {
		cold := cfg.ColdFactor
		if cold == 0 {
			cold = DefaultColdFactor
		}
		l.warm = &warmState{period: int64(cfg.WarmUp), cold: cold, last: l.clk.Nanotime()}
	}
	return l, nil
}

// Allow reports whether one event may happen now, and if so counts it.
// Use it to drop or reject excess events; use Wait to delay them.
func (l *Limiter) Allow() bool { return l.AllowN(1) }

// AllowN reports whether n events may happen now, and if so counts them
// all; it never counts part of them. n greater than the burst is never
// allowed, n == 0 always is, and n < 0 never is.
func (l *Limiter) AllowN(n int) bool {
	p := l.p.Load()
	if p == nil || n < 0 {
		return false
	}
	if p.unlimited {
		return true
	}
	now := l.clk.Nanotime()
	if l.warm != nil {
		d, _ := l.warm.reserve(p, l.slack, now, int64(n), 0)
		return d.Allowed || l.refused(d.Wait)
	}
	if n != 1 {
		return l.allowN(p, now, int64(n))
	}
	for {
		tat := l.tat.Load()
		next, ok := gcra.AllowOne(p.g, tat, now)
		if !ok {
			return l.refused(gcra.Sub(gcra.Sub(next, now), p.g.Tolerance))
		}
		if l.tat.CompareAndSwap(tat, next) {
			return true
		}
	}
}

func (l *Limiter) allowN(p *params, now, n int64) bool {
	for {
		tat := l.tat.Load()
		d := gcra.Allow(p.g, tat, now, n)
		if !d.Allowed {
			return l.refused(d.Wait)
		}
		if d.TAT == tat || l.tat.CompareAndSwap(tat, d.TAT) {
			return true
		}
	}
}

// reserve admits n events at now+Wait if Wait <= maxWait, and returns the
// decision with the parameters it was taken under.
func (l *Limiter) reserve(p *params, now, n, maxWait int64) (gcra.Decision, gcra.Params) {
	if l.warm != nil {
		return l.warm.reserve(p, l.slack, now, n, maxWait)
	}
	for {
		tat := l.tat.Load()
		d := gcra.Reserve(p.g, tat, now, n, maxWait)
		if !d.Allowed || d.TAT == tat || l.tat.CompareAndSwap(tat, d.TAT) {
			return d, p.g
		}
	}
}

// Acquire admits one call if the limit allows it now, without waiting: it
// returns the zero Permit, or ErrLimited. In shadow mode it always admits.
// It implements resilience.Guard; ctx is not used.
func (l *Limiter) Acquire(ctx context.Context) (resilience.Permit, error) {
	if l.AllowN(1) {
		return resilience.Permit{}, nil
	}
	return resilience.Permit{}, ErrLimited
}

// Release does nothing: a rate limit counts calls when they start. It
// implements resilience.Guard.
func (l *Limiter) Release(resilience.Permit, error) {}

// Rate returns the current rate: events per Per. It is 0 for the zero
// Limiter and for an unlimited one.
func (l *Limiter) Rate() (rate float64, per time.Duration) {
	p := l.p.Load()
	if p == nil || p.unlimited {
		return 0, 0
	}
	return p.rate, p.per
}

// Burst returns the current burst; 0 for the zero Limiter.
func (l *Limiter) Burst() int {
	p := l.p.Load()
	if p == nil {
		return 0
	}
	return int(min(p.g.Burst, int64(maxInt)))
}

const maxInt = int(^uint(0) >> 1)
