// Package clock gives time-based policies their notion of time.
//
// Every policy in this module reads time through a Clock taken from its
// Config, never from package time directly, so tests can drive it with a
// Manual clock and never sleep to wait for a state.
//
// Hot paths read Nanotime, which on the real clock is a coarse monotonic
// reading (about 1 ms resolution) published by one background ticker and
// readable in a few nanoseconds; time.Now costs tens of nanoseconds on many
// virtual machines.
package clock

import (
	"context"
	"time"
)

// Clock tells the time and makes timers. Implementations are safe for
// concurrent use.
type Clock interface {
	// Now returns the current wall-clock time.
	Now() time.Time
	// Nanotime returns a monotonic reading in nanoseconds since an arbitrary
	// epoch fixed for the process. It is cheap enough to call on every
	// request and never goes backwards; its resolution is the clock's (about
	// 1 ms for Real).
	Nanotime() int64
	// NewTimer returns a timer that sends the time on its channel after d.
	NewTimer(d time.Duration) Timer
	// AfterFunc calls f after d, in its own goroutine for Real and
	// synchronously inside Advance for Manual.
	AfterFunc(d time.Duration, f func()) Timer
}

// Timer is the part of *time.Timer that policies use.
type Timer interface {
	// C returns the channel the time is sent on; nil for AfterFunc timers.
	C() <-chan time.Time
	// Stop prevents the timer from firing; it reports whether it was
	// pending.
	Stop() bool
	// Reset makes the timer fire after d; it reports whether it was pending.
	Reset(d time.Duration) bool
}

// Or returns c, or Real() when c is nil. Config structs document a nil
// Clock as the real clock; constructors call Or.
func Or(c Clock) Clock {
	if c == nil {
		return Real()
	}
	return c
}

// Sleep waits for d on c, or until ctx is done, in which case it returns
// ctx's error (context.Cause when one is set). A d <= 0 returns at once with
// ctx's error, if any.
func Sleep(ctx context.Context, c Clock, d time.Duration) error {
	if d <= 0 {
		if ctx.Err() != nil {
			return context.Cause(ctx)
		}
		return nil
	}
	t := c.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C():
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}
