package circuitbreaker

import (
	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/internal/window"
)

// acquireAdaptive implements Google SRE client-side throttling: with
// requests the calls attempted over AdaptiveWindow (rejected ones included)
// and accepts those the dependency served, a call is rejected with
// probability max(0, (requests − K·accepts) / (requests + 1)), once the
// window holds MinimumCalls requests.
func (b *Breaker) acquireAdaptive(w uint64) (resilience.Permit, error) {
	now := b.clk.Nanotime()
	b.advance(now)
	win, _ := b.counts()
	if p := b.rejectProbability(win); p > 0 && b.random() < p {
		b.add(window.Call|window.Failure, now)
		b.throttled.Add(1)
		return b.reject(ErrOpen, 0)
	}
	return resilience.NewPermit(b, w, now), nil
}

// rejectProbability is the SRE throttling probability for the window's
// counts: Calls are requests, Calls − Failures are accepts.
func (b *Breaker) rejectProbability(c window.Counts) float64 {
	if c.Calls == 0 || c.Calls < b.minCalls {
		return 0
	}
	requests := float64(c.Calls)
	accepts := float64(c.Calls - c.Failures)
	return max(0, (requests-b.cfg.AdaptiveK*accepts)/(requests+1))
}
