package circuitbreaker

import (
	"context"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/clock"
	"github.com/resilience-go/resilience/internal/window"
)

// Breaker is a circuit breaker: it stops calls to a dependency that keeps
// failing, so the dependency can recover and callers fail fast. See the
// package documentation for the algorithm.
//
// Most callers want Execute or Do; Acquire and Permit.Done serve streaming
// calls and proxies, and let a Pipeline compose the breaker with other
// policies. Create one with New; the zero value is not usable. A Breaker is
// safe for simultaneous use by multiple goroutines, and is meant to be
// shared by every caller of one dependency.
type Breaker struct {
	// Read on every call; written only on state changes.
	word      atomic.Uint64 // generation<<genShift | slow-path flags | State
	openUntil atomic.Int64  // nanotime at which an open breaker half-opens
	// evalOnRotate: a bucket rotation may trip the breaker (a rate
	// condition or ReadyToTrip is set).
	evalOnRotate bool
	readStart    bool // Acquire reads the clock (latency, ResetInterval)
	readEnd      bool // Release reads the clock (latency, time window)
	adaptive     bool
	cfg          Config // with defaults applied
	slowNanos    int64  // SlowCallDuration; 0: calls are never slow
	minCalls     uint64
	clk          clock.Clock
	cw           *window.Count         // count window, or nil
	tw           *window.Time          // time window (time or adaptive mode), or nil
	classify     resilience.Classifier // nil: resilience.Classify
	listener     resilience.Listener
	random       func() float64

	_ [64]byte

	// Written on failures.
	consec   atomic.Uint64 // consecutive failures in closed state
	succMark atomic.Uint64 // lifetime successes at the last failure

	_ [64]byte

	// Written on rejections.
	rejected window.Striped

	// Half-open and housekeeping; rarely written.
	probes        atomic.Uint64 // issued<<32 | uint32(generation)
	halfOpenSince atomic.Int64
	resetAt       atomic.Int64 // nanotime of the next ResetInterval clear
	trips         atomic.Uint64
	throttled     atomic.Uint64 // adaptive-mode rejections, recorded as failures

	mu       sync.Mutex
	retrips  int // consecutive trips from half-open
	probesOK int // successful probes in this half-open generation
}

var _ resilience.Guard = (*Breaker)(nil)

const (
	stateMask = 0xff
	// slowAcquire and slowRelease are constant per breaker; kept in the
	// state word so that the closed-state fast paths test one word.
	slowAcquire = 1 << 8 // closed-state Acquire reads the clock or is adaptive
	slowRelease = 1 << 9 // closed-state success needs more than a count-window add
	flagsMask   = slowAcquire | slowRelease
	genShift    = 10
)

func stateOf(w uint64) State { return State(w & stateMask) }

// New returns a Breaker configured by cfg, or cfg.Validate's error. The
// breaker starts closed.
func New(cfg Config) (*Breaker, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	c := cfg.withDefaults()
	b := &Breaker{
		cfg:       c,
		slowNanos: int64(c.SlowCallDuration),
		minCalls:  uint64(c.MinimumCalls),
		clk:       clock.Or(c.Clock),
		classify:  c.Classify,
		listener:  c.Listener,
		random:    c.Random,
		adaptive:  c.Mode == ModeAdaptive,
	}
	if b.random == nil {
		b.random = rand.Float64
	}
	switch {
	case b.adaptive:
		b.tw = window.NewTime(int64(c.AdaptiveWindow), c.WindowBuckets)
	case c.WindowType == WindowTime:
		b.tw = window.NewTime(int64(c.WindowDuration), c.WindowBuckets)
	default:
		b.cw = window.NewCount(c.WindowSize, c.WindowBuckets)
	}
	b.readStart = b.slowNanos > 0 || b.listener != nil || c.ResetInterval > 0
	b.readEnd = b.slowNanos > 0 || b.listener != nil || b.adaptive || c.WindowType == WindowTime
	b.evalOnRotate = c.FailureRateThreshold > 0 || c.SlowCallRateThreshold > 0 || c.ReadyToTrip != nil
	if c.ResetInterval > 0 {
		b.resetAt.Store(b.clk.Nanotime() + int64(c.ResetInterval))
	}
	w := 1<<genShift | uint64(StateClosed)
	if b.readStart || b.adaptive {
		w |= slowAcquire
	}
	if b.classify != nil || b.readEnd || b.listener != nil || b.cw == nil || b.adaptive {
		w |= slowRelease
	}
	b.word.Store(w)
	return b, nil
}

