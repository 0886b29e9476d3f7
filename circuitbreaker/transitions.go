package circuitbreaker

import (
	"math"
	"time"

	"github.com/resilience-go/resilience"
)

const policyName = "circuitbreaker"

// change is a state change recorded under the lock and reported after it
// is released.
type change struct{ from, to State }

// emit reports a state change, if there was one, to the listener. It must
// be called without holding b.mu.
func (b *Breaker) emit(c change) {
	if b.listener == nil || c.from == c.to {
		return
	}
	b.listener.OnEvent(resilience.Event{
		Kind: resilience.EventStateChange, Policy: policyName, Name: b.cfg.Name,
		From: c.from.String(), To: c.to.String(),
	})
}

// setLocked publishes state s in a new generation; the caller holds b.mu.
func (b *Breaker) setLocked(s State) change {
	w := b.word.Load()
	b.word.Store((w>>genShift+1)<<genShift | w&flagsMask | uint64(s))
	return change{stateOf(w), s}
}

// enterClosedLocked clears the counts and publishes the closed state.
func (b *Breaker) enterClosedLocked(now int64) change {
	b.clearWindow()
	b.consec.Store(0)
	_, life := b.counts()
	b.succMark.Store(life.Calls - life.Failures)
	if b.cfg.ResetInterval > 0 {
		b.resetAt.Store(now + int64(b.cfg.ResetInterval))
	}
	return b.setLocked(StateClosed)
}

// trip opens the breaker if it is still in the generation of tok. A trip
// from half-open is a re-trip and lengthens the open wait.
func (b *Breaker) trip(tok uint64) {
	r := 0.0
	if b.cfg.OpenJitter > 0 {
		r = b.random()
	}
	now := b.clk.Nanotime()
	b.mu.Lock()
	if b.word.Load() != tok {
		b.mu.Unlock()
		return
	}
	if stateOf(tok) == StateHalfOpen {
		b.retrips++
	} else {
		b.retrips = 0
	}
	until := now + int64(b.openWait(b.retrips, r))
	if until < now {
		until = math.MaxInt64 // saturate instead of wrapping
	}
	b.openUntil.Store(until)
	b.clearWindow()
	b.consec.Store(0)
	b.trips.Add(1)
	c := b.setLocked(StateOpen)
	b.mu.Unlock()
	b.emit(c)
}

// openWait is OpenDuration × Multiplier^retrips, capped at MaxOpenDuration,
// lengthened by up to OpenJitter of itself (r is the random draw in [0,1)).
func (b *Breaker) openWait(retrips int, r float64) time.Duration {
	maxWait := float64(b.cfg.MaxOpenDuration)
	d := float64(b.cfg.OpenDuration) * math.Pow(b.cfg.OpenBackoffMultiplier, float64(retrips))
	d = math.Min(d, maxWait)
	if j := b.cfg.OpenJitter; j > 0 && r > 0 && r < 1 {
		d += d * j * r
	}
	if !(d < math.MaxInt64) {
		return time.Duration(math.MaxInt64)
	}
	return time.Duration(d)
}

// toHalfOpen moves an open breaker, still in the generation of w, to
// half-open.
func (b *Breaker) toHalfOpen(w uint64, now int64) {
	b.mu.Lock()
	if b.word.Load() != w {
		b.mu.Unlock()
		return
	}
	gen := w>>genShift + 1
	b.probes.Store(uint64(uint32(gen)))
	b.probesOK = 0
	b.halfOpenSince.Store(now)
	c := b.setLocked(StateHalfOpen)
	b.mu.Unlock()
	b.emit(c)
}

// probeSucceeded counts a successful probe and closes the breaker once
// HalfOpenProbes probes have succeeded.
func (b *Breaker) probeSucceeded(tok uint64) {
	b.mu.Lock()
	if b.word.Load() != tok {
		b.mu.Unlock()
		return
	}
	b.probesOK++
	if b.probesOK < b.cfg.HalfOpenProbes {
		b.mu.Unlock()
		return
	}
	b.retrips = 0
	c := b.enterClosedLocked(b.clk.Nanotime())
	b.mu.Unlock()
	b.emit(c)
}

// resetInterval clears a closed breaker's counts when ResetInterval has
// elapsed; calls admitted before are ignored.
func (b *Breaker) resetInterval(w uint64, now int64) {
	b.mu.Lock()
	if b.word.Load() == w && now >= b.resetAt.Load() {
		b.enterClosedLocked(now)
	}
	b.mu.Unlock()
}

// operate moves the breaker to s on the operator's request, clearing the
// counts, and reports the change.
func (b *Breaker) operate(s State) {
	b.mu.Lock()
	b.clearWindow()
	b.consec.Store(0)
	b.retrips = 0
	var c change
	if s == StateClosed {
		c = b.enterClosedLocked(b.clk.Nanotime())
	} else {
		c = b.setLocked(s)
	}
	b.mu.Unlock()
	b.emit(c)
}

// ForceOpen holds the breaker open: every call is rejected with ErrOpen
// until Reset (or another operator method) is called.
func (b *Breaker) ForceOpen() { b.operate(StateForcedOpen) }

// Disable turns the breaker off: every call is admitted and nothing is
// recorded, until Reset (or another operator method) is called.
func (b *Breaker) Disable() { b.operate(StateDisabled) }

// MetricsOnly makes the breaker record outcomes and report events and
// metrics but never trip or reject, until Reset (or another operator
// method) is called. Use it to roll out a new configuration safely.
func (b *Breaker) MetricsOnly() { b.operate(StateMetricsOnly) }

// Reset returns the breaker to the closed state with its window and
// consecutive counts cleared and its open-wait backoff reset. Lifetime
// totals (Trips, Rejected, SuccessesTotal, FailuresTotal) keep counting.
func (b *Breaker) Reset() { b.operate(StateClosed) }

// State returns the breaker's current state, first applying the
// transitions that are due: open to half-open once the open wait has
// elapsed, half-open back to open once HalfOpenMaxWait has.
func (b *Breaker) State() State {
	w := b.word.Load()
	switch stateOf(w) {
	case StateOpen:
		if now := b.clk.Nanotime(); now >= b.openUntil.Load() {
			b.toHalfOpen(w, now)
			w = b.word.Load()
		}
	case StateHalfOpen:
		if b.halfOpenExpired(b.clk.Nanotime()) {
			b.trip(w)
			w = b.word.Load()
		}
	}
	return stateOf(w)
}

// RemainingOpen returns how long an open breaker will keep rejecting calls
// before it lets probes through: the value for a Retry-After header. It is
// 0 in every other state, forced-open included.
func (b *Breaker) RemainingOpen() time.Duration {
	if stateOf(b.word.Load()) != StateOpen {
		return 0
	}
	return time.Duration(max(0, b.openUntil.Load()-b.clk.Nanotime()))
}
