package fallback

import (
	"context"
	"fmt"
	"sync/atomic"

	"github.com/resilience-go/resilience"
)

// A Step is one degradation of a Chain: a secondary source, a cache, a
// stub. Steps are values, built once with the Chain.
type Step[R any] struct {
	// Name identifies the step in events (Event.Detail) and Stats; it must
	// not be empty.
	Name string
	// When reports whether the step handles the call's error (always the
	// original error, not an earlier step's). Nil means OnTransient.
	When func(error) bool
	// Handle produces the substitute result from the call's context and
	// error. A nil error means the step served and the chain stops; an
	// error passes on to the next step. It must not be nil.
	Handle func(ctx context.Context, err error) (R, error)
	// Observe, when set, sees every successful result that passes through
	// the chain, so that a step can remember it (see StaleCache.Step). Nil
	// means the step does not care.
	Observe func(ctx context.Context, r R)
}

// Stub returns a Step named name that serves v for every transient error.
func Stub[R any](name string, v R) Step[R] {
	return Step[R]{Name: name, Handle: func(context.Context, error) (R, error) { return v, nil }}
}

// Config configures a Chain. Its zero value is valid.
type Config struct {
	// Name names the chain in its events. Empty means "".
	Name string `yaml:"name" json:"name"`
	// Classifier decides how the call's error counts. Errors it counts as a
	// success (business errors marked with resilience.MarkSuccess) are
	// never handled by any step, whatever the step's When: a fallback must
	// not hide a validation error. Nil means resilience.Classify.
	Classifier resilience.Classifier `yaml:"-" json:"-"`
	// Listener receives an EventFallback (Detail: the step's name) when a
	// step serves, and an EventFailure (Detail: the step's name, Err: its
	// error) when a step that handled the error failed too. Nil means no
	// events.
	Listener resilience.Listener `yaml:"-" json:"-"`
}

// A Chain degrades a failed call through its steps in order, primary →
// fallback 1 → … → stub, until one serves. A step is tried only when its
// When holds for the call's error; by default (When nil) only for
// transient errors (OnTransient): a rejection, a timeout, a network error,
// a 502/503/504. Errors that the Classifier counts as successes are never
// handled. When no step serves, the call's original error and result are
// returned unchanged (each failed step is reported to the Listener), so
// errors.Is on the result sees exactly what the dependency said.
//
// Chain implements resilience.Recoverer[R], so it composes in a pipeline,
// usually outermost:
//
//	p, _ := resilience.NewPipeline[T](chain, breaker, retry, timeout)
//	res := p.Do(ctx, call) // res.Degraded is true when a step served
//
// Use Do or Execute on their own without a pipeline. A Chain is immutable
// and safe for concurrent use; recovering allocates nothing beyond what
// the steps do. Most callers want Do.
type Chain[R any] struct {
	name      string
	classify  resilience.Classifier
	listener  resilience.Listener
	steps     []chainStep[R]
	observers bool

	unhandled, exhausted atomic.Uint64
}

type chainStep[R any] struct {
	Step[R]
	served, failed atomic.Uint64
}

var _ resilience.Recoverer[int] = (*Chain[int])(nil)

// New returns a Chain that tries steps in order, or an error naming the
// first invalid step.
func New[R any](cfg Config, steps ...Step[R]) (*Chain[R], error) {
	if len(steps) == 0 {
		return nil, fmt.Errorf("fallback: Steps is empty, need at least one step")
	}
	c := &Chain[R]{name: cfg.Name, classify: cfg.Classifier, listener: cfg.Listener, steps: make([]chainStep[R], len(steps))}
	if c.classify == nil {
		c.classify = resilience.Classify
	}
	for i, s := range steps {
		if s.Name == "" {
			return nil, fmt.Errorf("fallback: Steps[%d] Name is empty", i)
		}
		if s.Handle == nil {
			return nil, fmt.Errorf("fallback: Steps[%d] (%s) Handle is nil", i, s.Name)
		}
		if s.When == nil {
			s.When = OnTransient
		}
		c.steps[i].Step = s
		c.observers = c.observers || s.Observe != nil
	}
	return c, nil
}

// Recover implements resilience.Recoverer[R]: it passes successes through
// (showing them to the steps' Observe) and tries the steps on a failure.
// degraded is true when a step served.
func (c *Chain[R]) Recover(ctx context.Context, r R, err error) (R, error, bool) {
	if err == nil {
		if c.observers {
			for i := range c.steps {
				if obs := c.steps[i].Observe; obs != nil {
					obs(ctx, r)
				}
			}
		}
		return r, nil, false
	}
	if c.classify(err) == resilience.OutcomeSuccess {
		c.unhandled.Add(1)
		return r, err, false
	}
	handled := false
	for i := range c.steps {
		s := &c.steps[i]
		if !s.When(err) {
			continue
		}
		handled = true
		v, serr := s.Handle(ctx, err)
		if serr == nil {
			s.served.Add(1)
			if c.listener != nil {
				c.listener.OnEvent(resilience.Event{Kind: resilience.EventFallback, Policy: "fallback", Name: c.name, Err: err, Detail: s.Name})
			}
			return v, nil, true
		}
		s.failed.Add(1)
		if c.listener != nil {
			c.listener.OnEvent(resilience.Event{Kind: resilience.EventFailure, Policy: "fallback", Name: c.name, Err: serr, Detail: s.Name})
		}
	}
	if handled {
		c.exhausted.Add(1)
	} else {
		c.unhandled.Add(1)
	}
	return r, err, false
}

// Execute calls fn and recovers its outcome through the chain.
func (c *Chain[R]) Execute(ctx context.Context, fn func(context.Context) (R, error)) (R, error) {
	r, err := fn(ctx)
	r, err, _ = c.Recover(ctx, r, err)
	return r, err
}

// Do is Execute that also reports, like resilience.Pipeline.Do, whether the
// value is degraded (a step served it). Attempts is always 1.
func (c *Chain[R]) Do(ctx context.Context, fn func(context.Context) (R, error)) resilience.Result[R] {
	r, err := fn(ctx)
	r, err, degraded := c.Recover(ctx, r, err)
	return resilience.Result[R]{Value: r, Err: err, Degraded: degraded, Attempts: 1}
}

// Stats counts what a Chain has done since it was built.
type Stats struct {
	// Unhandled counts failures no step handled (no When held, or the
	// Classifier counted the error as a success): passed on unchanged.
	Unhandled uint64
	// Exhausted counts failures that steps handled but none served.
	Exhausted uint64
	// Steps has one entry per step, in order.
	Steps []StepStats
}

// StepStats counts what one step has done.
type StepStats struct {
	// Name is the step's name.
	Name string
	// Served counts the results the step served.
	Served uint64
	// Failed counts the times the step handled an error but failed too.
	Failed uint64
}

// Stats returns the chain's counters; it allocates the Steps slice.
func (c *Chain[R]) Stats() Stats {
	st := Stats{Unhandled: c.unhandled.Load(), Exhausted: c.exhausted.Load(), Steps: make([]StepStats, len(c.steps))}
	for i := range c.steps {
		s := &c.steps[i]
		st.Steps[i] = StepStats{Name: s.Name, Served: s.served.Load(), Failed: s.failed.Load()}
	}
	return st
}
