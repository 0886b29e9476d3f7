package retry

import (
	"context"
	"sync"

	"github.com/resilience-go/resilience"
)

// defaultPolicy backs Do and DoValue when they are given a nil Policy.
var defaultPolicy = sync.OnceValue(func() *Policy {
	p, _ := New(Config{})
	return p
})

// Do calls fn until it succeeds or p stops retrying, and returns the final
// error (see the package documentation). Each attempt's context carries its
// number (resilience.AttemptFromContext). A nil p means a Policy with the
// default Config. Do allocates nothing when the first attempt succeeds.
func Do(ctx context.Context, p *Policy, fn func(context.Context) error) error {
	if p == nil {
		p = defaultPolicy()
	}
	a := p.BeginAttempts(ctx)
	for {
		actx := ctx
		if a.Number > 1 {
			actx = resilience.WithAttempt(ctx, a.Number)
		}
		err := fn(actx)
		next, delay, again, final := p.NextAttempt(ctx, a, err, false)
		if !again {
			return final
		}
		if werr := p.Wait(ctx, delay, err); werr != nil {
			return werr
		}
		a = next
	}
}

// DoValue is Do for a function that returns a value; it returns the last
// attempt's value with the final error.
func DoValue[R any](ctx context.Context, p *Policy, fn func(context.Context) (R, error)) (R, error) {
	return doValue(ctx, p, nil, fn)
}

func doValue[R any](ctx context.Context, p *Policy, retryResult func(R) bool, fn func(context.Context) (R, error)) (R, error) {
	if p == nil {
		p = defaultPolicy()
	}
	a := p.BeginAttempts(ctx)
	for {
		actx := ctx
		if a.Number > 1 {
			actx = resilience.WithAttempt(ctx, a.Number)
		}
		r, err := fn(actx)
		again := err == nil && retryResult != nil && retryResult(r)
		next, delay, again, final := p.NextAttempt(ctx, a, err, again)
		if !again {
			return r, final
		}
		if werr := p.Wait(ctx, delay, err); werr != nil {
			return r, werr
		}
		a = next
	}
}

// OnResult returns p with a result predicate: an attempt that succeeds with
// a result for which retryIf returns true (an empty page, a "try later"
// payload) is retried like a failure, within the same attempts, backoff and
// budget. When no retry is left, the execution ends with the last result
// and an error matching ErrExhausted.
//
// Put the returned value in a resilience.Pipeline[R] of the same R; in a
// pipeline of another result type it acts as p alone. Run it standalone
// with DoResult.
func OnResult[R any](p *Policy, retryIf func(R) bool) *ResultPolicy[R] {
	return &ResultPolicy[R]{Policy: p, retryIf: retryIf}
}

// ResultPolicy is a Policy with a result predicate, made by OnResult. It is
// safe for concurrent use.
type ResultPolicy[R any] struct {
	*Policy
	retryIf func(R) bool
}

var _ resilience.ResultRetrier[int] = (*ResultPolicy[int])(nil)

// RetryResult reports whether a successful attempt's result r asks for
// another attempt.
func (p *ResultPolicy[R]) RetryResult(r R) bool {
	return p.retryIf != nil && p.retryIf(r)
}

// DoResult is DoValue with p's result predicate.
func DoResult[R any](ctx context.Context, p *ResultPolicy[R], fn func(context.Context) (R, error)) (R, error) {
	return doValue(ctx, p.Policy, p.retryIf, fn)
}
