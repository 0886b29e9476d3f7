package resilience

import (
	"context"
	"time"
)

// Policy is any value that implements at least one of the policy
// interfaces: Guard, Scope, Repeater or Recoverer[R]. NewPipeline rejects
// anything else with ErrUnknownPolicy.
type Policy any

// A Guard admits or rejects calls and observes their outcomes. Circuit
// breakers, rate limiters, bulkheads, adaptive limiters and fault injection
// are guards. Guards are shared by every caller of one dependency and are
// safe for concurrent use.
//
// The two-step API needs no closure and does not allocate:
//
//	permit, err := g.Acquire(ctx)
//	if err != nil {
//		return err // matches ErrRejected when the guard refused the call
//	}
//	err = call(ctx)
//	permit.Done(err)
type Guard interface {
	// Acquire asks to run one call. It returns a Permit, whose Done must be
	// called exactly once when the call has finished, or an error when the
	// call must not run.
	Acquire(ctx context.Context) (Permit, error)
	// Release is called by Permit.Done; callers use Permit.Done instead.
	Release(p Permit, err error)
}

// A Permit is an admission granted by a Guard. Call Done exactly once with
// the call's error (nil on success); the guard classifies it. The zero Permit
// is valid and its Done does nothing.
type Permit struct {
	guard Guard
	token uint64
	start int64
}

// NewPermit is for Guard implementations: token and start are theirs to
// interpret (a generation, a probe flag, the clock reading at admission).
func NewPermit(g Guard, token uint64, start int64) Permit {
	return Permit{guard: g, token: token, start: start}
}

// Token returns the guard-private token given to NewPermit.
func (p Permit) Token() uint64 { return p.token }

// Start returns the guard-private start reading given to NewPermit.
func (p Permit) Start() int64 { return p.start }

// Done reports the call's outcome to the guard that granted the permit.
func (p Permit) Done(err error) {
	if p.guard != nil {
		p.guard.Release(p, err)
	}
}

// DoneContext reports the outcome like Done, passing ctx, the context the
// call ran in, to guards that implement ContextReleaser. Pipelines call it;
// it allocates nothing.
func (p Permit) DoneContext(ctx context.Context, err error) {
	switch g := p.guard.(type) {
	case nil:
	case ContextReleaser:
		g.ReleaseContext(ctx, p, err)
	default:
		g.Release(p, err)
	}
}

// A ContextReleaser is a Guard that also wants the call's context when the
// outcome is reported, for example to annotate the caller's trace span.
// Pipelines call ReleaseContext instead of Release for such guards (through
// Permit.DoneContext); Permit.Done still calls Release, so Release must
// work without a context.
type ContextReleaser interface {
	Guard
	// ReleaseContext is Release with the context the call ran in.
	ReleaseContext(ctx context.Context, p Permit, err error)
}

// A Scope bounds the context one call runs in: timeouts are scopes.
type Scope interface {
	// Enter derives the call's context from ctx. A nil CancelFunc means
	// nothing needs releasing. An error stops the call before it runs.
	Enter(ctx context.Context) (context.Context, context.CancelFunc, error)
	// Exit translates the call's error now that it has finished in inner,
	// derived from outer, for example into a timeout error.
	Exit(outer, inner context.Context, err error) error
}

// Attempts is the state of one execution's attempts, kept by value so that
// retrying allocates nothing.
type Attempts struct {
	// Number is the 1-based number of the current attempt.
	Number int
	// Start is the Repeater's clock reading (nanoseconds) when the first
	// attempt began.
	Start int64
	// LastDelay is the wait before the current attempt; zero before the
	// first.
	LastDelay time.Duration
	// Token is private to the Repeater.
	Token uint64
}

// A Repeater runs a call again after a failure: retry policies are
// repeaters.
type Repeater interface {
	// BeginAttempts starts an execution; the result has Number 1.
	BeginAttempts(ctx context.Context) Attempts
	// NextAttempt decides, after attempt a finished with err, whether to run
	// another. retryResult is true when err is nil but the result predicate
	// of a ResultRetrier asked for another attempt. It returns the next
	// attempt's state and the wait before it, or retry false and the error
	// the execution ends with.
	NextAttempt(ctx context.Context, a Attempts, err error, retryResult bool) (next Attempts, delay time.Duration, retry bool, final error)
	// Wait blocks for d or until ctx is done. A non-nil error ends the
	// execution with that error; last is the error of the attempt that just
	// failed, for wrapping.
	Wait(ctx context.Context, d time.Duration, last error) error
}

// A ResultRetrier is a Repeater that can also ask for another attempt after
// a successful call whose result is unacceptable (an empty page, a "try
// later" payload).
type ResultRetrier[R any] interface {
	Repeater
	RetryResult(r R) bool
}

// A Recoverer may replace a call's result: fallbacks are recoverers. It sees
// every outcome, successes included, so a stale cache can remember them.
type Recoverer[R any] interface {
	// Recover returns the result and error to pass on, and degraded true
	// when it served a substitute for the real result.
	Recover(ctx context.Context, r R, err error) (R, error, bool)
}

type attemptKey struct{}

// WithAttempt returns a context that carries the 1-based attempt number, so
// transports can tell the server (see AttemptFromContext). Pipelines set it
// for every attempt after the first.
func WithAttempt(ctx context.Context, n int) context.Context {
	return context.WithValue(ctx, attemptKey{}, n)
}

// AttemptFromContext returns the attempt number carried by ctx, or 1 when
// there is none.
func AttemptFromContext(ctx context.Context) int {
	if n, ok := ctx.Value(attemptKey{}).(int); ok && n > 0 {
		return n
	}
	return 1
}
