package adaptive

import (
	"context"
	"math"
	"sync"
	"time"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/clock"
)

// Shedder is a load shedder built on Little's law: it measures the
// throughput X of the dependency (completions per second) and admits a call
// only while the calls already in flight could be finished within
// TargetLatency at that rate, InFlight < X × TargetLatency; the rest are
// refused with ErrShed at once, before they queue. Under overload, latency
// stays near TargetLatency instead of growing with the backlog.
//
// The throughput estimate only falls in windows where calls were shed,
// that is when the limit, not the demand, held the throughput down; in
// quiet windows it can only rise. So a lull does not lower the limit, and
// a dependency that slows down is noticed as soon as calls back up.
//
// Most callers want Acquire and Permit.Done. Admission is one atomic add;
// once per window, one Done takes a mutex to re-estimate the throughput.
//
// The zero Shedder is not usable; create one with NewShedder. A Shedder is
// safe for simultaneous use by multiple goroutines.
type Shedder struct {
	gate       gate
	win        window
	clock      clock.Clock
	windowLen  time.Duration
	minSamples int64
	target     float64 // TargetLatency, ns

	mu         sync.Mutex // guards the rest; held once per window
	smoothing  float64
	throughput float64 // completions per ns; 0 = not measured yet
	minLimit   float64
	maxLimit   float64
	windows    uint64
}

var _ resilience.Guard = (*Shedder)(nil)

// NewShedder returns a Shedder, or the error of cfg.Validate.
func NewShedder(cfg ShedderConfig) (*Shedder, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	c := cfg.withDefaults()
	s := &Shedder{
		clock:      clock.Or(c.Clock),
		windowLen:  c.Window,
		minSamples: int64(c.MinSamples),
		target:     float64(c.TargetLatency),
		smoothing:  c.Smoothing,
		minLimit:   float64(c.MinLimit),
		maxLimit:   float64(c.MaxLimit),
	}
	s.win.start.Store(s.clock.Nanotime())
	s.gate.init("shedder", c.Name, c.Priorities, c.Shadow, c.Listener, ErrShed, int64(c.InitialLimit))
	return s, nil
}

// Acquire admits one call of the priority ctx carries (PriorityNormal by
// default), or returns ErrShed. Call Done on the Permit exactly once.
func (s *Shedder) Acquire(ctx context.Context) (resilience.Permit, error) {
	return s.AcquirePriority(PriorityFromContext(ctx))
}

// AcquirePriority is Acquire for a call of priority p.
func (s *Shedder) AcquirePriority(p Priority) (resilience.Permit, error) {
	if err := s.gate.admit(p); err != nil {
		return resilience.Permit{}, err
	}
	return resilience.NewPermit(s, 0, s.clock.Nanotime()), nil
}

// Release counts the completion and frees the call's slot; callers use
// p.Done(err) instead. Every completion counts towards the throughput,
// whatever its outcome.
func (s *Shedder) Release(p resilience.Permit, err error) {
	inflight := s.gate.done()
	now := s.clock.Nanotime()
	s.win.add(-1, false, inflight)
	if s.gate.listener != nil {
		s.gate.reportOutcome(resilience.Classify(err), err, time.Duration(now-p.Start()))
	}
	if now-s.win.start.Load() >= int64(s.windowLen) && s.win.completions.Load() >= s.minSamples && s.mu.TryLock() {
		from, to := s.closeWindowLocked(now)
		s.mu.Unlock()
		s.gate.reportLimit(from, to, "")
	}
}

func (s *Shedder) closeWindowLocked(now int64) (from, to int64) {
	if now-s.win.start.Load() < int64(s.windowLen) {
		return 0, 0
	}
	w := s.win.take(now)
	shed := s.gate.windowRejected.Swap(0) > 0
	s.windows++
	if w.elapsed <= 0 {
		return 0, 0
	}
	x := float64(w.completions) / float64(w.elapsed)
	switch {
	case s.throughput == 0:
		s.throughput = x
	case shed || x > s.throughput:
		s.throughput += s.smoothing * (x - s.throughput)
	}
	limit := min(s.maxLimit, max(s.minLimit, s.throughput*s.target))
	from = s.gate.limit.Load()
	to = int64(math.Floor(limit))
	if to != from {
		s.gate.setLimit(to)
	}
	return from, to
}

// Limit returns the current limit: the most calls of the highest priority
// share that may be in flight.
func (s *Shedder) Limit() int { return int(s.gate.limit.Load()) }

// Allowance returns how many calls of priority p may be in flight: the
// limit times p's share, at least 1.
func (s *Shedder) Allowance(p Priority) int { return int(s.gate.allowed[p.Index()].Load()) }

// InFlight returns how many admitted calls have not called Done.
func (s *Shedder) InFlight() int { return int(s.gate.inflight.Load()) }

// ShedderStats is a snapshot of a Shedder, read by metrics adapters at
// scrape time. Counters are cumulative since NewShedder.
type ShedderStats struct {
	// Limit is the current limit.
	Limit int
	// InFlight is how many admitted calls have not called Done.
	InFlight int
	// Throughput is the estimated completions per second; zero until the
	// first window closes.
	Throughput float64
	// Windows counts closed windows.
	Windows uint64
	// Rejected counts shed calls, per priority.
	Rejected PriorityCounts
	// ShadowRejected counts calls that shadow mode let through.
	ShadowRejected uint64
}

// Stats returns a snapshot of the shedder's state and counters.
func (s *Shedder) Stats() ShedderStats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return ShedderStats{
		Limit:          s.Limit(),
		InFlight:       s.InFlight(),
		Throughput:     s.throughput * float64(time.Second),
		Windows:        s.windows,
		Rejected:       s.gate.rejectedCounts(),
		ShadowRejected: s.gate.shadowRejected.Load(),
	}
}
