package otel

import (
	"context"
	"errors"
	"path"
	"reflect"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/resilience-go/resilience"
)

// Span event names, all under the resilience. namespace.
const (
	// EventRejected: a guard refused the call (or a scope refused to
	// start it). Attributes: resilience.policy, resilience.name,
	// resilience.error.
	EventRejected = "resilience.rejected"
	// EventRetry: a repeater starts another attempt. Attributes:
	// resilience.attempt (the 1-based number of the attempt about to
	// start), resilience.delay (seconds), resilience.error (the failed
	// attempt's error; empty when a result was retried).
	EventRetry = "resilience.retry"
	// EventRetryStopped: a repeater stopped retrying with an error.
	// Attributes: resilience.attempt (attempts made), resilience.error.
	EventRetryStopped = "resilience.retry_stopped"
	// EventFallback: a recoverer served a degraded result. Attributes:
	// resilience.error (the error it replaced).
	EventFallback = "resilience.fallback"
	// EventTimeout: a scope's own time bound ended the call. Attributes:
	// resilience.error.
	EventTimeout = "resilience.timeout"
)

// Trace wraps each policy so that, with a recording span in the call's
// context, it adds span events: guard rejections, circuit breaker state
// changes, retries with their attempt number and delay, retries given up,
// fallbacks served and timeouts. Pass the result to resilience.NewPipeline:
//
//	p, err := resilience.NewPipeline[T](otel.Trace[T](fb, lim, br, rt, to)...)
//
// Each wrapper keeps its policy's kind of stage (a Recoverer[R] first,
// then Guard, Scope, Repeater, as NewPipeline does) and, for a
// ResultRetrier[R], its result predicate. Values that are not policies,
// and policies Trace already wrapped, pass through unchanged. Without a
// recording span, a wrapper costs an indirect call per stage and allocates
// nothing; a breaker's (or StateReporter's) wrapper also reads its state
// after each Acquire and Release, so that each state change is reported
// once, on the span of the first call to see it (normally the call that
// caused it). Changes made outside traced pipelines (ForceOpen, Reset,
// calls through the breaker directly) are reported by the next traced
// call. A breaker shared by several pipelines is tracked once however
// often it is traced; a StateReporter once per wrapper, so trace it once
// and pass the wrapper to each pipeline (guards are not generic).
//
// Events carry resilience.policy (the policy's package: "circuitbreaker",
// "ratelimit", ...) and, for policies with a Name method, resilience.name.
func Trace[R any](policies ...resilience.Policy) []resilience.Policy {
	out := make([]resilience.Policy, len(policies))
	for i, p := range policies {
		out[i] = tracePolicy[R](p)
	}
	return out
}

// traced is implemented by the wrappers Trace makes.
type traced interface{ tracedPolicy() }

func tracePolicy[R any](p resilience.Policy) resilience.Policy {
	if _, ok := p.(traced); ok {
		return p
	}
	id := identify(p)
	switch v := p.(type) {
	case nil:
		return nil
	case resilience.Recoverer[R]:
		return &tracedRecoverer[R]{inner: v, id: id}
	case resilience.Guard:
		if sg := traceState(v, id); sg != nil {
			return sg
		}
		return &tracedGuard{inner: v, id: id}
	case resilience.Scope:
		return &tracedScope{inner: v, id: id}
	case resilience.Repeater:
		rr, _ := v.(resilience.ResultRetrier[R])
		if rr != nil {
			return &tracedResultRetrier[R]{tracedRepeater{inner: v, id: id}, rr}
		}
		return &tracedRepeater{inner: v, id: id}
	}
	return p
}

// identity holds the attributes naming a policy.
type identity []attribute.KeyValue

func identify(p resilience.Policy) identity {
	if p == nil {
		return nil
	}
	t := reflect.TypeOf(p)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	pkg := path.Base(t.PkgPath())
	if pkg == "." || pkg == "" {
		pkg = t.String()
	}
	id := identity{attribute.String("resilience.policy", pkg)}
	if n, ok := p.(interface{ Name() string }); ok && n.Name() != "" {
		id = append(id, attribute.String("resilience.name", n.Name()))
	}
	return id
}

