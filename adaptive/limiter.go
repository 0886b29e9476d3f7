package adaptive

import (
	"context"
	"errors"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/clock"
)

// Limiter is an adaptive concurrency limit: it admits a call while fewer
// calls are in flight than the limit (scaled by the call's priority share)
// and refuses the rest with ErrLimitExceeded, and it moves the limit to
// where the dependency serves the most calls without queueing them, judged
// from the round-trip times and drops it observes. See Algorithm for the
// ways it can judge.
//
// Most callers want Acquire and Permit.Done (the resilience.Guard API):
// Done must receive the call's error, which tells successes from timeouts.
// Admission is one atomic add, and so is most of Done; once per sample
// window, one Done takes a mutex to update the limit.
//
// The zero Limiter is not usable; create one with New. A Limiter is safe for
// simultaneous use by multiple goroutines.
type Limiter struct {
	gate       gate
	win        window
	sampleFrom atomic.Int64 // calls started before this give no sample (probe)

	clock       clock.Clock
	classify    resilience.Classifier
	windowLen   time.Duration
	minSamples  int64
	dropLatency int64 // AIMD.Timeout in ns; 0 = off

	mu        sync.Mutex // guards the rest; held once per window
	algorithm Algorithm
	algo      interface {
		next(float64, sample, float64) float64
	}
	limit        float64
	minLimit     float64
	maxLimit     float64
	usesBaseline bool
	baseline     float64 // no-load round-trip time, ns; 0 = unknown
	lastRTT      float64
	probeEvery   int64
	nextProbe    int64
	phase        probePhase
	savedLimit   float64
	windows      uint64
}

// probePhase is where a Limiter is in re-measuring its baseline.
type probePhase uint8

const (
	phaseNormal  probePhase = iota
	phaseDrain              // limit halved; queues drain
	phaseMeasure            // calls started now measure the no-load RTT
)

var _ resilience.Guard = (*Limiter)(nil)

// New returns a Limiter, or the error of cfg.Validate.
func New(cfg Config) (*Limiter, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	c := cfg.withDefaults()
	l := &Limiter{
		clock:        clock.Or(c.Clock),
		classify:     c.Classifier,
		windowLen:    c.Window,
		minSamples:   int64(c.MinSamples),
		algorithm:    c.Algorithm,
		limit:        float64(c.InitialLimit),
		minLimit:     float64(c.MinLimit),
		maxLimit:     float64(c.MaxLimit),
		usesBaseline: c.Algorithm.usesBaseline(),
		probeEvery:   int64(c.ProbeInterval),
	}
	if l.classify == nil {
		l.classify = resilience.Classify
	}
	switch c.Algorithm {
	case AlgorithmVegas:
		l.algo = vegas{alpha: c.Vegas.Alpha, beta: c.Vegas.Beta, smoothing: c.Vegas.Smoothing}
	case AlgorithmAIMD:
		l.algo = aimd{increase: c.AIMD.Increase, backoff: c.AIMD.Backoff}
		l.dropLatency = int64(c.AIMD.Timeout)
	default:
		l.algo = gradient{tolerance: c.Gradient.Tolerance, queueSize: c.Gradient.QueueSize, smoothing: c.Gradient.Smoothing}
	}
	now := l.clock.Nanotime()
	l.win.start.Store(now)
	l.nextProbe = now + l.probeEvery
	l.gate.init("adaptive", c.Name, c.Priorities, c.Shadow, c.Listener, ErrLimitExceeded, int64(c.InitialLimit))
	return l, nil
}

// Acquire admits one call of the priority ctx carries (PriorityNormal by
// default) while the calls in flight are below its share of the limit, or
// returns ErrLimitExceeded. Call Done on the Permit exactly once, with the
// call's error.
func (l *Limiter) Acquire(ctx context.Context) (resilience.Permit, error) {
	return l.AcquirePriority(PriorityFromContext(ctx))
}

// AcquirePriority is Acquire for a call of priority p.
func (l *Limiter) AcquirePriority(p Priority) (resilience.Permit, error) {
	if err := l.gate.admit(p); err != nil {
		return resilience.Permit{}, err
	}
	return resilience.NewPermit(l, 0, l.clock.Nanotime()), nil
}

