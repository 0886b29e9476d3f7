package resilience_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/resilience-go/resilience"
)

// trace records the order in which test policies see a call.
type trace struct{ steps []string }

func (tr *trace) add(format string, args ...any) {
	tr.steps = append(tr.steps, fmt.Sprintf(format, args...))
}

// recordingGuard admits calls unless refuse is set, and records outcomes.
type recordingGuard struct {
	name   string
	tr     *trace
	refuse error
	done   []error
}

func (g *recordingGuard) Acquire(context.Context) (resilience.Permit, error) {
	if g.tr != nil {
		g.tr.add("%s:acquire", g.name)
	}
	if g.refuse != nil {
		return resilience.Permit{}, g.refuse
	}
	return resilience.NewPermit(g, 7, 11), nil
}

func (g *recordingGuard) Release(p resilience.Permit, err error) {
	if p.Token() != 7 || p.Start() != 11 {
		panic("permit lost its token")
	}
	if g.tr != nil {
		g.tr.add("%s:done(%v)", g.name, err)
	}
	g.done = append(g.done, err)
}

// countingRepeater retries up to max attempts, with no wait.
type countingRepeater struct {
	max        int
	waitErr    error
	lastResult bool
}

func (r *countingRepeater) BeginAttempts(context.Context) resilience.Attempts {
	return resilience.Attempts{Number: 1}
}

func (r *countingRepeater) NextAttempt(_ context.Context, a resilience.Attempts, err error, retryResult bool) (resilience.Attempts, time.Duration, bool, error) {
	r.lastResult = retryResult
	if (err == nil && !retryResult) || a.Number >= r.max {
		return a, 0, false, err
	}
	a.Number++
	return a, time.Millisecond, true, nil
}

func (r *countingRepeater) Wait(context.Context, time.Duration, error) error { return r.waitErr }

type resultRetrier struct {
	countingRepeater
	bad int
}

func (r *resultRetrier) RetryResult(v int) bool { return v == r.bad }

// valueRecoverer substitutes v for any error.
type valueRecoverer struct{ v int }

func (f valueRecoverer) Recover(_ context.Context, r int, err error) (int, error, bool) {
	if err == nil {
		return r, nil, false
	}
	return f.v, nil, true
}

type boundScope struct{ entered, exited int }

type scopeKey struct{}

func (s *boundScope) Enter(ctx context.Context) (context.Context, context.CancelFunc, error) {
	s.entered++
	return context.WithValue(ctx, scopeKey{}, "inside"), nil, nil
}

func (s *boundScope) Exit(_, _ context.Context, err error) error {
	s.exited++
	if err != nil {
		return fmt.Errorf("scoped: %w", err)
	}
	return nil
}

var errBoom = errors.New("boom")

func TestPipelineOrderOutermostFirst(t *testing.T) {
	tr := &trace{}
	outer := &recordingGuard{name: "outer", tr: tr}
	inner := &recordingGuard{name: "inner", tr: tr}
	p, err := resilience.NewPipeline[string](outer, inner)
	if err != nil {
		t.Fatal(err)
	}
	got, err := p.Execute(context.Background(), func(context.Context) (string, error) {
		tr.add("call")
		return "ok", nil
	})
	if got != "ok" || err != nil {
		t.Fatalf("Execute = %q, %v want ok, nil", got, err)
	}
	want := "outer:acquire inner:acquire call inner:done(<nil>) outer:done(<nil>)"
	if g := strings.Join(tr.steps, " "); g != want {
		t.Fatalf("order = %s\nwant    %s", g, want)
	}
}

func TestPipelineRejectionStopsInnerPolicies(t *testing.T) {
	refusal := fmt.Errorf("test: refused: %w", resilience.ErrRejected)
	outer := &recordingGuard{name: "outer"}
	refusing := &recordingGuard{name: "refusing", refuse: refusal}
	inner := &recordingGuard{name: "inner"}
	p, _ := resilience.NewPipeline[int](outer, refusing, inner)
	called := false
	_, err := p.Execute(context.Background(), func(context.Context) (int, error) { called = true; return 1, nil })
	if !errors.Is(err, resilience.ErrRejected) || called {
		t.Fatalf("Execute = %v (called %v) want ErrRejected and no call", err, called)
	}
	if len(inner.done) != 0 || len(outer.done) != 1 || !errors.Is(outer.done[0], resilience.ErrRejected) {
		t.Fatalf("outer saw %v, inner saw %v; want outer to see the rejection and inner nothing", outer.done, inner.done)
	}
}

func TestPipelinePanicIsRecordedAndPropagated(t *testing.T) {
	g := &recordingGuard{name: "g"}
	p, _ := resilience.NewPipeline[int](g)
	defer func() {
		r := recover()
		if r != "kaboom" {
			t.Fatalf("recovered %v want kaboom", r)
		}
		if len(g.done) != 1 || !errors.Is(g.done[0], resilience.ErrPanicked) {
			t.Fatalf("guard saw %v want [ErrPanicked]", g.done)
		}
	}()
	_, _ = p.Execute(context.Background(), func(context.Context) (int, error) { panic("kaboom") })
	t.Fatal("Execute returned instead of panicking")
}

