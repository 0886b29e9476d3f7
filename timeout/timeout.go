package timeout

import (
	"context"
	"time"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/clock"
	"github.com/resilience-go/resilience/internal/wheel"
)

// Timeout bounds how long a call may run. It implements resilience.Scope,
// so it goes into a resilience.Pipeline; Execute and Do run it standalone.
//
// A Timeout keeps no per-call state: it is safe for concurrent use and can
// be shared by every caller of one dependency. Make one with New; the zero
// Timeout is not usable.
type Timeout struct {
	d        time.Duration
	name     string
	abandon  bool
	listener resilience.Listener
	clock    clock.Clock
	mode     mode
	// cause is this Timeout's private context cause: Exit tells its own
	// expiry from any other by it.
	cause error
	// causeValue is what a wheelCtx of this Timeout answers context.Cause
	// once expired (see cause.go).
	causeValue any
}

// mode is how a Timeout makes its contexts.
type mode uint8

const (
	modeWheel   mode = iota // real clock: wheelCtx in the shared timer wheel
	modePrecise             // real clock, Config.Precise: context.WithDeadlineCause
	modeClock               // another clock: withClock
)

var _ resilience.Scope = (*Timeout)(nil)

// New returns a Timeout configured by cfg, or cfg.Validate's error.
func New(cfg Config) (*Timeout, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	c := clock.Or(cfg.Clock)
	t := &Timeout{
		d:        cfg.Timeout,
		name:     cfg.Name,
		abandon:  cfg.Abandon,
		listener: cfg.Listener,
		clock:    c,
		mode:     modeClock,
		cause:    &timeoutError{name: cfg.Name},
	}
	if c == clock.Real() {
		t.mode = modeWheel
		if cfg.Precise {
			t.mode = modePrecise
		}
	}
	t.causeValue = causeValue(t.cause)
	return t, nil
}

// Duration returns the configured time limit.
func (t *Timeout) Duration() time.Duration { return t.d }

// Enter derives the call's context, which ends after the time limit. When
// ctx's own deadline comes no later than that, Enter returns ctx itself and
// a nil CancelFunc: no timer is made and the caller's deadline rules. Enter
// never fails.
//
// On the real clock (without Config.Precise) the CancelFunc is nil too:
// Exit releases the context and disarms its timer. A caller that never
// calls Exit, such as a Pipeline whose function panicked, leaks nothing for
// long: the timer fires at the deadline, ends the context and frees it, so
// the context, and what it refers to, is held until then at worst, as with
// a context.WithTimeout whose cancel is never called.
func (t *Timeout) Enter(ctx context.Context) (context.Context, context.CancelFunc, error) {
	inner, _, cancel := t.enter(ctx)
	return inner, cancel, nil
}

// enter is Enter that also returns the wheelCtx it made, if any.
func (t *Timeout) enter(ctx context.Context) (context.Context, *wheelCtx, context.CancelFunc) {
	if t.mode == modeWheel {
		end := wheel.Deadline(t.d)
		if dl, ok := ctx.Deadline(); ok && !dl.After(wheel.Time(end)) {
			return ctx, nil, nil
		}
		c := newWheelCtx(ctx, t, end)
		return c, c, nil
	}
	if dl, ok := ctx.Deadline(); ok {
		now := t.clock.Now()
		end := now.Add(t.d)
		if !dl.After(end) {
			return ctx, nil, nil
		}
		if t.mode == modePrecise {
			inner, cancel := context.WithDeadlineCause(ctx, end, t.cause)
			return inner, nil, cancel
		}
		inner, cancel := t.withClock(ctx, end)
		return inner, nil, cancel
	}
	if t.mode == modePrecise {
		inner, cancel := context.WithTimeoutCause(ctx, t.d, t.cause)
		return inner, nil, cancel
	}
	inner, cancel := t.withClock(ctx, t.clock.Now().Add(t.d))
	return inner, nil, cancel
}

// Exit returns ErrTimeout if inner, made by Enter from outer, ended because
// this Timeout's limit ran out, whatever err the call returned (nil
// included: the result came too late). Otherwise, the caller's own deadline
// or cancellation included, it returns err unchanged. On the real clock it
// also releases inner: contexts derived from it end with context.Canceled,
// as after a cancel.
func (t *Timeout) Exit(outer, inner context.Context, err error) error {
	if c, ok := inner.(*wheelCtx); ok && c.t == t {
		if o, ok := outer.(*wheelCtx); ok && o == c {
			return err // the caller's context, passed through
		}
		return t.exitWheel(c, err)
	}
	if inner.Err() == nil || context.Cause(inner) != t.cause {
		return err
	}
	return t.timedOut(err)
}

// exitWheel is Exit for a wheelCtx Enter made.
func (t *Timeout) exitWheel(c *wheelCtx, err error) error {
	if !c.release() {
		return err
	}
	return t.timedOut(err)
}

// timedOut reports EventTimeout and returns ErrTimeout.
func (t *Timeout) timedOut(err error) error {
	if t.listener != nil {
		t.listener.OnEvent(resilience.Event{
			Kind: resilience.EventTimeout, Policy: "timeout", Name: t.name,
			Latency: t.d, Err: err,
		})
	}
	return ErrTimeout
}

// release ends what enter made, if Exit has not: deferred by Execute and
// Do, so that a panic in fn leaves no timer armed.
func release(c *wheelCtx, cancel context.CancelFunc) {
	if c != nil {
		c.finish(ctxReleased, 0)
	}
	if cancel != nil {
		cancel()
	}
}
