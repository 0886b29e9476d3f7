package circuitbreaker

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/clock"
)

// tripped returns a breaker opened by one failure.
func tripped(t *testing.T, cfg Config) (*Breaker, *clock.Manual) {
	t.Helper()
	cfg.ConsecutiveFailures = 1
	b, clk := newTest(t, cfg)
	call(t, b, errBoom)
	wantState(t, b, StateOpen)
	return b, clk
}

func TestOpenToHalfOpen(t *testing.T) {
	b, clk := tripped(t, Config{OpenDuration: 10 * time.Second})
	if got := b.RemainingOpen(); got != 10*time.Second {
		t.Fatalf("RemainingOpen() = %v want 10s", got)
	}
	clk.Advance(9 * time.Second)
	if _, err := b.Acquire(ctx); !errors.Is(err, ErrOpen) || !errors.Is(err, resilience.ErrRejected) {
		t.Fatalf("Acquire() after 9s = %v want ErrOpen matching ErrRejected", err)
	}
	if got := b.RemainingOpen(); got != time.Second {
		t.Fatalf("RemainingOpen() = %v want 1s", got)
	}
	if got := b.Metrics().RemainingOpen; got != time.Second {
		t.Fatalf("Metrics().RemainingOpen = %v want 1s", got)
	}
	clk.Advance(time.Second)
	// Lazily, on the next Acquire: no timer fired.
	if n := clk.Timers(); n != 0 {
		t.Fatalf("clock has %d timers want 0", n)
	}
	p, err := b.Acquire(ctx)
	if err != nil {
		t.Fatalf("Acquire() after 10s = %v want a probe", err)
	}
	if s := stateOf(b.word.Load()); s != StateHalfOpen {
		t.Fatalf("state after probe Acquire = %v want half_open", s)
	}
	if got := b.RemainingOpen(); got != 0 {
		t.Errorf("RemainingOpen() in half-open = %v want 0", got)
	}
	p.Done(nil)
	wantState(t, b, StateClosed)
}

func TestHalfOpenProbes(t *testing.T) {
	const H, O, C = StateHalfOpen, StateOpen, StateClosed
	type act struct {
		op    string // "acquire", "done:<i>:ok|fail|ignore"
		probe int
		err   error
		admit bool
		state State
	}
	tests := []struct {
		name   string
		probes int
		acts   []act
	}{
		{
			// gobreaker MaxRequests / resilience4j permittedNumberOfCallsInHalfOpenState.
			name: "three-probes-close", probes: 3,
			acts: []act{
				{op: "acquire", admit: true, state: H},
				{op: "acquire", admit: true, state: H},
				{op: "acquire", admit: true, state: H},
				{op: "acquire", admit: false, state: H},
				{op: "done", probe: 0, state: H},
				{op: "acquire", admit: false, state: H}, // slots are per half-open period, not concurrent
				{op: "done", probe: 1, state: H},
				{op: "done", probe: 2, state: C},
			},
		},
		{
			name: "any-failure-reopens", probes: 3,
			acts: []act{
				{op: "acquire", admit: true, state: H},
				{op: "acquire", admit: true, state: H},
				{op: "done", probe: 0, state: H},
				{op: "done", probe: 1, err: errBoom, state: O},
			},
		},
		{
			name: "ignored-frees-slot", probes: 1,
			acts: []act{
				{op: "acquire", admit: true, state: H},
				{op: "acquire", admit: false, state: H},
				{op: "done", probe: 0, err: context.Canceled, state: H},
				{op: "acquire", admit: true, state: H},
				{op: "done", probe: 1, state: C},
			},
		},
		{
			name: "default-one-probe", probes: 0,
			acts: []act{
				{op: "acquire", admit: true, state: H},
				{op: "acquire", admit: false, state: H},
				{op: "done", probe: 0, state: C},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, clk := tripped(t, Config{OpenDuration: time.Second, HalfOpenProbes: tt.probes})
			clk.Advance(time.Second)
			var permits []resilience.Permit
			for i, a := range tt.acts {
				switch a.op {
				case "acquire":
					p, err := b.Acquire(ctx)
					if (err == nil) != a.admit {
						t.Fatalf("act %d: Acquire() = %v want admitted %v", i, err, a.admit)
					}
					if err != nil {
						if !errors.Is(err, ErrHalfOpenFull) || !errors.Is(err, ErrOpen) || !errors.Is(err, resilience.ErrRejected) {
							t.Fatalf("act %d: Acquire() = %v want ErrHalfOpenFull matching ErrOpen and ErrRejected", i, err)
						}
						if !strings.HasPrefix(err.Error(), "circuitbreaker: ") || errors.Is(ErrOpen, ErrHalfOpenFull) {
							t.Fatalf("act %d: Acquire() = %q want a circuitbreaker error distinct from ErrOpen", i, err)
						}
						continue
					}
					permits = append(permits, p)
				case "done":
					permits[a.probe].Done(a.err)
				}
				if got := b.State(); got != a.state {
					t.Fatalf("act %d (%s): b.State() = %v want %v", i, a.op, got, a.state)
				}
			}
		})
	}
}

