package retry

import (
	"context"
	"math/rand/v2"
	"sync/atomic"
	"time"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/clock"
)

// Policy retries failed calls with backoff. It implements
// resilience.Repeater, so it goes into a resilience.Pipeline; Do and
// DoValue run it standalone, and OnResult adds a result predicate.
//
// A Policy is safe for concurrent use and is meant to be shared by every
// caller of one dependency: it keeps no per-call state, only a running
// estimate of the attempt latency (for deadline-aware retries) and
// counters (see Stats). Make one with New; the zero Policy is not usable.
type Policy struct {
	name        string
	maxAttempts int
	maxElapsed  time.Duration
	backoff     BackoffConfig
	capDelay    time.Duration
	retryIf     func(error) bool
	budget      *Budget
	listener    resilience.Listener
	clock       clock.Clock
	random      func() float64
	// needClock is set when every execution needs a clock reading at its
	// start: MaxElapsed, or a Listener that wants latencies.
	needClock bool

	latency   atomic.Int64 // EWMA of attempt latencies, in nanoseconds
	retries   atomic.Uint64
	exhausted atomic.Uint64
	skipped   atomic.Uint64
}

var _ resilience.Repeater = (*Policy)(nil)

// New returns a Policy configured by cfg, or cfg.Validate's error.
func New(cfg Config) (*Policy, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	p := &Policy{
		name:        cfg.Name,
		maxAttempts: cfg.MaxAttempts,
		maxElapsed:  cfg.MaxElapsed,
		backoff:     cfg.Backoff,
		capDelay:    cfg.Backoff.Cap(),
		retryIf:     cfg.RetryIf,
		budget:      cfg.Budget,
		listener:    cfg.Listener,
		clock:       clock.Or(cfg.Clock),
		random:      cfg.Random,
	}
	if p.maxAttempts == 0 {
		p.maxAttempts = DefaultMaxAttempts
	}
	if p.retryIf == nil {
		p.retryIf = DefaultRetryIf
	}
	if p.random == nil {
		p.random = rand.Float64
	}
	p.needClock = p.maxElapsed > 0 || p.listener != nil
	return p, nil
}

// BeginAttempts starts an execution: it records a request with the Budget,
// if any, and reads the clock only when MaxElapsed, a Listener or a
// deadline on ctx needs it.
func (p *Policy) BeginAttempts(ctx context.Context) resilience.Attempts {
	if p.budget != nil {
		p.budget.Request()
	}
	if !p.needClock {
		if _, ok := ctx.Deadline(); !ok {
			return resilience.Attempts{Number: 1}
		}
	}
	now := p.clock.Nanotime()
	return resilience.Attempts{Number: 1, Start: now, Token: uint64(now)}
}

// NextAttempt decides whether attempt a, which ended with err, is retried.
// A success ends the execution at once. A failure is retried when ctx is
// still alive, the error is not Permanent, RetryIf accepts it, attempts and
// MaxElapsed remain, a Retry-After hint is within the backoff cap, ctx's
// deadline leaves room for the delay plus a typical attempt, and the Budget
// grants a retry. See the package documentation for the errors returned.
func (p *Policy) NextAttempt(ctx context.Context, a resilience.Attempts, err error, retryResult bool) (resilience.Attempts, time.Duration, bool, error) {
	if err == nil && !retryResult {
		if a.Token != 0 {
			p.observe(p.clock.Nanotime() - int64(a.Token))
		}
		return a, 0, false, nil
	}
	return p.afterFailure(ctx, a, err)
}

