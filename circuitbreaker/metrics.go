package circuitbreaker

import (
	"time"

	"github.com/resilience-go/resilience/internal/window"
)

// Metrics is a snapshot of a breaker's state and counts, for dashboards,
// metric exporters and ReadyToTrip. Window figures cover the sliding window
// since the breaker last changed state; totals cover its whole life.
type Metrics struct {
	// Name is the breaker's configured name.
	Name string `json:"name"`
	// State is the state at the time of the snapshot.
	State State `json:"state"`
	// Mode is the configured algorithm.
	Mode Mode `json:"mode"`
	// Calls is the number of calls in the window whose outcome counted. In
	// adaptive mode it is the requests, throttled ones included.
	Calls uint64 `json:"calls"`
	// Failures is the number of failed calls in the window. In adaptive
	// mode it is the requests not accepted, throttled ones included.
	Failures uint64 `json:"failures"`
	// SlowCalls is the number of calls in the window slower than
	// SlowCallDuration.
	SlowCalls uint64 `json:"slow_calls"`
	// FailureRate is Failures as a percentage of Calls; 0 without calls.
	FailureRate float64 `json:"failure_rate"`
	// SlowCallRate is SlowCalls as a percentage of Calls; 0 without calls.
	SlowCallRate float64 `json:"slow_call_rate"`
	// ConsecutiveFailures is the number of failures since the last success.
	ConsecutiveFailures uint64 `json:"consecutive_failures"`
	// ConsecutiveSuccesses is the number of successes since the last
	// failure; in half-open, the successful probes.
	ConsecutiveSuccesses uint64 `json:"consecutive_successes"`
	// Trips is how many times the breaker opened by itself.
	Trips uint64 `json:"trips"`
	// Rejected is how many calls the breaker refused.
	Rejected uint64 `json:"rejected"`
	// SuccessesTotal is how many recorded calls succeeded, ever.
	SuccessesTotal uint64 `json:"successes_total"`
	// FailuresTotal is how many recorded calls failed, ever.
	FailuresTotal uint64 `json:"failures_total"`
	// RemainingOpen is the wait until an open breaker lets probes through.
	RemainingOpen time.Duration `json:"remaining_open"`
	// RejectProbability is, in adaptive mode, the probability that the
	// next call is throttled.
	RejectProbability float64 `json:"reject_probability"`
}

// Metrics returns a snapshot of the breaker's state and counts. It applies
// due transitions as State does.
func (b *Breaker) Metrics() Metrics {
	b.State()
	now := b.clk.Nanotime()
	b.advance(now)
	win, life := b.counts()
	w := b.word.Load()
	m := b.snapshot(w, win, life, now)
	if stateOf(w) == StateHalfOpen {
		b.mu.Lock()
		m.ConsecutiveSuccesses = uint64(b.probesOK)
		b.mu.Unlock()
	}
	return m
}

// snapshot assembles Metrics from the window's counts; it takes no lock.
func (b *Breaker) snapshot(w uint64, win, life window.Counts, now int64) Metrics {
	m := Metrics{
		Name:                b.cfg.Name,
		State:               stateOf(w),
		Mode:                b.cfg.Mode,
		Calls:               win.Calls,
		Failures:            win.Failures,
		SlowCalls:           win.Slow,
		ConsecutiveFailures: b.consec.Load(),
		Trips:               b.trips.Load(),
		Rejected:            b.rejected.Load(),
		SuccessesTotal:      life.Calls - life.Failures,
		FailuresTotal:       life.Failures,
	}
	if win.Calls > 0 {
		m.FailureRate = float64(win.Failures) * 100 / float64(win.Calls)
		m.SlowCallRate = float64(win.Slow) * 100 / float64(win.Calls)
	}
	if mark := b.succMark.Load(); m.SuccessesTotal > mark {
		m.ConsecutiveSuccesses = m.SuccessesTotal - mark
	}
	if b.adaptive {
		m.FailuresTotal -= min(m.FailuresTotal, b.throttled.Load())
		if m.State == StateClosed {
			m.RejectProbability = b.rejectProbability(win)
		}
	}
	if m.State == StateOpen && now != 0 {
		m.RemainingOpen = time.Duration(max(0, b.openUntil.Load()-now))
	}
	return m
}
