package timeout

import (
	"context"
	"time"
)

// withClock makes a context that ends at end on t's clock, for clocks other
// than the real one. It is built from context.WithCancelCause and the
// clock's AfterFunc: its Deadline is end, its Err becomes
// context.DeadlineExceeded and its cause this Timeout's when the clock
// reaches end. Contexts derived from it report context.Canceled from Err
// then, with the same cause; context.Cause sees through both.
func (t *Timeout) withClock(parent context.Context, end time.Time) (context.Context, context.CancelFunc) {
	inner, cancel := context.WithCancelCause(parent)
	timer := t.clock.AfterFunc(t.d, func() { cancel(t.cause) })
	ctx := &clockCtx{Context: inner, deadline: end, cause: t.cause}
	return ctx, func() {
		timer.Stop()
		cancel(nil)
	}
}

type clockCtx struct {
	context.Context
	deadline time.Time
	cause    error
}

func (c *clockCtx) Deadline() (time.Time, bool) { return c.deadline, true }

func (c *clockCtx) Err() error {
	err := c.Context.Err()
	if err != nil && context.Cause(c.Context) == c.cause {
		return context.DeadlineExceeded
	}
	return err
}

func (c *clockCtx) String() string {
	return "timeout.clockCtx(" + c.deadline.String() + ")"
}
