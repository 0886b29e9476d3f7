package timeout

import (
	"context"
	"time"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/clock"
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
	real     bool
	// cause is this Timeout's private context cause: Exit tells its own
	// expiry from any other by it.
	cause error
}

var _ resilience.Scope = (*Timeout)(nil)

// New returns a Timeout configured by cfg, or cfg.Validate's error.
func New(cfg Config) (*Timeout, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	c := clock.Or(cfg.Clock)
	return &Timeout{
		d:        cfg.Timeout,
		name:     cfg.Name,
		abandon:  cfg.Abandon,
		listener: cfg.Listener,
		clock:    c,
		real:     c == clock.Real(),
		cause:    &timeoutError{name: cfg.Name},
	}, nil
}

// Duration returns the configured time limit.
func (t *Timeout) Duration() time.Duration { return t.d }

// Enter derives the call's context, which ends after the time limit. When
// ctx's own deadline comes no later than that, Enter returns ctx itself and
// a nil CancelFunc: no timer is made and the caller's deadline rules. Enter
// never fails.
func (t *Timeout) Enter(ctx context.Context) (context.Context, context.CancelFunc, error) {
	if dl, ok := ctx.Deadline(); ok {
		now := t.clock.Now()
		end := now.Add(t.d)
		if !dl.After(end) {
			return ctx, nil, nil
		}
		if t.real {
			inner, cancel := context.WithDeadlineCause(ctx, end, t.cause)
			return inner, cancel, nil
		}
		return t.withClock(ctx, end)
	}
	if t.real {
		inner, cancel := context.WithTimeoutCause(ctx, t.d, t.cause)
		return inner, cancel, nil
	}
	return t.withClock(ctx, t.clock.Now().Add(t.d))
}

// Exit returns ErrTimeout if inner, made by Enter from outer, ended because
// this Timeout's limit ran out, whatever err the call returned (nil
// included: the result came too late). Otherwise, the caller's own deadline
// or cancellation included, it returns err unchanged.
func (t *Timeout) Exit(outer, inner context.Context, err error) error {
	if inner.Err() == nil || context.Cause(inner) != t.cause {
		return err
	}
	if t.listener != nil {
		t.listener.OnEvent(resilience.Event{
			Kind: resilience.EventTimeout, Policy: "timeout", Name: t.name,
			Latency: t.d, Err: err,
		})
	}
	return ErrTimeout
}
