package ratelimit

import (
	"context"
	"math"
	"time"

	"github.com/resilience-go/resilience/clock"
	"github.com/resilience-go/resilience/ratelimit/internal/gcra"
)

// InfDuration is the Delay of a Reservation that is not OK.
const InfDuration = time.Duration(math.MaxInt64)

// A Reservation holds events that a Limiter admitted to happen after a
// delay. It is a value, so reserving allocates nothing; the zero
// Reservation is not OK.
type Reservation struct {
	lim *Limiter
	p   *params
	n   int64
	act int64 // the clock reading at which the events may happen
	tat int64 // the limiter's state right after this reservation
	ok  bool
}

// OK reports whether the limiter can ever admit the events; a Reservation
// that is not OK holds nothing and need not be cancelled.
func (r Reservation) OK() bool { return r.ok }

// Delay returns how long to wait before the reserved events may happen;
// zero means now. It is InfDuration when the Reservation is not OK.
func (r Reservation) Delay() time.Duration {
	if !r.ok {
		return InfDuration
	}
	if r.lim == nil || r.p == nil {
		return 0
	}
	return time.Duration(max(r.act-r.lim.clk.Nanotime(), 0))
}

// Cancel gives the reserved events back to the limiter, as far as it
// still can: not once their time has passed, not the part that later
// reservations already rely on, and not across a reconfiguration
// (SetLimit). It is best effort. A Reservation is a value with no memory of
// having been cancelled: call Cancel at most once.
func (r Reservation) Cancel() {
	if !r.ok || r.lim == nil || r.p == nil {
		return
	}
	r.lim.refund(r.p, r.lim.clk.Nanotime(), r.act, r.tat, r.n)
}

func (l *Limiter) refund(p *params, now, act, reservedTAT, n int64) {
	if l.warm != nil {
		l.warm.refund(l, p, now, act, reservedTAT, n)
		return
	}
	for {
		if l.p.Load() != p {
			return
		}
		tat := l.tat.Load()
		nt := gcra.Refund(p.g, tat, now, act, reservedTAT, n)
		if nt == tat || l.tat.CompareAndSwap(tat, nt) {
			return
		}
	}
}

// Reserve is ReserveN(1).
func (l *Limiter) Reserve() Reservation { return l.ReserveN(1) }

// ReserveN reserves n events, however far in the future they have to
// happen, and returns a Reservation saying when. Callers wait Delay before
// acting, or Cancel if they will not act. The Reservation is not OK when n
// exceeds the burst or is negative. Reserve takes no notice of Shadow and
// reports nothing: it only tells the caller the true delay.
func (l *Limiter) ReserveN(n int) Reservation {
	p := l.p.Load()
	if p == nil || n < 0 {
		return Reservation{}
	}
	if p.unlimited || n == 0 {
		return Reservation{ok: true}
	}
	if int64(n) > p.g.Burst {
		return Reservation{}
	}
	now := l.clk.Nanotime()
	d, _ := l.reserve(p, now, int64(n), gcra.Never)
	return Reservation{lim: l, p: p, n: int64(n), act: gcra.Add(now, d.Wait), tat: d.TAT, ok: d.Allowed}
}

// Wait is WaitN(ctx, 1).
func (l *Limiter) Wait(ctx context.Context) error { return l.WaitN(ctx, 1) }

// WaitN blocks until n events may happen and counts them. It returns
// ctx's error (context.Cause) if ctx ends first, giving the events back; a
// *DelayError, at once and counting nothing, if the wait would outlast
// ctx's deadline; ErrBurstExceeded if n exceeds the burst. In shadow mode
// it never blocks or fails for the limit: it reports EventShadowRejected
// where it would have failed and returns nil, and where it would have
// waited it keeps the reservation, so later decisions match enforcement.
func (l *Limiter) WaitN(ctx context.Context, n int) error {
	if n < 0 {
		return ErrNegativeN
	}
	if ctx.Err() != nil {
		return context.Cause(ctx)
	}
	p := l.p.Load()
	switch {
	case p == nil:
		return ErrLimited
	case p.unlimited || n == 0:
		return nil
	case int64(n) > p.g.Burst:
		if l.refused(gcra.Never) {
			return nil
		}
		return ErrBurstExceeded
	}
	now := l.clk.Nanotime()
	maxWait := int64(gcra.Never)
	if dl, ok := ctx.Deadline(); ok {
		maxWait = max(int64(dl.Sub(l.clk.Now())), 0)
	}
	d, _ := l.reserve(p, now, int64(n), maxWait)
	switch {
	case !d.Allowed:
		if l.refused(d.Wait) {
			return nil
		}
		return &DelayError{Delay: time.Duration(d.Wait), Deadline: time.Duration(maxWait)}
	case d.Wait == 0 || l.shadow:
		return nil
	}
	if err := clock.Sleep(ctx, l.clk, time.Duration(d.Wait)); err != nil {
		l.refund(p, l.clk.Nanotime(), gcra.Add(now, d.Wait), d.TAT, int64(n))
		return err
	}
	return nil
}
