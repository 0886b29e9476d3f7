package hedge

import (
	"context"
	"time"

	"github.com/resilience-go/resilience"
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

type attempt[R any] struct {
	r        R
	err      error
	n        int
	panicked bool
	panicVal any
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
// Every attempt runs in its own goroutine. Do returns as soon as it has
// its answer and does not wait for the losers: they are cancelled and
// finish in the background, each delivering into a buffered channel that
// nobody needs to read, so none is left blocked as long as fn returns
// once its context is cancelled. A panic in an attempt is reported as
// EventPanic and re-raised in Do's goroutine (with the value, not the
// original stack) if Do has not yet returned.
//
// A nil h calls fn directly. When the Hedger may not hedge (a learnt delay with too few samples and
// no InitialDelay), fn runs in the caller's goroutine and Do allocates
// nothing.
func Do[R any](ctx context.Context, h *Hedger, fn func(context.Context) (R, error)) (R, error) {
	if h == nil {
		return fn(ctx)
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
		return r, err
	}
	return hedged(ctx, h, fn, start, delay)
}

func hedged[R any](ctx context.Context, h *Hedger, fn func(context.Context) (R, error), start int64, delay time.Duration) (R, error) {
	actx, cancel := context.WithCancelCause(ctx)
	defer cancel(ErrLost)
	results := make(chan attempt[R], 1+h.maxHedges)
	go run(actx, h, fn, 1, results)
	running, started := 1, 1

	timer := h.clk.NewTimer(delay)
	defer timer.Stop()
	timerC := timer.C()
	var last attempt[R]
	for {
		select {
		case a := <-results:
			running--
			if a.panicked {
				cancel(ErrLost)
				panic(a.panicVal)
			}
			if a.err == nil {
				if a.n > 1 {
					h.wins.Add(1)
				}
				h.lat.record(h.clk.Nanotime() - start)
				return a.r, nil
			}
			last = a
			if running == 0 {
				return last.r, last.err
			}
		case <-timerC:
			if reason := h.skipReason(ctx); reason != "" {
				if h.listener != nil {
					h.emit(resilience.Event{Kind: resilience.EventRetrySkipped, Attempt: started + 1, Delay: delay, Detail: reason})
				}
				timerC = nil
				continue
			}
			started++
			running++
			h.hedges.Add(1)
			if h.listener != nil {
				h.emit(resilience.Event{Kind: resilience.EventHedge, Attempt: started, Delay: delay})
			}
			go run(withAttempt(actx, started), h, fn, started, results)
			if started <= h.maxHedges {
				timer.Reset(delay)
			} else {
				timerC = nil
			}
		}
	}
}

// run is one attempt's goroutine. It always delivers exactly one attempt
// into out, which has room for every attempt of the call, so it never
// blocks.
func run[R any](ctx context.Context, h *Hedger, fn func(context.Context) (R, error), n int, out chan<- attempt[R]) {
	a := attempt[R]{n: n, panicked: true}
	defer func() {
		if a.panicked {
			a.panicVal = recover()
			if h.listener != nil {
				h.emit(resilience.Event{Kind: resilience.EventPanic, Attempt: n, Err: resilience.ErrPanicked})
			}
		}
		out <- a
	}()
	a.r, a.err = fn(ctx)
	a.panicked = false
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