func TestHalfOpenMaxWait(t *testing.T) {
	// resilience4j maxWaitDurationInHalfOpenState.
	t.Run("reopens-on-acquire", func(t *testing.T) {
		b, clk := tripped(t, Config{OpenDuration: time.Second, HalfOpenProbes: 2, HalfOpenMaxWait: 5 * time.Second})
		clk.Advance(time.Second)
		p, err := b.Acquire(ctx)
		if err != nil {
			t.Fatalf("Acquire() = %v", err)
		}
		clk.Advance(4 * time.Second)
		wantState(t, b, StateHalfOpen)
		clk.Advance(time.Second)
		if _, err := b.Acquire(ctx); !errors.Is(err, ErrOpen) {
			t.Fatalf("Acquire() after max wait = %v want ErrOpen", err)
		}
		wantState(t, b, StateOpen)
		p.Done(nil) // stale probe: ignored
		wantState(t, b, StateOpen)
	})
	t.Run("late-probe-reopens", func(t *testing.T) {
		b, clk := tripped(t, Config{OpenDuration: time.Second, HalfOpenMaxWait: 5 * time.Second})
		clk.Advance(time.Second)
		p, _ := b.Acquire(ctx)
		clk.Advance(5 * time.Second)
		p.Done(nil)
		if m := b.Metrics(); m.State != StateOpen || m.Trips != 2 {
			t.Fatalf("after late probe: State, Trips = %v, %d want open, 2", m.State, m.Trips)
		}
	})
	t.Run("state-reopens", func(t *testing.T) {
		b, clk := tripped(t, Config{OpenDuration: time.Second, HalfOpenMaxWait: 5 * time.Second})
		clk.Advance(time.Second)
		wantState(t, b, StateHalfOpen)
		clk.Advance(5 * time.Second)
		wantState(t, b, StateOpen)
	})
	t.Run("unlimited", func(t *testing.T) {
		b, clk := tripped(t, Config{OpenDuration: time.Second})
		clk.Advance(time.Second)
		p, _ := b.Acquire(ctx)
		clk.Advance(time.Hour)
		wantState(t, b, StateHalfOpen)
		p.Done(nil)
		wantState(t, b, StateClosed)
	})
}

func TestSlowProbeReopens(t *testing.T) {
	b, clk := tripped(t, Config{OpenDuration: time.Second, SlowCallRateThreshold: 50, SlowCallDuration: time.Second})
	clk.Advance(time.Second)
	slowCall(t, b, clk, 2*time.Second, nil)
	wantState(t, b, StateOpen)
}

func TestGenerations(t *testing.T) {
	// gobreaker: outcomes reported for an older generation are ignored.
	t.Run("closed-permit-after-trip", func(t *testing.T) {
		b, clk := newTest(t, Config{ConsecutiveFailures: 1, OpenDuration: time.Second})
		old, _ := b.Acquire(ctx)
		call(t, b, errBoom)
		wantState(t, b, StateOpen)
		clk.Advance(time.Second)
		probe, _ := b.Acquire(ctx)
		old.Done(nil) // must not close the half-open breaker
		wantState(t, b, StateHalfOpen)
		probe.Done(nil)
		wantState(t, b, StateClosed)
		before := b.Metrics()
		old.Done(errBoom) // nor trip the new closed generation
		if after := b.Metrics(); after.State != StateClosed || after.Calls != before.Calls {
			t.Fatalf("stale Done changed the breaker: %+v -> %+v", before, after)
		}
	})
	t.Run("probe-after-reopen", func(t *testing.T) {
		b, clk := tripped(t, Config{OpenDuration: time.Second, HalfOpenProbes: 2})
		clk.Advance(time.Second)
		p1, _ := b.Acquire(ctx)
		p2, _ := b.Acquire(ctx)
		p1.Done(errBoom)
		wantState(t, b, StateOpen)
		clk.Advance(2 * time.Second)
		q, err := b.Acquire(ctx)
		if err != nil {
			t.Fatalf("Acquire() in second half-open = %v", err)
		}
		p2.Done(nil) // from the first half-open: ignored, frees nothing
		wantState(t, b, StateHalfOpen)
		if m := b.Metrics(); m.ConsecutiveSuccesses != 0 {
			t.Fatalf("probe successes = %d want 0", m.ConsecutiveSuccesses)
		}
		q.Done(nil)
		wantState(t, b, StateHalfOpen) // needs two probes
	})
}
