package httpx

import (
	"context"
	"net/http"
	"time"

	"github.com/resilience-go/resilience"
)

// The pipeline was designed for calls whose result is complete when the
// function returns. An HTTP response is not: its body streams afterwards.
// Two wrappers adapt the controllers to that, reaching the request's state
// (a *call) through the context:
//   - scopes do not release their context when the attempt returns, or the
//     caller could not read the body: while the scope's context is alive
//     then, its Exit (a timeout releases its context in Exit on the real
//     clock) and its CancelFunc are deferred until the attempt's response
//     is discarded (a retry follows) or, for the final response, until its
//     body is closed or read to the end, or until RoundTrip returns without
//     a response. A scope is assumed to return the call's error unchanged
//     from Exit while its context is alive, as timeout.Timeout does; an
//     ended context's Exit runs at once, so its error (timeout.ErrTimeout)
//     is kept;
//   - repeaters refuse to retry requests that are not idempotent, refuse
//     with ErrBodyNotReplayable when the body cannot be sent again, and
//     drain the failed attempt's response before the backoff wait, so that
//     its connection is back in the pool for the next attempt.

type callKey struct{}

// callFrom returns the call running in ctx, or nil.
func callFrom(ctx context.Context) *call {
	c, _ := ctx.Value(callKey{}).(*call)
	return c
}

// adapt wraps the scopes and repeaters among ps, following the precedence
// of resilience.NewPipeline, and reports whether any was wrapped (and so
// needs the call in the context).
func adapt(ps []resilience.Policy) ([]resilience.Policy, bool) {
	out := make([]resilience.Policy, len(ps))
	wrapped := false
	for i, p := range ps {
		switch v := p.(type) {
		case nil, resilience.Recoverer[*http.Response], resilience.Guard:
			out[i] = p
		case resilience.Scope:
			out[i], wrapped = deferredScope{v}, true
		case resilience.Repeater:
			r := repeater{v}
			if rr, ok := v.(resilience.ResultRetrier[*http.Response]); ok {
				out[i] = resultRepeater{repeater: r, rr: rr}
			} else {
				out[i] = r
			}
			wrapped = true
		default:
			out[i] = p // NewPipeline reports it
		}
	}
	return out, wrapped
}

// deferredScope hands the scope's CancelFunc to the call instead of the
// pipeline.
type deferredScope struct{ inner resilience.Scope }

func (s deferredScope) Enter(ctx context.Context) (context.Context, context.CancelFunc, error) {
	inner, cancel, err := s.inner.Enter(ctx)
	if err != nil || cancel == nil {
		return inner, cancel, err
	}
	if c := callFrom(ctx); c != nil {
		c.pending = append(c.pending, scopeCancel{inner: inner, cancel: cancel})
		return inner, nil, nil
	}
	return inner, cancel, nil
}

func (s deferredScope) Exit(outer, inner context.Context, err error) error {
	c := callFrom(outer)
	if c == nil || inner == outer {
		return s.inner.Exit(outer, inner, err)
	}
	cancel := c.takeCancel(inner)
	if inner.Err() == nil {
		c.deferred = append(c.deferred, deferredExit{scope: s.inner, outer: outer, inner: inner, err: err, cancel: cancel})
		return err
	}
	err = s.inner.Exit(outer, inner, err)
	if cancel != nil {
		cancel()
	}
	return err
}

// scopeCancel is the CancelFunc of a scope entered and not yet exited.
type scopeCancel struct {
	inner  context.Context
	cancel context.CancelFunc
}

// deferredExit is a scope's Exit, and CancelFunc, postponed until the
// response of its attempt is done with.
type deferredExit struct {
	scope        resilience.Scope
	outer, inner context.Context
	err          error
	cancel       context.CancelFunc
}

// run ends the scope; its error is moot by now.
func (e deferredExit) run() {
	_ = e.scope.Exit(e.outer, e.inner, e.err)
	if e.cancel != nil {
		e.cancel()
	}
}

// repeater guards retries of HTTP requests.
type repeater struct{ inner resilience.Repeater }

func (r repeater) BeginAttempts(ctx context.Context) resilience.Attempts {
	return r.inner.BeginAttempts(ctx)
}

func (r repeater) NextAttempt(ctx context.Context, a resilience.Attempts, err error, retryResult bool) (resilience.Attempts, time.Duration, bool, error) {
	c := callFrom(ctx)
	if c != nil && !c.idempotent && (err != nil || retryResult) {
		return a, 0, false, err // never retried: the server may have acted on it
	}
	next, delay, again, final := r.inner.NextAttempt(ctx, a, err, retryResult)
	if again && c != nil && !c.replayable() {
		return a, 0, false, &notReplayableError{last: err}
	}
	return next, delay, again, final
}

func (r repeater) Wait(ctx context.Context, d time.Duration, last error) error {
	if c := callFrom(ctx); c != nil {
		c.discardLast()
	}
	return r.inner.Wait(ctx, d, last)
}

// resultRepeater keeps a ResultRetrier's result predicate visible to the
// pipeline.
type resultRepeater struct {
	repeater
	rr resilience.ResultRetrier[*http.Response]
}

func (r resultRepeater) RetryResult(resp *http.Response) bool { return r.rr.RetryResult(resp) }
