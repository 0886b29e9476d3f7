package hedge

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/clock"
)

// A Hedger decides when a call gets extra, hedged attempts: after Delay
// (fixed, or learnt as a percentile of recent latencies), as long as
// MaxHedges, the Budget and the caller's deadline allow. It holds no
// per-call state: build one per dependency with New and share it. It is
// safe for concurrent use. Use it through Wrap or Do.
type Hedger struct {
	name         string
	fixed        time.Duration
	minDelay     time.Duration
	initialDelay time.Duration
	maxHedges    int
	budget       Budget
	clk          clock.Clock
	listener     resilience.Listener
	lat          *reservoir

	calls, hedges, wins, skippedBudget, skippedDeadline atomic.Uint64
}

// New returns a Hedger, or cfg.Validate's error.
func New(cfg Config) (*Hedger, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	window := cfg.window()
	minSamples := cfg.MinSamples
	if minSamples == 0 {
		minSamples = min(DefaultMinSamples, window)
	}
	pct := cfg.Percentile
	if pct == 0 {
		pct = DefaultPercentile
	}
	h := &Hedger{
		name:         cfg.Name,
		fixed:        cfg.Delay,
		minDelay:     cfg.MinDelay,
		initialDelay: cfg.InitialDelay,
		maxHedges:    cfg.MaxHedges,
		budget:       cfg.Budget,
		clk:          clock.Or(cfg.Clock),
		listener:     cfg.Listener,
		lat:          newReservoir(window, minSamples, pct),
	}
	if h.minDelay == 0 {
		h.minDelay = DefaultMinDelay
	}
	if h.maxHedges == 0 {
		h.maxHedges = DefaultMaxHedges
	}
	return h, nil
}

// Delay returns the wait before a hedge, and false when calls made now
// would not be hedged (a learnt delay with too few samples and no
// InitialDelay).
func (h *Hedger) Delay() (time.Duration, bool) {
	if h.fixed > 0 {
		return h.fixed, true
	}
	d := time.Duration(h.lat.quantile.Load())
	if h.lat.samples() < h.lat.minSamples {
		return h.initialDelay, h.initialDelay > 0
	}
	return max(d, h.minDelay), true
}

// ExpectedLatency returns the median of recent successful call latencies,
// or 0 while fewer than MinSamples are known. A hedge is not started when
// the caller's remaining time is shorter.
func (h *Hedger) ExpectedLatency() time.Duration {
	if h.lat.samples() < h.lat.minSamples {
		return 0
	}
	return time.Duration(h.lat.median.Load())
}

// skipReason says why a hedge should not start now, or "" when it may.
// It spends budget only when everything else allows the hedge.
func (h *Hedger) skipReason(ctx context.Context) string {
	if ctx.Err() != nil {
		h.skippedDeadline.Add(1)
		return "deadline"
	}
	if dl, ok := ctx.Deadline(); ok {
		remaining := dl.Sub(h.clk.Now())
		if remaining <= 0 || remaining < h.ExpectedLatency() {
			h.skippedDeadline.Add(1)
			return "deadline"
		}
	}
	if h.budget != nil && !h.budget.TryRetry() {
		h.skippedBudget.Add(1)
		return "budget"
	}
	return ""
}

func (h *Hedger) emit(e resilience.Event) {
	e.Policy, e.Name = "hedge", h.name
	h.listener.OnEvent(e)
}

// Stats counts what a Hedger has done since it was built.
type Stats struct {
	// Calls counts calls made through the Hedger.
	Calls uint64
	// Hedges counts extra attempts started.
	Hedges uint64
	// HedgeWins counts calls whose result came from a hedge.
	HedgeWins uint64
	// SkippedBudget counts hedges the Budget refused.
	SkippedBudget uint64
	// SkippedDeadline counts hedges skipped because the caller's context was
	// done or had less time left than ExpectedLatency.
	SkippedDeadline uint64
	// Samples counts the latencies recorded.
	Samples uint64
	// Delay is the current hedge delay; zero when calls are not hedged.
	Delay time.Duration
	// ExpectedLatency is the learnt median latency; zero until known.
	ExpectedLatency time.Duration
}

// Stats returns the counters and the current delay.
func (h *Hedger) Stats() Stats {
	d, ok := h.Delay()
	if !ok {
		d = 0
	}
	return Stats{
		Calls: h.calls.Load(), Hedges: h.hedges.Load(), HedgeWins: h.wins.Load(),
		SkippedBudget: h.skippedBudget.Load(), SkippedDeadline: h.skippedDeadline.Load(),
		Samples: h.lat.samples(), Delay: d, ExpectedLatency: h.ExpectedLatency(),
	}
}