// Release records the call's round-trip time and outcome and frees its
// slot; callers use p.Done(err) instead.
func (l *Limiter) Release(p resilience.Permit, err error) {
	inflight := l.gate.done()
	now := l.clock.Nanotime()
	rtt := now - p.Start()
	o := l.classify(err)
	sampleRTT, drop := rtt, false
	switch o {
	case resilience.OutcomeSuccess:
		drop = l.dropLatency > 0 && rtt > l.dropLatency
	case resilience.OutcomeFailure:
		drop = isDrop(err)
		if !drop {
			sampleRTT = -1
		}
	default:
		sampleRTT = -1
	}
	if p.Start() < l.sampleFrom.Load() {
		sampleRTT, drop = -1, false
	}
	l.win.add(sampleRTT, drop, inflight)
	l.gate.reportOutcome(o, err, time.Duration(rtt))
	if now-l.win.start.Load() >= int64(l.windowLen) && l.win.samples.Load() >= l.minSamples && l.mu.TryLock() {
		from, to, detail := l.closeWindowLocked(now)
		l.mu.Unlock()
		l.gate.reportLimit(from, to, detail)
	}
}

// isDrop reports whether a failure is a sign of overload: a timeout or a
// refusal by a policy downstream.
func isDrop(err error) bool {
	return errors.Is(err, context.DeadlineExceeded) || errors.Is(err, resilience.ErrRejected)
}

// closeWindowLocked ends the current sample window at now, updates the
// limit and the probe state, and returns the published limits before and
// after.
func (l *Limiter) closeWindowLocked(now int64) (from, to int64, detail string) {
	if now-l.win.start.Load() < int64(l.windowLen) {
		return 0, 0, "" // another Done closed it first
	}
	s := l.win.take(now)
	s.rejected = l.gate.windowRejected.Swap(0)
	l.windows++
	if s.samples > 0 && s.rtt > 0 {
		l.lastRTT = s.rtt
	}
	publish := l.limit
	switch l.phase {
	case phaseNormal:
		if l.usesBaseline && s.drops == 0 && s.rtt > 0 && (l.baseline == 0 || s.rtt < l.baseline) {
			l.baseline = s.rtt
		}
		l.limit = l.clamp(l.algo.next(l.limit, s, l.baseline))
		publish = l.limit
		if l.usesBaseline && now >= l.nextProbe {
			l.phase, l.savedLimit = phaseDrain, l.limit
			publish, detail = l.clamp(l.limit/2), "probe"
		}
	case phaseDrain:
		l.phase = phaseMeasure
		l.sampleFrom.Store(now)
		publish = l.clamp(l.savedLimit / 2)
	case phaseMeasure:
		if s.drops == 0 && s.rtt > 0 {
			l.baseline = s.rtt
		}
		l.phase = phaseNormal
		l.sampleFrom.Store(0)
		l.nextProbe = now + l.probeEvery
		l.limit = l.savedLimit
		publish, detail = l.limit, "probe done"
	}
	from = l.gate.limit.Load()
	to = int64(math.Floor(publish))
	if to != from {
		l.gate.setLimit(to)
	}
	return from, to, detail
}

func (l *Limiter) clamp(v float64) float64 {
	if math.IsNaN(v) {
		return l.minLimit
	}
	return min(l.maxLimit, max(l.minLimit, v))
}

// Limit returns the current limit: the most calls of the highest priority
// share that may be in flight.
func (l *Limiter) Limit() int { return int(l.gate.limit.Load()) }

// Allowance returns how many calls of priority p may be in flight: the
// limit times p's share, at least 1. With the default shares, calls of
// PriorityNormal get 90% of Limit.
func (l *Limiter) Allowance(p Priority) int { return int(l.gate.allowed[p.Index()].Load()) }

// InFlight returns how many admitted calls have not called Done.
func (l *Limiter) InFlight() int { return int(l.gate.inflight.Load()) }

// Stats is a snapshot of a Limiter, read by metrics adapters at scrape
// time. Counters are cumulative since New.
type Stats struct {
	// Algorithm is the configured algorithm.
	Algorithm Algorithm
	// Limit is the current limit.
	Limit int
	// InFlight is how many admitted calls have not called Done.
	InFlight int
	// Baseline is the estimated no-load round-trip time (gradient, vegas);
	// zero until measured.
	Baseline time.Duration
	// LastRTT is the mean round-trip time of the last closed window.
	LastRTT time.Duration
	// Windows counts closed sample windows.
	Windows uint64
	// Probing is true while the limit is lowered to re-measure Baseline.
	Probing bool
	// Rejected counts refused calls, per priority.
	Rejected PriorityCounts
	// ShadowRejected counts calls that shadow mode let through.
	ShadowRejected uint64
}

// Stats returns a snapshot of the limiter's state and counters.
func (l *Limiter) Stats() Stats {
	l.mu.Lock()
	defer l.mu.Unlock()
	return Stats{
		Algorithm:      l.algorithm,
		Limit:          l.Limit(),
		InFlight:       l.InFlight(),
		Baseline:       time.Duration(l.baseline),
		LastRTT:        time.Duration(l.lastRTT),
		Windows:        l.windows,
		Probing:        l.phase != phaseNormal,
		Rejected:       l.gate.rejectedCounts(),
		ShadowRejected: l.gate.shadowRejected.Load(),
	}
}
