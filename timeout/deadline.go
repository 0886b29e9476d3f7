package timeout

import (
	"context"
	"time"

	"github.com/resilience-go/resilience/internal/wheel"
)

// wheelEpoch is the instant the wheel's readings count from.
var wheelEpoch = wheel.Time(0)

// WithDeadline is context.WithDeadline at a fraction of its cost: the
// returned context is armed in the timer wheel that real-clock Timeouts
// share, instead of getting a runtime timer of its own, reads no precise
// clock, and makes its Done channel only when asked. Use it on hot paths
// that derive a deadline for each call, such as an RPC client's per-hop
// or per-attempt deadline.
//
// The context behaves as context.WithDeadline's does, with one
// difference: it ends at the first tick of the wheel (every millisecond)
// at or after d, so usually 0 to 2 ms late, and never early. Its Deadline
// reports d; Err reports context.DeadlineExceeded at expiry,
// context.Canceled after cancel, and the parent's error when the parent
// ended first, and context.Cause reports the same causes as package
// context would (the parent's cause when it ended first). A d that has
// already passed ends the context at once, with DeadlineExceeded.
//
// When the parent's deadline comes no later than d, no timer is armed: the
// context ends with its parent or by cancel, and its Deadline is the
// parent's, as context.WithDeadline's WithCancel fallback would. It is
// still a context of its own, so cancel ends it, and what was derived from
// it, without touching the parent.
//
// Calling cancel ends the context with context.Canceled, if it is still
// active, and releases what it holds: it disarms the timer, unlinking it
// from the wheel, and unregisters from the parent. Call it as soon as the
// work done under the context is complete, as with context.WithDeadline;
// a context whose cancel is never called stays armed, holding its parent,
// until d. Calling cancel more than once, or after the expiry, does
// nothing.
//
// The saving is in making, waiting on and cancelling the context; derived
// contexts cost more than under context.WithDeadline's. Package context
// joins a child (context.WithCancel and the like) to a parent of its own
// kind with a map entry, even through context.WithValue layers, but to
// this context through its AfterFunc method, six allocations more, and,
// when a WithValue sits in between, with a goroutine per child. So prefer
// context.WithDeadline for a context that a library derives from behind
// other layers, as grpc-go does for every call (BenchmarkContextDeadline*
// in the bench module measures both).
//
// The wheel reads the process's real clock: inside a testing/synctest
// bubble use context.WithDeadline, whose timer follows the bubble's fake
// clock. Its goroutine starts on first use and stops by itself when idle
// (see the package documentation).
func WithDeadline(parent context.Context, d time.Time) (context.Context, context.CancelFunc) {
	return withWheel(parent, int64(d.Sub(wheelEpoch)), 0)
}

// WithTimeout returns WithDeadline(parent, now+d), with now read from the
// wheel's coarse clock: the context never ends before d has passed since
// the call, and usually within 2 ms after. Its Deadline reports the coarse
// deadline, which is up to one wheel resolution (1 ms) later than a
// precise time.Now().Add(d). A d <= 0 ends the context at once.
func WithTimeout(parent context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	if d <= 0 {
		return withWheel(parent, wheel.Now(), 0)
	}
	return withWheel(parent, wheel.Deadline(d), d)
}

// withWheel makes a context of WithDeadline ending at when, a reading of
// the wheel's clock, and, d > 0, no sooner than d after now.
func withWheel(parent context.Context, when int64, d time.Duration) (context.Context, context.CancelFunc) {
	if parent == nil {
		panic("cannot create context from nil parent")
	}
	c := &wheelCtx{parent: parent}
	if _, ok := parent.(*wheelCtx); !ok {
		c.pdone = parent.Done()
	}
	if dl, ok := parent.Deadline(); ok && !dl.After(wheel.Time(when)) {
		c.flags.Store(flagNoTimer)
		return c, c.cancel
	}
	if when <= wheel.Now() {
		// Already past: end now, as package context does, unless the
		// parent has ended, whose error wins.
		s := ctxExpired
		if c.parentEnded() {
			s = ctxParentDone
		}
		c.state.Store(s)
		// Starting and stopping the timer records when, for Deadline; should
		// the wheel fire it meanwhile, finish finds c ended and does nothing.
		c.timer.Start(when, 0, (*expirer)(c))
		c.timer.Stop()
		return c, c.cancel
	}
	c.timer.Start(when, d, (*expirer)(c))
	return c, c.cancel
}

// cancel is the CancelFunc of WithDeadline: it ends c with
// context.Canceled, if it is active, and disarms its timer.
func (c *wheelCtx) cancel() { c.finish(ctxReleased, 0) }
