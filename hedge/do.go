package hedge

import (
	"context"
	"time"
)

// Wrap returns fn hedged by h, for use as the innermost function of a
// pipeline:
//
//	call := hedge.Wrap(h, fetch) // build once, reuse
//	v, err := pipeline.Execute(ctx, call)
//
// Only hedge idempotent calls: several attempts may reach the dependency.
// A nil h returns fn itself.
func Wrap[R any](h *Hedger, fn func(context.Context) (R, error)) func(context.Context) (R, error) {
	if h == nil {
		return fn
	}
	return func(ctx context.Context) (R, error) { return Do(ctx, h, fn) }
}

// Do calls fn and, if it has not returned after the hedge delay, calls it
// again concurrently, up to MaxHedges extra times, one more after each
// delay. It returns the first success; the other attempts' contexts are
// then cancelled with cause ErrLost. A failed attempt does not end the
// call while others run; when every started attempt has failed, Do returns
// the last one's result and error. A failure before the first delay is
// returned at once: hedging is not retrying.
//
// A hedge is not started when the Budget refuses it or when ctx is done or
// has less time left than ExpectedLatency (EventRetrySkipped); after a
// skip, the call gets no more hedges.
//
// The first attempt runs in the caller's goroutine, so a call answered
// before the delay costs a cancellable context and a timer, and no
// goroutine. When the delay passes, the clock's timer starts each hedge in
// a goroutine of its own. Because of that, Do always returns after the
// first attempt has: when a hedge wins first, the first attempt's context
// is cancelled (cause ErrLost) and Do returns once fn has seen that and
// returned, which fn must do promptly, as every attempt must. Do does not
// wait for the losing hedges: they are cancelled and finish in the
// background, each delivering into a buffered channel that nobody needs to
// read, so none is left blocked as long as fn returns once its context is
// cancelled.
//
// A panic in an attempt is reported as EventPanic. In the first attempt it
// goes on up Do's caller's stack, after the hedges are cancelled. In a
// hedge it cancels the other attempts and is re-raised in Do's goroutine
// (with the value, not the original stack) unless the call already had
// its answer.
//
// A nil h calls fn directly. When the Hedger may not hedge (a learnt delay
// with too few samples and no InitialDelay), Do allocates nothing.
func Do[R any](ctx context.Context, h *Hedger, fn func(context.Context) (R, error)) (R, error) {
	r, _, err := run(ctx, h, fn, false)
	return r, err
}

// Keep is Do for a result that is still in use after the call, such as an
// HTTP response whose body is read afterwards, and must not see its
// context cancelled when Keep returns. The winning attempt's context stays
// live until the caller calls release, which it must do once it is done
// with the result (release(nil); more calls do nothing). The other
// attempts are cancelled with cause ErrLost as in Do. When the call
// failed, every attempt's context is already cancelled and release does
// nothing.
//
// To give each attempt a context that can outlive the others, a hedge
// costs one more context than with Do; a call answered before the delay
// costs the same.
func Keep[R any](ctx context.Context, h *Hedger, fn func(context.Context) (R, error)) (r R, release context.CancelCauseFunc, err error) {
	return run(ctx, h, fn, true)
}

// run is Do, and Keep when keep is set.
func run[R any](ctx context.Context, h *Hedger, fn func(context.Context) (R, error), keep bool) (R, context.CancelCauseFunc, error) {
	if h == nil {
		r, err := fn(ctx)
		return r, noRelease, err
	}
	h.calls.Add(1)
	if h.budget != nil {
		h.budget.Request()
	}
	start := h.clk.Nanotime()
	delay, ok := h.Delay()
	if !ok {
		r, err := fn(ctx)
		if err == nil {
			h.lat.record(h.clk.Nanotime() - start)
		}
		return r, noRelease, err
	}
	return hedged(ctx, h, fn, start, delay, keep)
}

// hedged runs the first attempt inline, with the first hedge's timer set.
// If the timer is stopped before it fires, no hedge ever started: the
// first attempt's result is the call's, and the call's state goes back to
// the pool. Otherwise settle decides.
func hedged[R any](ctx context.Context, h *Hedger, fn func(context.Context) (R, error), start int64, delay time.Duration, keep bool) (R, context.CancelCauseFunc, error) {
	c := callPool.Get().(*call)
	c.h, c.ctx, c.delay, c.fn, c.ops, c.started, c.keep = h, ctx, delay, fn, typed[R]{}, 1, keep
	c.actx, c.cancel = context.WithCancelCause(ctx)
	c.timer = h.clk.AfterFunc(delay, c.fireFn)
	returned := false
	defer func() {
		if !returned {
			c.abandon()
		}
	}()
	r, err := fn(c.actx)
	returned = true
	if !c.timer.Stop() {
		r, winner, err := settle(c, r, err, start)
		return r, c.releaseOf(winner), err
	}
	release := context.CancelCauseFunc(noRelease)
	if keep && err == nil {
		release = c.cancel
	} else {
		c.cancel(ErrLost)
	}
	c.release()
	if err == nil {
		h.lat.record(h.clk.Nanotime() - start)
	}
	return r, release, err
}

type attemptKey struct{}

func withAttempt(ctx context.Context, n int) context.Context {
	return context.WithValue(ctx, attemptKey{}, n)
}

// AttemptFromContext returns the 1-based number of the hedged attempt
// running under ctx: 1 for the original, 2 and up for hedges. Transports
// can send it so that servers can tell hedges apart.
func AttemptFromContext(ctx context.Context) int {
	if n, ok := ctx.Value(attemptKey{}).(int); ok {
		return n
	}
	return 1
}
