package fallback_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/fallback"
)

// recorder is a Listener that keeps events.
type recorder struct {
	mu     sync.Mutex
	events []resilience.Event
}

func (r *recorder) OnEvent(e resilience.Event) {
	r.mu.Lock()
	r.events = append(r.events, e)
	r.mu.Unlock()
}

func (r *recorder) summary() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var parts []string
	for _, e := range r.events {
		parts = append(parts, e.Kind.String()+":"+e.Detail)
	}
	return strings.Join(parts, " ")
}

var (
	errUnavailable = statusErr(503)
	errStepDown    = errors.New("secondary down")
)

func failing(err error) func(context.Context) (string, error) {
	return func(context.Context) (string, error) { return "partial", err }
}

func step(name string, when func(error) bool, v string, err error) fallback.Step[string] {
	return fallback.Step[string]{Name: name, When: when, Handle: func(context.Context, error) (string, error) { return v, err }}
}

func TestChain(t *testing.T) {
	tests := []struct {
		name     string
		steps    []fallback.Step[string]
		err      error
		want     string
		wantErr  error
		degraded bool
		events   string
	}{
		{"success-passes", []fallback.Step[string]{fallback.Stub("stub", "cached")}, nil, "partial", nil, false, ""},
		{"first-serves", []fallback.Step[string]{step("secondary", nil, "second", nil), fallback.Stub("stub", "stub")}, errUnavailable, "second", nil, true, "fallback:secondary"},
		{"falls-through", []fallback.Step[string]{step("secondary", nil, "", errStepDown), fallback.Stub("stub", "stub")}, errUnavailable, "stub", nil, true, "failure:secondary fallback:stub"},
		{"when-skips", []fallback.Step[string]{step("on-timeout", fallback.OnTimeout, "t", nil), step("on-unavailable", fallback.OnUnavailable, "u", nil)}, errUnavailable, "u", nil, true, "fallback:on-unavailable"},
		{"all-fail-original", []fallback.Step[string]{step("a", nil, "", errStepDown), step("b", nil, "", errStepDown)}, errUnavailable, "partial", errUnavailable, false, "failure:a failure:b"},
		{"business-not-hidden", []fallback.Step[string]{fallback.Stub("stub", "stub")}, errValidation, "partial", errValidation, false, ""},
		{"canceled-not-hidden", []fallback.Step[string]{fallback.Stub("stub", "stub")}, context.Canceled, "partial", context.Canceled, false, ""},
		{"marked-not-hidden-by-on-any", []fallback.Step[string]{step("any", fallback.OnAny, "x", nil)}, resilience.MarkSuccess(errValidation), "partial", errValidation, false, ""},
		{"marked-transient-not-hidden", []fallback.Step[string]{fallback.Stub("stub", "stub")}, resilience.MarkSuccess(errUnavailable), "partial", errUnavailable, false, ""},
		{"explicit-business-opt-in", []fallback.Step[string]{step("validation", fallback.OnErrorIs(errValidation), "v", nil)}, errValidation, "v", nil, true, "fallback:validation"},
		{"rejected", []fallback.Step[string]{fallback.Stub("stub", "stub")}, fmt.Errorf("ratelimit: %w", resilience.ErrRejected), "stub", nil, true, "fallback:stub"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recorder{}
			c, err := fallback.New(fallback.Config{Name: "users", Listener: rec}, tt.steps...)
			if err != nil {
				t.Fatalf("New() = %v", err)
			}
			res := c.Do(context.Background(), failing(tt.err))
			if res.Value != tt.want || !errors.Is(res.Err, tt.wantErr) || (tt.wantErr == nil && res.Err != nil) || res.Degraded != tt.degraded || res.Attempts != 1 {
				t.Errorf("Do() = %+v want value %q err %v degraded %v", res, tt.want, tt.wantErr, tt.degraded)
			}
			if tt.wantErr != nil && errors.Is(res.Err, errStepDown) {
				t.Errorf("Do() error %v leaks a step's error", res.Err)
			}
			if got := rec.summary(); got != tt.events {
				t.Errorf("events = %q want %q", got, tt.events)
			}
			v, err := c.Execute(context.Background(), failing(tt.err))
			if v != tt.want || !errors.Is(err, tt.wantErr) {
				t.Errorf("Execute() = %q, %v want %q, %v", v, err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestChainEventFields(t *testing.T) {
	rec := &recorder{}
	c, _ := fallback.New(fallback.Config{Name: "users", Listener: rec}, fallback.Stub("stub", "s"))
	c.Do(context.Background(), failing(errUnavailable))
	e := rec.events[0]
	if e.Kind != resilience.EventFallback || e.Policy != "fallback" || e.Name != "users" || e.Detail != "stub" || !errors.Is(e.Err, errUnavailable) {
		t.Errorf("event = %+v want EventFallback fallback/users Detail stub Err 503", e)
	}
}

func TestChainStatsAndObserve(t *testing.T) {
	var observed []string
	obs := fallback.Step[string]{
		Name:    "memo",
		Handle:  func(context.Context, error) (string, error) { return "", errStepDown },
		Observe: func(_ context.Context, r string) { observed = append(observed, r) },
	}
	c, err := fallback.New(fallback.Config{}, obs, fallback.Stub("stub", "s"))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	c.Do(ctx, func(context.Context) (string, error) { return "ok1", nil })
	c.Do(ctx, failing(errUnavailable))
	c.Do(ctx, failing(errValidation))
	c.Do(ctx, func(context.Context) (string, error) { return "ok2", nil })
	if strings.Join(observed, ",") != "ok1,ok2" {
		t.Errorf("Observe saw %v want [ok1 ok2]", observed)
	}
	st := c.Stats()
	want := fallback.Stats{Unhandled: 1, Steps: []fallback.StepStats{{Name: "memo", Failed: 1}, {Name: "stub", Served: 1}}}
	if fmt.Sprint(st) != fmt.Sprint(want) {
		t.Errorf("Stats() = %+v want %+v", st, want)
	}
}

func TestChainInPipeline(t *testing.T) {
	c, _ := fallback.New(fallback.Config{}, fallback.Stub("stub", "degraded"))
	p, err := resilience.NewPipeline[string](c)
	if err != nil {
		t.Fatalf("NewPipeline(chain) = %v", err)
	}
	res := p.Do(context.Background(), failing(context.DeadlineExceeded))
	if res.Value != "degraded" || res.Err != nil || !res.Degraded {
		t.Errorf("Pipeline.Do() = %+v want degraded stub", res)
	}
	res = p.Do(context.Background(), failing(errValidation))
	if res.Degraded || !errors.Is(res.Err, errValidation) {
		t.Errorf("Pipeline.Do(business error) = %+v want it unchanged", res)
	}
}

func TestNewChainValidation(t *testing.T) {
	ok := fallback.Stub("stub", "s")
	tests := []struct {
		name  string
		steps []fallback.Step[string]
		want  string
	}{
		{"no-steps", nil, "fallback: Steps is empty"},
		{"no-name", []fallback.Step[string]{ok, {Handle: ok.Handle}}, "fallback: Steps[1] Name"},
		{"no-handle", []fallback.Step[string]{{Name: "x"}}, "fallback: Steps[0] (x) Handle"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := fallback.New(fallback.Config{}, tt.steps...)
			if c != nil || err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("New() = %v, %v want error starting %q", c, err, tt.want)
			}
		})
	}
}

func TestChainZeroAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocations are not measured under -race")
	}
	c, _ := fallback.New(fallback.Config{Listener: resilience.ListenerFunc(func(resilience.Event) {})},
		step("secondary", nil, "", errStepDown), fallback.Stub("stub", "s"))
	ctx := context.Background()
	for name, err := range map[string]error{"served": errUnavailable, "unhandled": errValidation, "success": nil} {
		if n := testing.AllocsPerRun(100, func() { c.Recover(ctx, "", err) }); n != 0 {
			t.Errorf("Recover(%s) allocates %v times want 0", name, n)
		}
	}
}

// TestChainHammer recovers from many goroutines and checks the counters.
func TestChainHammer(t *testing.T) {
	var served atomic.Int64
	c, _ := fallback.New(fallback.Config{Listener: resilience.ListenerFunc(func(e resilience.Event) {
		if e.Kind == resilience.EventFallback {
			served.Add(1)
		}
	})}, fallback.Stub("stub", "s"))
	const goroutines, each = 10, 500
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				err := error(errUnavailable)
				if (g+i)%2 == 0 {
					err = errValidation
				}
				res := c.Do(context.Background(), failing(err))
				if res.Degraded != (err == errUnavailable) {
					t.Errorf("Do(%v) degraded %v", err, res.Degraded)
					return
				}
			}
		}()
	}
	wg.Wait()
	st := c.Stats()
	half := uint64(goroutines * each / 2)
	if st.Unhandled != half || st.Steps[0].Served != half || served.Load() != int64(half) {
		t.Errorf("Stats() = %+v, events %d want %d unhandled and served", st, served.Load(), half)
	}
}
