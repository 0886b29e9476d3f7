package discovery

import (
	"context"
	"errors"
	"time"

	"github.com/resilience-go/resilience/clock"
)

// errLimit is the private cause of a context cancelled by bounded, told
// apart from any error a source returns.
var errLimit = errors.New("discovery: time limit")

// bounded runs fn with a context that ends after d on clk. When the limit
// ran out (and not the caller's ctx), it returns ErrTimeout. In abandon
// mode fn runs in a goroutine of its own and bounded returns at the limit
// even if fn ignores its context; fn then runs on, with a cancelled
// context, until it returns, and its result is dropped.
func bounded[R any](ctx context.Context, clk clock.Clock, d time.Duration, abandon bool, fn func(context.Context) (R, error)) (R, error) {
	var inner context.Context
	var cancel func()
	if clk == clock.Real() {
		var c context.CancelFunc
		inner, c = context.WithTimeoutCause(ctx, d, errLimit)
		cancel = c
	} else {
		var c context.CancelCauseFunc
		inner, c = context.WithCancelCause(ctx)
		t := clk.AfterFunc(d, func() { c(errLimit) })
		cancel = func() { t.Stop(); c(nil) }
	}
	defer cancel()
	var r R
	var err error
	if !abandon {
		r, err = fn(inner)
	} else {
		type result struct {
			r   R
			err error
		}
		done := make(chan result, 1)
		go func() {
			r, err := fn(inner)
			done <- result{r, err}
		}()
		select {
		case res := <-done:
			r, err = res.r, res.err
		case <-inner.Done():
			select {
			case res := <-done: // it answered at the same moment
				r, err = res.r, res.err
			default:
				var zero R
				r, err = zero, context.Cause(inner)
			}
		}
	}
	if ctx.Err() == nil && context.Cause(inner) == errLimit {
		var zero R
		return zero, ErrTimeout
	}
	return r, err
}
