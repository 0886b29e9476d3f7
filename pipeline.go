package resilience

import (
	"context"
	"fmt"
)

// Pipeline composes policies around calls that produce an R. Build it once
// with NewPipeline and share it: it is safe for concurrent use, and Execute
// allocates nothing unless a policy in it does (a timeout's context, a retry's
// attempt number).
type Pipeline[R any] struct {
	stages []stage[R]
}

type stageKind uint8

const (
	kindGuard stageKind = iota + 1
	kindScope
	kindRepeater
	kindRecoverer
)

type stage[R any] struct {
	kind        stageKind
	guard       Guard
	scope       Scope
	repeater    Repeater
	retryResult func(R) bool
	recoverer   Recoverer[R]
}

// Result is what Pipeline.Do returns: the value and error of Execute, plus
// how the pipeline got them.
type Result[R any] struct {
	// Value is the call's result, or a fallback's.
	Value R
	// Err is the error the execution ended with.
	Err error
	// Degraded is true when a Recoverer served a substitute value.
	Degraded bool
	// Attempts is the number of attempts a Repeater made; 1 without one.
	Attempts int
}

// NewPipeline composes policies, outermost first: the first policy sees the
// call before all others and its outcome after all others. Each policy must
// implement Guard, Scope, Repeater or Recoverer[R]; a value implementing
// several is used as the first of those in that order, except that a
// Recoverer[R] wins over the others.
func NewPipeline[R any](policies ...Policy) (*Pipeline[R], error) {
	p := &Pipeline[R]{stages: make([]stage[R], 0, len(policies))}
	for i, pol := range policies {
		var s stage[R]
		switch v := pol.(type) {
		case nil:
			return nil, fmt.Errorf("resilience: policy %d is nil: %w", i, ErrUnknownPolicy)
		case Recoverer[R]:
			s = stage[R]{kind: kindRecoverer, recoverer: v}
		case Guard:
			s = stage[R]{kind: kindGuard, guard: v}
		case Scope:
			s = stage[R]{kind: kindScope, scope: v}
		case Repeater:
			s = stage[R]{kind: kindRepeater, repeater: v}
			if rr, ok := v.(ResultRetrier[R]); ok {
				s.retryResult = rr.RetryResult
			}
		default:
			return nil, fmt.Errorf("resilience: policy %d (%T): %w", i, pol, ErrUnknownPolicy)
		}
		p.stages = append(p.stages, s)
	}
	return p, nil
}

// Execute runs fn through the pipeline's policies and returns its result, or
// the error of the policy that stopped it. A panic in fn is recorded by the
// guards as a failure (ErrPanicked) and propagates unchanged.
func (p *Pipeline[R]) Execute(ctx context.Context, fn func(context.Context) (R, error)) (R, error) {
	var st execState
	return p.run(ctx, 0, fn, &st)
}

// Do is Execute that also reports whether the value is degraded and how many
// attempts were made.
func (p *Pipeline[R]) Do(ctx context.Context, fn func(context.Context) (R, error)) Result[R] {
	st := execState{attempts: 1}
	r, err := p.run(ctx, 0, fn, &st)
	return Result[R]{Value: r, Err: err, Degraded: st.degraded, Attempts: st.attempts}
}

// execState collects what Do reports; it lives on Execute's stack.
type execState struct {
	degraded bool
	attempts int
}

func (p *Pipeline[R]) run(ctx context.Context, i int, fn func(context.Context) (R, error), st *execState) (R, error) {
	if i == len(p.stages) {
		return fn(ctx)
	}
	s := &p.stages[i]
	switch s.kind {
	case kindGuard:
		return p.runGuard(ctx, i, s.guard, fn, st)
	case kindScope:
		return p.runScope(ctx, i, s.scope, fn, st)
	case kindRepeater:
		return p.runRepeater(ctx, i, s, fn, st)
	default:
		r, err := p.run(ctx, i+1, fn, st)
		r, err, degraded := s.recoverer.Recover(ctx, r, err)
		if degraded {
			st.degraded = true
		}
		return r, err
	}
}

func (p *Pipeline[R]) runGuard(ctx context.Context, i int, g Guard, fn func(context.Context) (R, error), st *execState) (r R, err error) {
	permit, err := g.Acquire(ctx)
	if err != nil {
		return r, err
	}
	finished := false
	defer func() {
		if !finished {
			permit.DoneContext(ctx, ErrPanicked)
		}
	}()
	r, err = p.run(ctx, i+1, fn, st)
	finished = true
	permit.DoneContext(ctx, err)
	return r, err
}

func (p *Pipeline[R]) runScope(ctx context.Context, i int, sc Scope, fn func(context.Context) (R, error), st *execState) (r R, err error) {
	inner, cancel, err := sc.Enter(ctx)
	if err != nil {
		return r, err
	}
	if cancel != nil {
		defer cancel()
	}
	r, err = p.run(inner, i+1, fn, st)
	return r, sc.Exit(ctx, inner, err)
}

func (p *Pipeline[R]) runRepeater(ctx context.Context, i int, s *stage[R], fn func(context.Context) (R, error), st *execState) (R, error) {
	a := s.repeater.BeginAttempts(ctx)
	for {
		actx := ctx
		if a.Number > 1 {
			actx = WithAttempt(ctx, a.Number)
		}
		r, err := p.run(actx, i+1, fn, st)
		retryResult := err == nil && s.retryResult != nil && s.retryResult(r)
		next, delay, again, final := s.repeater.NextAttempt(ctx, a, err, retryResult)
		if !again {
			st.attempts = a.Number
			return r, final
		}
		if werr := s.repeater.Wait(ctx, delay, err); werr != nil {
			st.attempts = a.Number
			return r, werr
		}
		a = next
	}
}