func TestPipelineRepeater(t *testing.T) {
	tests := []struct {
		name         string
		failures     int // calls that fail before one succeeds
		max          int
		wantErr      error
		wantAttempts int
	}{
		{"first-success", 0, 3, nil, 1},
		{"second-success", 1, 3, nil, 2},
		{"exhausted", 5, 3, errBoom, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := &recordingGuard{name: "inner"}
			p, _ := resilience.NewPipeline[int](&countingRepeater{max: tt.max}, g)
			calls := 0
			var seen []int
			res := p.Do(context.Background(), func(ctx context.Context) (int, error) {
				calls++
				seen = append(seen, resilience.AttemptFromContext(ctx))
				if calls <= tt.failures {
					return 0, errBoom
				}
				return 42, nil
			})
			if !errors.Is(res.Err, tt.wantErr) || (tt.wantErr == nil && res.Err != nil) {
				t.Fatalf("Do err = %v want %v", res.Err, tt.wantErr)
			}
			if res.Attempts != tt.wantAttempts || calls != tt.wantAttempts || len(g.done) != tt.wantAttempts {
				t.Fatalf("attempts = %d, calls = %d, guard outcomes = %d; want %d", res.Attempts, calls, len(g.done), tt.wantAttempts)
			}
			for i, n := range seen {
				if n != i+1 {
					t.Fatalf("attempt numbers in ctx = %v want 1..%d", seen, tt.wantAttempts)
				}
			}
		})
	}
}

func TestPipelineRepeaterWaitErrorEndsExecution(t *testing.T) {
	stop := errors.New("cancelled during backoff")
	p, _ := resilience.NewPipeline[int](&countingRepeater{max: 5, waitErr: stop})
	calls := 0
	res := p.Do(context.Background(), func(context.Context) (int, error) { calls++; return 0, errBoom })
	if !errors.Is(res.Err, stop) || calls != 1 {
		t.Fatalf("Do = %v after %d calls want %v after 1", res.Err, calls, stop)
	}
}

func TestPipelineResultRetrier(t *testing.T) {
	rr := &resultRetrier{countingRepeater: countingRepeater{max: 4}, bad: -1}
	p, _ := resilience.NewPipeline[int](rr)
	results := []int{-1, -1, 5}
	calls := 0
	got, err := p.Execute(context.Background(), func(context.Context) (int, error) {
		v := results[calls]
		calls++
		return v, nil
	})
	if got != 5 || err != nil || calls != 3 {
		t.Fatalf("Execute = %d, %v after %d calls want 5, nil after 3", got, err, calls)
	}
}

func TestPipelineRecovererMarksDegraded(t *testing.T) {
	p, _ := resilience.NewPipeline[int](valueRecoverer{v: -7}, &recordingGuard{name: "g"})
	res := p.Do(context.Background(), func(context.Context) (int, error) { return 0, errBoom })
	if res.Value != -7 || res.Err != nil || !res.Degraded {
		t.Fatalf("Do = %+v want value -7, no error, degraded", res)
	}
	res = p.Do(context.Background(), func(context.Context) (int, error) { return 3, nil })
	if res.Value != 3 || res.Degraded {
		t.Fatalf("Do = %+v want value 3, not degraded", res)
	}
}

func TestPipelineScope(t *testing.T) {
	s := &boundScope{}
	p, _ := resilience.NewPipeline[string](s)
	got, err := p.Execute(context.Background(), func(ctx context.Context) (string, error) {
		return ctx.Value(scopeKey{}).(string), errBoom
	})
	if got != "inside" || !errors.Is(err, errBoom) || !strings.HasPrefix(err.Error(), "scoped:") {
		t.Fatalf("Execute = %q, %v want inside, scoped: boom", got, err)
	}
	if s.entered != 1 || s.exited != 1 {
		t.Fatalf("entered %d exited %d want 1 and 1", s.entered, s.exited)
	}
}

func TestNewPipelineRejectsNonPolicies(t *testing.T) {
	for _, v := range []resilience.Policy{nil, 42, "retry", struct{}{}} {
		if _, err := resilience.NewPipeline[int](&recordingGuard{}, v); !errors.Is(err, resilience.ErrUnknownPolicy) {
			t.Errorf("NewPipeline(guard, %#v) err = %v want ErrUnknownPolicy", v, err)
		}
	}
}

// nopGuard admits everything and does nothing, to measure the pipeline.
type nopGuard struct{}

func (nopGuard) Acquire(context.Context) (resilience.Permit, error) {
	return resilience.NewPermit(nopGuard{}, 0, 0), nil
}
func (nopGuard) Release(resilience.Permit, error) {}

func TestPipelineExecuteDoesNotAllocate(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	p, _ := resilience.NewPipeline[int](nopGuard{}, &countingRepeater{max: 3}, valueRecoverer{}, nopGuard{})
	ctx := context.Background()
	captured := 5
	allocs := testing.AllocsPerRun(1000, func() {
		_, _ = p.Execute(ctx, func(context.Context) (int, error) { return captured, nil })
	})
	if allocs != 0 {
		t.Fatalf("Execute allocates %v times per call; want 0", allocs)
	}
}

func BenchmarkPipelineGuards(b *testing.B) {
	p, _ := resilience.NewPipeline[int](nopGuard{}, nopGuard{}, nopGuard{})
	ctx := context.Background()
	fn := func(context.Context) (int, error) { return 1, nil }
	b.ReportAllocs()
	for b.Loop() {
		_, _ = p.Execute(ctx, fn)
	}
}
