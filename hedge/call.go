package hedge

import (
	"context"
	"sync"
	"time"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/clock"
)

// call is the state of one hedged call that its timer callback, its hedges
// and Do share. It is not generic, so that one pool serves every result
// type: the typed parts (fn, the results channel) are stored as any and
// used through ops.
//
// Calls whose first attempt answered before the delay go back to the pool:
// their timer's Stop returned true, so fire never ran and never will, and
// nothing else holds them. The others are left to the garbage collector,
// since their timer callback or hedges may still be running.
type call struct {
	h      *Hedger
	ctx    context.Context // the caller's: hedges are skipped when it is done
	actx   context.Context // the attempts' (a child of ctx)
	cancel context.CancelCauseFunc
	delay  time.Duration
	fn     any         // func(context.Context) (R, error)
	ops    ops         // typed[R]
	timer  clock.Timer // the first delay's; Do's alone
	fireFn func()      // c.fire, bound once per pooled call
	// keep is set for Keep: each hedge runs in a context of its own,
	// derived from ctx, so that the winner's can outlive the call.
	keep bool

	mu       sync.Mutex
	finished bool        // no more hedges: the outcome is known or being decided
	started  int         // attempts started, the first included
	next     clock.Timer // the pending timer of the next hedge, if any
	results  any         // chan attempt[R], made with the first hedge
	// cancels[n] ends hedge n's context (Keep only; made with the first
	// hedge, indexed by attempt number; the first attempt's is cancel).
	cancels []context.CancelCauseFunc
}

var callPool = sync.Pool{New: func() any {
	c := new(call)
	c.fireFn = c.fire
	return c
}}

// release returns c, whose timer never fired, to the pool.
func (c *call) release() {
	c.h, c.ctx, c.actx, c.cancel, c.fn, c.ops, c.timer = nil, nil, nil, nil, nil, nil, nil
	c.finished, c.started, c.next, c.results, c.keep, c.cancels = false, 0, nil, nil, false, nil
	callPool.Put(c)
}

// ops is the part of a call that depends on its result type.
type ops interface {
	// newResults makes the channel every attempt's result is posted to.
	newResults(size int) any
	// hedge runs attempt n, a hedge, in the current goroutine.
	hedge(c *call, n int)
}

// typed implements ops for calls returning R. It has no fields, so storing
// it in an interface does not allocate.
type typed[R any] struct{}

func (typed[R]) newResults(size int) any { return make(chan attempt[R], size) }

type attempt[R any] struct {
	r        R
	err      error
	n        int
	panicked bool
	panicVal any
}

// fire runs when a delay has passed: it starts a hedge, unless the call is
// over, or skipReason says no (then the call gets no more hedges), and sets
// the timer of the next one while MaxHedges allows. It runs in the clock's
// timer goroutine, concurrently with the first attempt.
func (c *call) fire() {
	h := c.h
	c.mu.Lock()
	if c.finished {
		c.mu.Unlock()
		return
	}
	n := c.started + 1
	if reason := h.skipReason(c.ctx); reason != "" {
		c.mu.Unlock()
		if h.listener != nil {
			h.emit(resilience.Event{Kind: resilience.EventRetrySkipped, Attempt: n, Delay: c.delay, Detail: reason})
		}
		return
	}
	c.started = n
	if c.results == nil {
		c.results = c.ops.newResults(1 + h.maxHedges)
		if c.keep {
			c.cancels = make([]context.CancelCauseFunc, 2+h.maxHedges)
		}
	}
	if n <= h.maxHedges {
		c.next = h.clk.AfterFunc(c.delay, c.fireFn)
	}
	c.mu.Unlock()
	h.hedges.Add(1)
	if h.listener != nil {
		h.emit(resilience.Event{Kind: resilience.EventHedge, Attempt: n, Delay: c.delay})
	}
	go c.ops.hedge(c, n)
}

// hedge runs attempt n and posts its result, in order with the others
// (under c.mu, into a channel with room for every attempt, so it never
// blocks). The first success or panic posted decides the call: no more
// hedges start, and every other attempt's context, the first's included,
// is cancelled with ErrLost so that Do, which waits for the first, gets to
// the answer.
func (typed[R]) hedge(c *call, n int) {
	a := attempt[R]{n: n, panicked: true}
	defer func() {
		if a.panicked {
			a.panicVal = recover()
			if c.h.listener != nil {
				c.h.emit(resilience.Event{Kind: resilience.EventPanic, Attempt: n, Err: resilience.ErrPanicked})
			}
		}
		// Only the first decisive result decides: it is the one settle
		// reads first, and a later success must not cancel its context.
		c.mu.Lock()
		c.results.(chan attempt[R]) <- a
		decides := (a.panicked || a.err == nil) && !c.finished
		if decides {
			c.finished = true
		}
		c.mu.Unlock()
		if decides {
			c.cancelOthers(n)
		}
	}()
	fn := c.fn.(func(context.Context) (R, error))
	a.r, a.err = fn(withAttempt(c.attemptContext(n), n))
	a.panicked = false
}

