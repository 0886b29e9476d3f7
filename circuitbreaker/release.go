package circuitbreaker

import (
	"time"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/internal/window"
)

// Release records the outcome of a call admitted by Acquire; callers use
// Permit.Done instead. Outcomes of calls admitted before the breaker last
// changed state (or cleared its counts) are ignored, as in gobreaker.
func (b *Breaker) Release(p resilience.Permit, err error) {
	tok := p.Token()
	if err == nil && tok&(stateMask|slowRelease) == uint64(StateClosed) && b.word.Load() == tok {
		// The common case: a success in the closed state that needs no
		// clock, no classifier and no event. It can only lower the rates,
		// so only a bucket rotation calls for an evaluation.
		if b.consec.Load() != 0 {
			b.consec.Store(0)
		}
		if b.cw.Add(window.Call) && b.evalOnRotate {
			b.evaluateRotation(tok)
		}
		return
	}
	b.release(p, err)
}

// release handles every outcome the fast path of Release does not.
func (b *Breaker) release(p resilience.Permit, err error) {
	tok := p.Token()
	if b.word.Load() != tok {
		return
	}
	var o resilience.Outcome
	switch {
	case b.classify != nil:
		o = b.classify(err)
	case err == nil:
		o = resilience.OutcomeSuccess
	default:
		o = resilience.Classify(err)
	}
	var now, lat int64
	if b.readEnd || stateOf(tok) == StateHalfOpen {
		now = b.clk.Nanotime()
		if start := p.Start(); start != 0 && b.readStart {
			lat = now - start
		}
	}
	slow := b.slowNanos > 0 && lat > b.slowNanos
	// Report the outcome before the state change it may cause.
	if b.listener != nil && o != resilience.OutcomeIgnored {
		kind := resilience.EventSuccess
		if o == resilience.OutcomeFailure {
			kind = resilience.EventFailure
		}
		b.listener.OnEvent(resilience.Event{
			Kind: kind, Policy: policyName, Name: b.cfg.Name, Latency: time.Duration(lat), Err: err,
		})
	}
	switch stateOf(tok) {
	case StateClosed, StateMetricsOnly:
		b.record(tok, o, slow, now)
	case StateHalfOpen:
		b.releaseProbe(tok, o, slow, now)
	}
}

// record counts an outcome in the closed or metrics-only state and trips
// the breaker when a condition holds. Conditions are evaluated after a
// failure or a slow call, and after a bucket rotation, which may evict
// calls; a plain success can only lower the rates.
func (b *Breaker) record(tok uint64, o resilience.Outcome, slow bool, now int64) {
	evaluating := stateOf(tok) == StateClosed && !b.adaptive
	d := window.Call
	if slow {
		d |= window.Slow
	}
	switch o {
	case resilience.OutcomeSuccess:
		if b.consec.Load() != 0 {
			b.consec.Store(0)
		}
		if slow && evaluating {
			win, life := b.addRecent(d, now)
			b.evaluate(tok, 0, win, life)
			return
		}
		if b.add(d, now) && evaluating && b.evalOnRotate {
			if b.cw != nil {
				b.evaluateRotation(tok)
			} else {
				win, life := b.counts()
				b.evaluate(tok, 0, win, life)
			}
		}
	case resilience.OutcomeFailure:
		n := b.consec.Add(1)
		win, life := b.addRecent(d|window.Failure, now)
		if mark := life.Calls - life.Failures; b.succMark.Load() != mark {
			b.succMark.Store(mark)
		}
		if evaluating {
			b.evaluate(tok, n, win, life)
		}
	}
}

// addRecent records an outcome and returns the window's counts and the
// lifetime totals.
func (b *Breaker) addRecent(d uint64, now int64) (win, life window.Counts) {
	b.add(d, now)
	return b.counts()
}

// evaluate trips the breaker if a condition holds over win. consec is the
// consecutive-failure count after a failure, or 0 after a success.
func (b *Breaker) evaluate(tok uint64, consec uint64, win, life window.Counts) {
	if n := b.cfg.ConsecutiveFailures; n > 0 && consec >= uint64(n) {
		b.trip(tok)
		return
	}
	if b.rateTrips(win) {
		b.trip(tok)
		return
	}
	if b.cfg.ReadyToTrip != nil && b.cfg.ReadyToTrip(b.snapshot(tok, win, life, 0)) {
		b.trip(tok)
	}
}

// evaluateRotation trips the breaker if a rate condition or ReadyToTrip
// holds over the completed buckets of a count window, after a success
// filled one: only an eviction can raise the rates then. It reads only the
// ring, not the buckets other goroutines are filling.
func (b *Breaker) evaluateRotation(tok uint64) {
	win := b.cw.RingCounts()
	if b.rateTrips(win) {
		b.trip(tok)
		return
	}
	if b.cfg.ReadyToTrip != nil {
		_, life := b.counts()
		if b.cfg.ReadyToTrip(b.snapshot(tok, win, life, 0)) {
			b.trip(tok)
		}
	}
}

// rateTrips evaluates the failure-rate and slow-call-rate conditions.
func (b *Breaker) rateTrips(c window.Counts) bool {
	fr, sr := b.cfg.FailureRateThreshold, b.cfg.SlowCallRateThreshold
	if (fr == 0 && sr == 0) || c.Calls == 0 || c.Calls < b.minCalls {
		return false
	}
	calls := float64(c.Calls)
	failHit := fr > 0 && float64(c.Failures)*100 >= fr*calls
	slowHit := sr > 0 && float64(c.Slow)*100 >= sr*calls
	if b.cfg.RequireAll {
		return (fr == 0 || failHit) && (sr == 0 || slowHit)
	}
	return failHit || slowHit
}

// releaseProbe handles the outcome of a half-open probe.
func (b *Breaker) releaseProbe(tok uint64, o resilience.Outcome, slow bool, now int64) {
	if b.halfOpenExpired(now) {
		b.trip(tok)
		return
	}
	switch o {
	case resilience.OutcomeIgnored:
		for {
			p := b.probes.Load()
			if uint32(p) != uint32(tok>>genShift) || p>>32 == 0 {
				return
			}
			if b.probes.CompareAndSwap(p, p-1<<32) {
				return
			}
		}
	case resilience.OutcomeFailure:
		b.add(window.Call|window.Failure, now)
		b.trip(tok)
	default:
		if slow && b.cfg.SlowCallRateThreshold > 0 {
			b.add(window.Call|window.Slow, now)
			b.trip(tok)
			return
		}
		b.add(window.Call, now)
		b.probeSucceeded(tok)
	}
}

func (b *Breaker) halfOpenExpired(now int64) bool {
	return b.cfg.HalfOpenMaxWait > 0 && now-b.halfOpenSince.Load() >= int64(b.cfg.HalfOpenMaxWait)
}
