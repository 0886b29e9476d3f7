package ratelimit

import (
	"context"
	"math/bits"
	"sync"
	"time"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/clock"
	"github.com/resilience-go/resilience/ratelimit/internal/gcra"
)

var _ resilience.Guard = (*SlidingWindow)(nil)

// A SlidingWindow admits at most Limit events in any window of length
// Window, estimated Cloudflare-style from two fixed windows: the count of
// the current window plus the count of the previous one weighted by the
// share of it that still overlaps the sliding window,
//
//	estimate = prev·(Window − elapsed)/Window + curr.
//
// It keeps two counters, whatever the traffic, and decides in O(1) under a
// mutex with exact integer arithmetic. The estimate assumes the previous
// window's events were spread evenly; it can let through up to Limit
// events in a sliding window when they were not. Use it for "N per window"
// quotas; use a Limiter (token bucket) for a smooth rate.
//
// Most callers want Allow, or Acquire through a pipeline. The zero
// SlidingWindow rejects every event; create one with NewSlidingWindow. A
// SlidingWindow is safe for simultaneous use by multiple goroutines.
type SlidingWindow struct {
	mu     sync.Mutex
	idx    int64 // index of the current window: now / window
	curr   int64
	prev   int64
	limit  int64
	window int64
	clk    clock.Clock
	reporter
}

// NewSlidingWindow returns a SlidingWindow for cfg, or cfg.Validate's
// error.
func NewSlidingWindow(cfg WindowConfig) (*SlidingWindow, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	w := cfg.Window
	if w == 0 {
		w = time.Second
	}
	return &SlidingWindow{
		limit:    int64(cfg.Limit),
		window:   int64(w),
		clk:      clock.Or(cfg.Clock),
		reporter: reporter{listener: cfg.Listener, name: cfg.Name, shadow: cfg.Shadow},
	}, nil
}

// Allow reports whether one event may happen now, and if so counts it.
func (s *SlidingWindow) Allow() bool { return s.AllowN(1) }

// AllowN reports whether n events may happen now, and if so counts them.
// n above Limit is never allowed, n == 0 always is, n < 0 never is.
func (s *SlidingWindow) AllowN(n int) bool {
	if n < 0 {
		return false
	}
	ok, wait := s.take(s.now(), int64(n), nil)
	return ok || s.refused(wait)
}

// AllowInfo is Allow returning the decision's Info.
func (s *SlidingWindow) AllowInfo() Info { return s.AllowInfoN(1) }

// AllowInfoN is AllowN returning the decision's Info.
func (s *SlidingWindow) AllowInfoN(n int) Info {
	if n < 0 {
		return Info{Limit: int(s.limit), RetryAfter: gcra.Never, Window: time.Duration(s.window)}
	}
	var info Info
	ok, wait := s.take(s.now(), int64(n), &info)
	if !ok {
		s.refused(wait)
	}
	info.Allowed = ok || s.shadow
	return info
}

// Info returns the state now without counting anything: Allowed and
// RetryAfter say whether one more event would be admitted.
func (s *SlidingWindow) Info() Info {
	if s.window <= 0 {
		return Info{RetryAfter: gcra.Never}
	}
	var info Info
	now := s.clk.Nanotime()
	s.mu.Lock()
	s.roll(now)
	wait := s.waitLocked(now, 1)
	s.infoLocked(now, &info)
	s.mu.Unlock()
	info.Allowed = wait == 0 || s.shadow
	info.RetryAfter = time.Duration(wait)
	return info
}

// Acquire admits one call if the window allows it now: it returns the
// zero Permit, or ErrLimited. In shadow mode it always admits. ctx is not
// used.
func (s *SlidingWindow) Acquire(ctx context.Context) (resilience.Permit, error) {
	if s.AllowN(1) {
		return resilience.Permit{}, nil
	}
	return resilience.Permit{}, ErrLimited
}

// Release does nothing: the window counts calls when they start.
func (s *SlidingWindow) Release(resilience.Permit, error) {}

// take admits n events at now if the estimate allows, filling info if it
// is not nil; otherwise it returns the wait until it would.
func (s *SlidingWindow) take(now, n int64, info *Info) (bool, int64) {
	if s.window <= 0 { // the zero SlidingWindow
		return false, gcra.Never
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.roll(now)
	wait := s.waitLocked(now, n)
	if wait == 0 {
		s.curr += n
	}
	if info != nil {
		s.infoLocked(now, info)
		info.RetryAfter = time.Duration(wait)
	}
	return wait == 0, wait
}

// now reads the clock; 0 for the zero SlidingWindow, which has none.
func (s *SlidingWindow) now() int64 {
	if s.clk == nil {
		return 0
	}
	return s.clk.Nanotime()
}

// roll moves the counters to the window holding now. Caller holds mu.
func (s *SlidingWindow) roll(now int64) {
	k := now / s.window
	switch {
	case k <= s.idx:
		return
	case k == s.idx+1:
		s.prev = s.curr
	default:
		s.prev = 0
	}
	s.curr = 0
	s.idx = k
}

// elapsed returns how far into the current window now is. Caller holds mu.
func (s *SlidingWindow) elapsed(now int64) int64 {
	return min(max(now-s.idx*s.window, 0), s.window)
}

// weighted returns ceil(count·(window−e)/window) exactly.
func (s *SlidingWindow) weighted(count, e int64) int64 {
	hi, lo := bits.Mul64(uint64(count), uint64(s.window-e))
	q, r := bits.Div64(hi, lo, uint64(s.window))
	if r != 0 {
		q++
	}
	return int64(q)
}

// shareOf returns floor(room·window/count), for room < count.
func (s *SlidingWindow) shareOf(room, count int64) int64 {
	hi, lo := bits.Mul64(uint64(room), uint64(s.window))
	q, _ := bits.Div64(hi, lo, uint64(count))
	return int64(q)
}

// waitLocked returns 0 if n events fit now, else how long until they
// would (gcra.Never for n above the limit). Caller holds mu.
func (s *SlidingWindow) waitLocked(now, n int64) int64 {
	if n == 0 {
		return 0
	}
	if n > s.limit {
		return gcra.Never
	}
	e := s.elapsed(now)
	if room := s.limit - s.curr - n; room >= 0 {
		if s.weighted(s.prev, e) <= room {
			return 0
		}
		// Wait in this window until the previous one has faded enough.
		return max(s.window-s.shareOf(room, s.prev)-e, 1)
	}
	// Wait for the next window, then for this one to fade enough.
	wait := s.window - e
	if room := s.limit - n; room < s.curr {
		wait = gcra.Add(wait, s.window-s.shareOf(room, s.curr))
	}
	return wait
}

// infoLocked fills Limit, Remaining, Reset and Window. Caller holds mu.
func (s *SlidingWindow) infoLocked(now int64, info *Info) {
	e := s.elapsed(now)
	info.Limit = int(s.limit)
	info.Remaining = int(max(s.limit-s.curr-s.weighted(s.prev, e), 0))
	info.Window = time.Duration(s.window)
	switch {
	case s.curr > 0:
		info.Reset = time.Duration(gcra.Add(s.window, s.window-e))
	case s.prev > 0:
		info.Reset = time.Duration(s.window - e)
	}
}