// Name returns the configured name.
func (b *Breaker) Name() string { return b.cfg.Name }

// Acquire asks to run one call. It returns a Permit whose Done must be
// called with the call's error, or ErrOpen (open, forced open, or throttled
// in adaptive mode) or ErrHalfOpenFull (half-open and every probe slot
// taken), both matching resilience.ErrRejected. It never blocks; ctx is not
// consulted.
func (b *Breaker) Acquire(ctx context.Context) (resilience.Permit, error) {
	// The closed state's fast path: one load, no clock.
	if w := b.word.Load(); w&(stateMask|slowAcquire) == uint64(StateClosed) {
		return resilience.NewPermit(b, w, 0), nil
	}
	return b.acquireSlow()
}

func (b *Breaker) acquireSlow() (resilience.Permit, error) {
	w := b.word.Load()
	for {
		switch stateOf(w) {
		case StateClosed:
			if b.adaptive {
				return b.acquireAdaptive(w)
			}
			now := b.clk.Nanotime()
			if b.cfg.ResetInterval > 0 && now >= b.resetAt.Load() {
				b.resetInterval(w, now)
				w = b.word.Load()
				continue
			}
			return resilience.NewPermit(b, w, now), nil
		case StateOpen:
			now := b.clk.Nanotime()
			until := b.openUntil.Load()
			if now < until {
				return b.reject(ErrOpen, time.Duration(until-now))
			}
			b.toHalfOpen(w, now)
		case StateHalfOpen:
			now := b.clk.Nanotime()
			if b.halfOpenExpired(now) {
				b.trip(w)
				break
			}
			p := b.probes.Load()
			if uint32(p) != uint32(w>>genShift) {
				break // the state moved on: reload
			}
			if p>>32 >= uint64(b.cfg.HalfOpenProbes) {
				return b.reject(ErrHalfOpenFull, 0)
			}
			if b.probes.CompareAndSwap(p, p+1<<32) {
				return resilience.NewPermit(b, w, now), nil
			}
		case StateForcedOpen:
			return b.reject(ErrOpen, 0)
		case StateDisabled:
			return resilience.Permit{}, nil
		default: // StateMetricsOnly
			var now int64
			if b.readStart {
				now = b.clk.Nanotime()
			}
			return resilience.NewPermit(b, w, now), nil
		}
		w = b.word.Load()
	}
}

// reject counts and reports a refused call.
func (b *Breaker) reject(err error, wait time.Duration) (resilience.Permit, error) {
	b.rejected.Inc()
	if b.listener != nil {
		b.listener.OnEvent(resilience.Event{
			Kind: resilience.EventRejected, Policy: policyName, Name: b.cfg.Name, Delay: wait, Err: err,
		})
	}
	return resilience.Permit{}, err
}

// add records an outcome in the window.
func (b *Breaker) add(d uint64, now int64) bool {
	if b.cw != nil {
		return b.cw.Add(d)
	}
	return b.tw.Add(d, now)
}

// counts returns the window's counts and the lifetime totals.
func (b *Breaker) counts() (win, life window.Counts) {
	if b.cw != nil {
		return b.cw.Counts()
	}
	return b.tw.Counts()
}

// clearWindow empties the window.
func (b *Breaker) clearWindow() {
	if b.cw != nil {
		b.cw.Clear()
	} else {
		b.tw.Clear()
	}
}

// advance moves a time window to now.
func (b *Breaker) advance(now int64) {
	if b.tw != nil {
		b.tw.Advance(now)
	}
}
