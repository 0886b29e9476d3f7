package ratelimit

import (
	"errors"

	"github.com/resilience-go/resilience/ratelimit/internal/gcra"
)

// errZeroLimiter is returned by the setters of the zero Limiter.
var errZeroLimiter = errors.New("ratelimit: the zero Limiter cannot be reconfigured; use New")

// SetRate changes the rate to rate events per the configured Per, keeping
// the burst (an Unlimited limiter gets the default burst). See SetLimit.
func (l *Limiter) SetRate(rate float64) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	p := l.p.Load()
	if p == nil {
		return errZeroLimiter
	}
	burst := int(min(p.g.Burst, int64(maxInt)))
	if p.unlimited {
		burst = 0
	}
	return l.setLocked(p, rate, burst)
}

// SetBurst changes the burst, keeping the rate. Zero means the default for
// the current rate (see Config.Burst). See SetLimit.
func (l *Limiter) SetBurst(burst int) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	p := l.p.Load()
	if p == nil {
		return errZeroLimiter
	}
	return l.setLocked(p, p.rate, burst)
}

// SetLimit changes the rate (events per the configured Per) and the burst
// at once, without losing state: the events available now stay available
// (up to the new burst), so the bucket is neither refilled nor emptied, and
// a larger burst fills at the new rate instead of granting its extra
// events at once. Invalid values return the error Config.Validate would,
// and change nothing. An Unlimited limiter becomes limited. Calls racing
// with SetLimit may be decided under either limit.
func (l *Limiter) SetLimit(rate float64, burst int) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	p := l.p.Load()
	if p == nil {
		return errZeroLimiter
	}
	return l.setLocked(p, rate, burst)
}

func (l *Limiter) setLocked(old *params, rate float64, burst int) error {
	np, err := newParams(rate, old.per, burst, false, l.slack)
	if err != nil {
		return err
	}
	now := l.clk.Nanotime()
	l.p.Store(np)
	if l.warm != nil {
		l.warm.convert(old, np, l.slack, now)
		return nil
	}
	from := old.g
	if old.unlimited {
		from = np.g // an unlimited limiter counted nothing: start full
		l.tat.Store(0)
	}
	for {
		tat := l.tat.Load()
		nt := gcra.Convert(from, np.g, tat, now)
		if nt == tat || l.tat.CompareAndSwap(tat, nt) {
			return nil
		}
	}
}

// Warmth returns how far a warm-up limiter has warmed up, from 0 (cold:
// Rate/ColdFactor) to 1 (warm: Rate). It is 1 without WarmUp.
func (l *Limiter) Warmth() float64 {
	if l.warm == nil {
		return 1
	}
	return l.warm.warmth(l.p.Load(), l.slack, l.clk.Nanotime())
}