// add records a span event on ctx's span if it is recording.
func (id identity) add(ctx context.Context, name string, kv ...attribute.KeyValue) {
	span := trace.SpanFromContext(ctx)
	if !span.IsRecording() {
		return
	}
	attrs := make([]attribute.KeyValue, 0, len(id)+len(kv))
	attrs = append(append(attrs, id...), kv...)
	span.AddEvent(name, trace.WithAttributes(attrs...))
}

func errAttr(err error) attribute.KeyValue {
	if err == nil {
		return attribute.String("resilience.error", "")
	}
	return attribute.String("resilience.error", err.Error())
}

type tracedGuard struct {
	inner resilience.Guard
	id    identity
}

func (g *tracedGuard) Acquire(ctx context.Context) (resilience.Permit, error) {
	p, err := g.inner.Acquire(ctx)
	if err != nil {
		g.id.add(ctx, EventRejected, errAttr(err))
	}
	return p, err
}

// Release is never called: Acquire returns the inner guard's own permit.
func (g *tracedGuard) Release(p resilience.Permit, err error) { g.inner.Release(p, err) }

func (*tracedGuard) tracedPolicy()        {}
func (*tracedScope) tracedPolicy()        {}
func (*tracedRepeater) tracedPolicy()     {}
func (*tracedRecoverer[R]) tracedPolicy() {}

type tracedScope struct {
	inner resilience.Scope
	id    identity
}

func (s *tracedScope) Enter(ctx context.Context) (context.Context, context.CancelFunc, error) {
	inner, cancel, err := s.inner.Enter(ctx)
	if err != nil {
		s.id.add(ctx, EventRejected, errAttr(err))
	}
	return inner, cancel, err
}

func (s *tracedScope) Exit(outer, inner context.Context, err error) error {
	err = s.inner.Exit(outer, inner, err)
	if err != nil && inner.Err() != nil && outer.Err() == nil {
		s.id.add(outer, EventTimeout, errAttr(err))
	}
	return err
}

type tracedRepeater struct {
	inner resilience.Repeater
	id    identity
}

func (r *tracedRepeater) BeginAttempts(ctx context.Context) resilience.Attempts {
	return r.inner.BeginAttempts(ctx)
}

func (r *tracedRepeater) NextAttempt(ctx context.Context, a resilience.Attempts, err error, retryResult bool) (resilience.Attempts, time.Duration, bool, error) {
	next, delay, again, final := r.inner.NextAttempt(ctx, a, err, retryResult)
	switch {
	case again:
		r.id.add(ctx, EventRetry, attribute.Int("resilience.attempt", next.Number),
			attribute.Float64("resilience.delay", delay.Seconds()), errAttr(err))
	case final != nil:
		r.id.add(ctx, EventRetryStopped, attribute.Int("resilience.attempt", a.Number), errAttr(final))
	}
	return next, delay, again, final
}

func (r *tracedRepeater) Wait(ctx context.Context, d time.Duration, last error) error {
	return r.inner.Wait(ctx, d, last)
}

type tracedResultRetrier[R any] struct {
	tracedRepeater
	rr resilience.ResultRetrier[R]
}

func (r *tracedResultRetrier[R]) RetryResult(v R) bool { return r.rr.RetryResult(v) }

type tracedRecoverer[R any] struct {
	inner resilience.Recoverer[R]
	id    identity
}

func (r *tracedRecoverer[R]) Recover(ctx context.Context, v R, err error) (R, error, bool) {
	out, outErr, degraded := r.inner.Recover(ctx, v, err)
	if degraded {
		r.id.add(ctx, EventFallback, errAttr(err))
	}
	return out, outErr, degraded
}

// Do runs fn through p like p.Do and sets, on ctx's span if it is
// recording, the attributes resilience.attempts, resilience.degraded and
// resilience.rejected (the error matches resilience.ErrRejected).
func Do[R any](ctx context.Context, p *resilience.Pipeline[R], fn func(context.Context) (R, error)) resilience.Result[R] {
	res := p.Do(ctx, fn)
	if span := trace.SpanFromContext(ctx); span.IsRecording() {
		span.SetAttributes(
			attribute.Int("resilience.attempts", res.Attempts),
			attribute.Bool("resilience.degraded", res.Degraded),
			attribute.Bool("resilience.rejected", isRejected(res.Err)),
		)
	}
	return res
}

func isRejected(err error) bool { return err != nil && errors.Is(err, resilience.ErrRejected) }
