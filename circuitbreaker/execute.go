package circuitbreaker

import (
	"context"

	"github.com/resilience-go/resilience"
)

// Execute runs fn if the breaker admits it and records its outcome. It
// returns fn's error, or ErrOpen or ErrHalfOpenFull without running fn. A
// panic in fn is recorded as a failure (resilience.ErrPanicked) and
// propagates unchanged.
func (b *Breaker) Execute(ctx context.Context, fn func(context.Context) error) error {
	p, err := b.Acquire(ctx)
	if err != nil {
		return err
	}
	done := false
	defer func() {
		if !done {
			p.Done(resilience.ErrPanicked)
		}
	}()
	err = fn(ctx)
	done = true
	p.Done(err)
	return err
}

// Do is Execute for a function that returns a result: it returns fn's
// result and error, or the zero R and ErrOpen or ErrHalfOpenFull without
// running fn. A panic in fn is recorded as a failure and propagates
// unchanged.
func Do[R any](ctx context.Context, b *Breaker, fn func(context.Context) (R, error)) (R, error) {
	p, err := b.Acquire(ctx)
	if err != nil {
		var zero R
		return zero, err
	}
	done := false
	defer func() {
		if !done {
			p.Done(resilience.ErrPanicked)
		}
	}()
	r, err := fn(ctx)
	done = true
	p.Done(err)
	return r, err
}
