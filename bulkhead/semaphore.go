package bulkhead

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/clock"
)

// policyName is Event.Policy for every event of this package.
const policyName = "bulkhead"

// The state word packs the in-flight count (low 32 bits) and the number of
// queued waiters (high 32 bits), so that admission and release each change
// the count and see the waiters with one atomic add. The waiter count
// changes only under Semaphore.mu.
const (
	inflightMask = 1<<32 - 1
	waiterOne    = 1 << 32
)

func inflightOf(st uint64) int64 { return int64(st & inflightMask) }
func waitersOf(st uint64) int64  { return int64(st >> 32) }

// Semaphore is a bulkhead: it lets at most MaxConcurrent calls run at once
// and refuses the rest with ErrFull, after waiting up to MaxWait for a slot
// in first-come, first-served order.
//
// Most callers want Acquire and Permit.Done (the resilience.Guard API), or
// Execute to wrap a function. Taking a free slot is one atomic add and
// allocates nothing; so is giving it back when nobody waits. Waiting takes
// a mutex and a timer.
//
// The zero Semaphore is not usable; create one with New. A Semaphore is safe
// for simultaneous use by multiple goroutines.
type Semaphore struct {
	state atomic.Uint64 // inflight | waiters<<32
	limit atomic.Int64  // MaxConcurrent, changed by SetMaxConcurrent

	name     string
	maxWait  time.Duration
	shadow   bool
	listener resilience.Listener
	clock    clock.Clock

	// retired is set by Keyed when it evicts this semaphore; see keyed.go.
	retired atomic.Bool

	rejected       atomic.Uint64
	shadowRejected atomic.Uint64
	waited         atomic.Uint64
	cancelled      atomic.Uint64

	mu         sync.Mutex // guards the waiter queue
	head, tail *waiter
}

var _ resilience.Guard = (*Semaphore)(nil)

// New returns a Semaphore, or the error of cfg.Validate.
func New(cfg Config) (*Semaphore, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return newSemaphore(cfg, cfg.Name), nil
}

func newSemaphore(cfg Config, name string) *Semaphore {
	s := &Semaphore{
		name:     name,
		maxWait:  cfg.MaxWait,
		shadow:   cfg.Shadow,
		listener: cfg.Listener,
		clock:    clock.Or(cfg.Clock),
	}
	s.limit.Store(int64(cfg.MaxConcurrent))
	return s
}

// Acquire takes a slot for one call. When all are taken it waits, up to
// MaxWait and while ctx is not done, for one to be released; it returns
// ErrFull when none came (at once when MaxWait is zero) or ctx's error when
// ctx ended the wait. A free slot is granted even if ctx is already done.
// Call Done on the returned Permit exactly once when the call has finished.
func (s *Semaphore) Acquire(ctx context.Context) (resilience.Permit, error) {
	if s.tryFast() {
		return s.permit(), nil
	}
	return s.acquireSlow(ctx, true)
}

// TryAcquire takes a free slot without waiting, whatever MaxWait says. It
// returns false when none is free or callers are already waiting for one.
// In shadow mode it always succeeds.
func (s *Semaphore) TryAcquire() (resilience.Permit, bool) {
	if s.tryFast() {
		return s.permit(), true
	}
	p, err := s.acquireSlow(context.Background(), false)
	return p, err == nil
}

// tryFast takes a slot with one atomic add when one is free and nobody
// waits. Otherwise it gives the speculative slot back and returns false.
// An add, unlike a compare-and-swap, never fails and retries under
// contention; the price is that a caller racing at the limit may briefly
// see a slot taken that is being given back, and go the slow way.
func (s *Semaphore) tryFast() bool {
	st := s.state.Add(1)
	if st>>32 == 0 && inflightOf(st) <= s.limit.Load() {
		return true
	}
	s.releaseSlot()
	return false
}

// permit makes the Permit of an admitted call; it reads the clock only when
// a Listener wants the latency.
func (s *Semaphore) permit() resilience.Permit {
	var start int64
	if s.listener != nil {
		start = s.clock.Nanotime()
	}
	return resilience.NewPermit(s, 0, start)
}

