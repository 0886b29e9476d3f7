package ratelimit

import (
	"sync"

	"github.com/resilience-go/resilience/ratelimit/internal/gcra"
)

// warmState is the cold-start variant of a Limiter's state (Sentinel's
// warm-up, with a ramp that is linear in time). Besides the GCRA state it
// keeps a warmth w in [0, period]: the limiter admits Rate·r(w) with
//
//	r(w) = 1/cold + (1 - 1/cold)·w/period,
//
// so Rate/cold when cold (w = 0) and Rate when warm (w = period). Time
// during which the bucket was not full (TAT ahead of the clock: traffic
// used what the limit gave) adds to w; time during which it sat full for
// longer than one event's interval (a slot went unused) takes from w at
// the same pace. Saturated traffic therefore ramps the rate linearly from
// Rate/cold to Rate over period, idleness cools the limiter down over the
// same period, and steady traffic below the current rate settles about
// where the rate is twice that traffic.
// Every operation holds mu.
type warmState struct {
	mu     sync.Mutex
	tat    int64
	last   int64 // clock reading of the last update
	w      int64 // warmth, nanoseconds of saturated traffic, in [0, period]
	period int64
	cold   float64
}

// advance moves the warmth forward to now, the bucket having run at
// parameters g since the last update. Time before the TAT (the bucket not
// full) warms; time after TAT + g.Interval (a whole event slot unused)
// cools; the slot in between is neutral, so that a clock's coarse steps do
// not count as idleness. Caller holds mu.
func (s *warmState) advance(now int64, g gcra.Params) {
	if now <= s.last {
		return
	}
	busy := max(min(s.tat, now)-s.last, 0)
	idle := max(now-max(s.last, gcra.Add(s.tat, g.Interval)), 0)
	s.w = min(max(gcra.Add(s.w, busy-idle), 0), s.period)
	s.last = now
}

// current returns the GCRA parameters at the present warmth. Caller holds
// mu.
func (s *warmState) current(p *params, slack int64) gcra.Params {
	frac := float64(s.w) / float64(s.period)
	iv := float64(p.g.Interval) * s.cold / (1 + (s.cold-1)*frac)
	return gcra.NewParams(gcra.FromFloat(iv), p.g.Burst, slack)
}

func (s *warmState) reserve(p *params, slack, now, n, maxWait int64) (gcra.Decision, gcra.Params) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advance(now, s.current(p, slack))
	g := s.current(p, slack)
	d := gcra.Reserve(g, s.tat, now, n, maxWait)
	s.tat = d.TAT
	return d, g
}

func (s *warmState) peek(p *params, slack, now int64) (int64, gcra.Params) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advance(now, s.current(p, slack))
	return s.tat, s.current(p, slack)
}

func (s *warmState) refund(l *Limiter, p *params, now, act, reservedTAT, n int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if l.p.Load() != p {
		return
	}
	s.advance(now, s.current(p, l.slack))
	s.tat = gcra.Refund(s.current(p, l.slack), s.tat, now, act, reservedTAT, n)
}

// convert re-expresses the state under new parameters; the warmth stays.
func (s *warmState) convert(from, to *params, slack, now int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advance(now, s.current(from, slack))
	s.tat = gcra.Convert(s.current(from, slack), s.current(to, slack), s.tat, now)
}

// warmth returns the warmth as a fraction in [0, 1] at now.
func (s *warmState) warmth(p *params, slack, now int64) float64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advance(now, s.current(p, slack))
	return float64(s.w) / float64(s.period)
}
