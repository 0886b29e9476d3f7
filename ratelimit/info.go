package ratelimit

import (
	"math"
	"time"

	"github.com/resilience-go/resilience/ratelimit/internal/gcra"
)

// Info is a limiter's decision together with what a server needs for the
// Retry-After header and the IETF RateLimit and RateLimit-Policy headers
// (draft-ietf-httpapi-ratelimit-headers):
//
//	RateLimit-Policy: "default";q=<Limit>;w=<Window seconds>
//	RateLimit: "default";r=<Remaining>;t=<ResetSeconds()>
//	Retry-After: <RetryAfterSeconds()>   (on 429 only)
//
// For an unlimited limiter Limit and Remaining are math.MaxInt and the
// durations are zero; send no headers then.
type Info struct {
	// Allowed reports whether the events were admitted: what Allow would
	// have returned, so true in shadow mode even when the limit refused.
	Allowed bool
	// Limit is the quota: the burst of a token bucket, the limit of a
	// sliding window.
	Limit int
	// Remaining is how many more events would be admitted right now, after
	// this decision.
	Remaining int
	// Reset is how long until the whole quota is available again.
	Reset time.Duration
	// RetryAfter is how long until the same request would be admitted; it
	// is zero when the limit admitted it and positive when the limit
	// refused it (even in shadow mode, where Allowed is still true). It is
	// math.MaxInt64 when the request can never be admitted (n above the
	// quota).
	RetryAfter time.Duration
	// Window is the policy's time window: how long the quota takes to
	// refill from empty (the token bucket) or the window length (the
	// sliding window).
	Window time.Duration
}

// ResetSeconds returns Reset in whole seconds, rounded up.
func (i Info) ResetSeconds() int64 { return ceilSeconds(i.Reset) }

// RetryAfterSeconds returns RetryAfter in whole seconds, rounded up, for
// the Retry-After header: at least 1 when RetryAfter is positive.
func (i Info) RetryAfterSeconds() int64 { return ceilSeconds(i.RetryAfter) }

// WindowSeconds returns Window in whole seconds, rounded up.
func (i Info) WindowSeconds() int64 { return ceilSeconds(i.Window) }

func ceilSeconds(d time.Duration) int64 {
	if d <= 0 {
		return 0
	}
	return int64((d-1)/time.Second) + 1
}

// unlimitedInfo is the Info of an unlimited limiter.
var unlimitedInfo = Info{Allowed: true, Limit: math.MaxInt, Remaining: math.MaxInt}

// gcraInfo builds the Info of decision d, taken at now under g; stable
// gives the limit's window (differs from g during a warm-up).
func gcraInfo(d gcra.Decision, g gcra.Params, now int64, stable gcra.Params, shadow bool) Info {
	info := Info{
		Allowed:   d.Allowed || shadow,
		Limit:     clampInt(stable.Burst),
		Remaining: clampInt(gcra.Remaining(g, d.TAT, now)),
		Reset:     time.Duration(gcra.ResetAfter(d.TAT, now)),
		Window:    time.Duration(gcra.Mul(stable.Burst, stable.Interval)),
	}
	if !d.Allowed {
		info.RetryAfter = time.Duration(d.Wait)
	}
	return info
}

func clampInt(v int64) int {
	return int(min(max(v, 0), int64(math.MaxInt)))
}

// AllowInfo is Allow returning the decision's Info.
func (l *Limiter) AllowInfo() Info { return l.AllowInfoN(1) }

// AllowInfoN is AllowN returning the decision's Info. It reports to the
// Listener like AllowN.
func (l *Limiter) AllowInfoN(n int) Info {
	p := l.p.Load()
	switch {
	case p == nil:
		return Info{RetryAfter: gcra.Never}
	case p.unlimited:
		return unlimitedInfo
	case n < 0:
		return Info{RetryAfter: gcra.Never}
	}
	now := l.clk.Nanotime()
	d, g := l.reserve(p, now, int64(n), 0)
	if !d.Allowed {
		l.refused(d.Wait)
	}
	return gcraInfo(d, g, now, p.g, l.shadow)
}

// Info returns the limiter's state now without counting anything: Allowed
// and RetryAfter say whether one more event would be admitted.
func (l *Limiter) Info() Info {
	p := l.p.Load()
	switch {
	case p == nil:
		return Info{RetryAfter: gcra.Never}
	case p.unlimited:
		return unlimitedInfo
	}
	now := l.clk.Nanotime()
	var tat int64
	g := p.g
	if l.warm != nil {
		tat, g = l.warm.peek(p, l.slack, now)
	} else {
		tat = l.tat.Load()
	}
	d := gcra.Allow(g, tat, now, 1)
	d.TAT = tat
	return gcraInfo(d, g, now, p.g, l.shadow)
}