func (s *Semaphore) acquireSlow(ctx context.Context, mayWait bool) (resilience.Permit, error) {
	for {
		st := s.state.Load()
		if st>>32 == 0 && inflightOf(st) < s.limit.Load() {
			if s.state.CompareAndSwap(st, st+1) {
				return s.permit(), nil
			}
			continue
		}
		break
	}
	if s.shadow {
		s.state.Add(1)
		s.shadowRejected.Add(1)
		s.report(resilience.EventShadowRejected, 0, ErrFull)
		return s.permit(), nil
	}
	if !mayWait || s.maxWait <= 0 {
		return s.reject()
	}
	return s.wait(ctx)
}

func (s *Semaphore) reject() (resilience.Permit, error) {
	s.rejected.Add(1)
	s.report(resilience.EventRejected, 0, ErrFull)
	return resilience.Permit{}, ErrFull
}

// Release gives back the slot of p; callers use p.Done(err) instead. It
// hands the slot to the longest waiter, if any.
func (s *Semaphore) Release(p resilience.Permit, err error) {
	s.releaseSlot()
	if s.listener == nil {
		return
	}
	latency := time.Duration(s.clock.Nanotime() - p.Start())
	switch resilience.Classify(err) {
	case resilience.OutcomeSuccess:
		s.report(resilience.EventSuccess, latency, nil)
	case resilience.OutcomeFailure:
		s.report(resilience.EventFailure, latency, err)
	}
}

// releaseSlot frees one slot with one atomic add. If callers wait, it
// settles the queue under the mutex so that a free slot goes to the oldest
// waiter. A release with nothing in flight (a Permit done twice) is undone
// rather than corrupting the count.
func (s *Semaphore) releaseSlot() {
	st := s.state.Add(^uint64(0))
	if st&inflightMask == inflightMask {
		s.state.Add(1)
		return
	}
	if st>>32 != 0 {
		s.mu.Lock()
		s.settleLocked()
		s.mu.Unlock()
	}
}

// Execute runs fn in a slot: it acquires one, calls fn, and releases it
// with fn's error. It returns Acquire's error without calling fn when
// refused. If fn panics, the slot is released with resilience.ErrPanicked
// and the panic propagates.
func (s *Semaphore) Execute(ctx context.Context, fn func(context.Context) error) (err error) {
	p, err := s.Acquire(ctx)
	if err != nil {
		return err
	}
	finished := false
	defer func() {
		if !finished {
			p.Done(resilience.ErrPanicked)
		}
	}()
	err = fn(ctx)
	finished = true
	p.Done(err)
	return err
}

// InFlight returns how many permits are held.
func (s *Semaphore) InFlight() int { return int(inflightOf(s.state.Load())) }

// Waiting returns how many callers are waiting for a slot.
func (s *Semaphore) Waiting() int { return int(waitersOf(s.state.Load())) }

// MaxConcurrent returns the current limit.
func (s *Semaphore) MaxConcurrent() int { return int(s.limit.Load()) }

// Name returns the configured name.
func (s *Semaphore) Name() string { return s.name }

// Stats is a snapshot of a Semaphore, read by metrics adapters at scrape
// time. Counters are cumulative since New.
type Stats struct {
	// MaxConcurrent is the current limit.
	MaxConcurrent int
	// InFlight is how many permits are held.
	InFlight int
	// Waiting is how many callers wait for a slot.
	Waiting int
	// Rejected counts calls refused with ErrFull.
	Rejected uint64
	// ShadowRejected counts calls that shadow mode let through.
	ShadowRejected uint64
	// Waited counts calls admitted after waiting.
	Waited uint64
	// Cancelled counts waits ended by the caller's context.
	Cancelled uint64
}

// Stats returns a snapshot of the semaphore's state and counters.
func (s *Semaphore) Stats() Stats {
	st := s.state.Load()
	return Stats{
		MaxConcurrent:  s.MaxConcurrent(),
		InFlight:       int(inflightOf(st)),
		Waiting:        int(waitersOf(st)),
		Rejected:       s.rejected.Load(),
		ShadowRejected: s.shadowRejected.Load(),
		Waited:         s.waited.Load(),
		Cancelled:      s.cancelled.Load(),
	}
}

func (s *Semaphore) report(kind resilience.EventKind, latency time.Duration, err error) {
	if s.listener == nil {
		return
	}
	s.listener.OnEvent(resilience.Event{Kind: kind, Policy: policyName, Name: s.name, Latency: latency, Err: err})
}