// attemptContext returns the context hedge n runs in: the attempts'
// shared one, or for Keep one of its own, cancelled at once when the call
// was decided before the hedge got going.
func (c *call) attemptContext(n int) context.Context {
	if !c.keep {
		return c.actx
	}
	ctx, cancel := context.WithCancelCause(c.ctx)
	c.mu.Lock()
	c.cancels[n] = cancel
	decided := c.finished
	c.mu.Unlock()
	if decided {
		cancel(ErrLost)
	}
	return ctx
}

// cancelOthers cancels, with cause ErrLost, every attempt but winner
// (every one when winner is 0). Without keep, the attempts share one
// context, so all of them are cancelled.
func (c *call) cancelOthers(winner int) {
	if !c.keep {
		c.cancel(ErrLost)
		return
	}
	if winner != 1 {
		c.cancel(ErrLost)
	}
	// Under c.mu: hedges that are starting write their slot under it. A
	// slot still empty here is filled after finished was set, and that
	// hedge cancels its own context (attemptContext).
	c.mu.Lock()
	defer c.mu.Unlock()
	for n, cancel := range c.cancels {
		if cancel != nil && n != winner {
			cancel(ErrLost)
		}
	}
}

// releaseOf returns what ends the winner's context: the caller calls it
// once done with the result. For no winner, every attempt is already
// cancelled and it does nothing more.
func (c *call) releaseOf(winner int) context.CancelCauseFunc {
	switch {
	case winner == 1:
		return c.cancel
	case winner > 1:
		c.mu.Lock()
		defer c.mu.Unlock()
		if winner < len(c.cancels) && c.cancels[winner] != nil {
			return c.cancels[winner]
		}
	}
	return noRelease
}

func noRelease(error) {}

// finish ends the call: no more hedges, no pending timer, and every
// attempt still running is cancelled with ErrLost, but for Keep the
// winner's (none when winner is 0).
func (c *call) finish(winner int) {
	c.mu.Lock()
	c.finished = true
	next := c.next
	c.next = nil
	c.mu.Unlock()
	if next != nil {
		next.Stop()
	}
	c.cancelOthers(winner)
}

// settle returns the call's answer once the first attempt has returned r,
// err after its delay's timer fired, and the number of the attempt that
// won (0 when none succeeded). If no hedge started, that is r, err.
// Otherwise the first attempt's result joins the hedges' in the results
// channel and the first success there wins (a panic there is re-raised);
// when every started attempt has failed, the last failure is returned.
func settle[R any](c *call, r R, err error, start int64) (R, int, error) {
	h := c.h
	c.mu.Lock()
	if c.results == nil {
		c.finished = true // before fire, waiting for c.mu, starts one
		c.mu.Unlock()
		winner := 0
		if err == nil {
			winner = 1
			h.lat.record(h.clk.Nanotime() - start)
		}
		c.finish(winner)
		return r, winner, err
	}
	results := c.results.(chan attempt[R])
	results <- attempt[R]{r: r, err: err, n: 1}
	if err == nil {
		// Decided, unless a hedge did before: a hedge's success posted
		// after this one must not cancel this attempt's context.
		c.finished = true
	}
	c.mu.Unlock()
	for received := 1; ; received++ {
		a := <-results
		if a.panicked {
			c.finish(0)
			panic(a.panicVal)
		}
		if a.err == nil {
			c.finish(a.n)
			if a.n > 1 {
				h.wins.Add(1)
			}
			h.lat.record(h.clk.Nanotime() - start)
			return a.r, a.n, nil
		}
		c.mu.Lock()
		all := received == c.started
		if all {
			c.finished = true
		}
		c.mu.Unlock()
		if all {
			c.finish(0)
			return a.r, 0, a.err
		}
	}
}

// abandon ends a call whose first attempt panicked, before the panic
// goes on up Do's caller's stack.
func (c *call) abandon() {
	c.timer.Stop()
	c.finish(0)
	if c.h.listener != nil {
		c.h.emit(resilience.Event{Kind: resilience.EventPanic, Attempt: 1, Err: resilience.ErrPanicked})
	}
}