func (p *Policy) afterFailure(ctx context.Context, a resilience.Attempts, err error) (resilience.Attempts, time.Duration, bool, error) {
	now := p.clock.Nanotime()
	var latency time.Duration
	if a.Token != 0 {
		latency = max(0, time.Duration(now-int64(a.Token)))
		p.observe(int64(latency))
	}
	if ctx.Err() != nil {
		// The caller gave up or ran out of time: never retry.
		return a, 0, false, err
	}
	if err != nil && (IsPermanent(err) || !p.retryIf(err)) {
		return a, 0, false, err
	}
	if a.Number >= p.maxAttempts {
		return p.stop(a, err, resilience.EventExhausted, "max_attempts", 0, latency)
	}
	delay := p.backoff.Delay(a.Number, a.LastDelay, p.random())
	if hint := retryAfter(err); hint > 0 {
		if hint > p.capDelay {
			return p.stop(a, err, resilience.EventRetrySkipped, "retry_after", hint, latency)
		}
		delay = max(delay, hint)
	}
	if p.maxElapsed > 0 && a.Start != 0 && time.Duration(now-a.Start)+delay >= p.maxElapsed {
		return p.stop(a, err, resilience.EventExhausted, "max_elapsed", delay, latency)
	}
	if dl, ok := ctx.Deadline(); ok && dl.Sub(p.clock.Now()) < delay+time.Duration(p.latency.Load()) {
		return p.stop(a, err, resilience.EventRetrySkipped, "deadline", delay, latency)
	}
	if p.budget != nil && !p.budget.TryRetry() {
		return p.stop(a, err, resilience.EventRetrySkipped, "budget", delay, latency)
	}
	p.retries.Add(1)
	if p.listener != nil {
		p.listener.OnEvent(resilience.Event{
			Kind: resilience.EventRetry, Policy: "retry", Name: p.name,
			Attempt: a.Number + 1, Delay: delay, Latency: latency, Err: err,
		})
	}
	next := resilience.Attempts{Number: a.Number + 1, Start: a.Start, LastDelay: delay}
	next.Token = uint64(now + int64(delay)) // the next attempt's expected start
	return next, delay, true, nil
}

// stop ends the execution after attempt a. Exhaustion wraps the last error
// in an ExhaustedError; a skipped retry returns it unchanged, unless there is
// none because a result was retried.
func (p *Policy) stop(a resilience.Attempts, err error, kind resilience.EventKind, reason string, delay, latency time.Duration) (resilience.Attempts, time.Duration, bool, error) {
	final := err
	if kind == resilience.EventExhausted {
		p.exhausted.Add(1)
	} else {
		p.skipped.Add(1)
	}
	if kind == resilience.EventExhausted || err == nil {
		final = &ExhaustedError{Attempts: a.Number, Err: err, Reason: reason}
	}
	if p.listener != nil {
		attempt := a.Number
		if kind == resilience.EventRetrySkipped {
			attempt++
		}
		p.listener.OnEvent(resilience.Event{
			Kind: kind, Policy: "retry", Name: p.name,
			Attempt: attempt, Delay: delay, Latency: latency, Err: err, Detail: reason,
		})
	}
	return a, 0, false, final
}

// observe folds one attempt latency into the running estimate: an EWMA
// with weight 1/4 that the first sample initialises, written only when it
// changes so that fast, steady calls do not contend on it. Concurrent
// updates may lose a sample, which an estimate can afford.
func (p *Policy) observe(sample int64) {
	sample = max(sample, 0)
	old := p.latency.Load()
	next := sample
	if old != 0 {
		next = old + (sample-old)/4
	}
	if next != old {
		p.latency.Store(next)
	}
}

// Wait sleeps d on the Policy's clock. If ctx ends first it returns at once
// with an error that matches both ctx's cause (context.Canceled,
// context.DeadlineExceeded or a timeout's ErrTimeout) and last.
func (p *Policy) Wait(ctx context.Context, d time.Duration, last error) error {
	cause := clock.Sleep(ctx, p.clock, d)
	if cause == nil {
		return nil
	}
	if last == nil {
		return cause
	}
	return &interruptedError{cause: cause, last: last}
}

// Stats is a snapshot of a Policy's counters.
type Stats struct {
	// Retries is how many retries were started.
	Retries uint64
	// Exhausted is how many executions ran out of attempts or MaxElapsed.
	Exhausted uint64
	// Skipped is how many retries were not started because of the Budget,
	// the caller's deadline or a Retry-After hint beyond the cap.
	Skipped uint64
	// AttemptLatency is the running estimate of an attempt's latency used
	// by the deadline check; zero until an execution with a deadline, a
	// Listener or MaxElapsed was measured.
	AttemptLatency time.Duration
}

// Stats returns the Policy's counters. It is cheap and safe to call at any
// time, for example from a metrics scrape.
func (p *Policy) Stats() Stats {
	return Stats{
		Retries:        p.retries.Load(),
		Exhausted:      p.exhausted.Load(),
		Skipped:        p.skipped.Load(),
		AttemptLatency: time.Duration(p.latency.Load()),
	}
}
