package circuitbreaker

import (
	"errors"
	"testing"
	"time"

	"github.com/resilience-go/resilience"
)

func TestForcedStates(t *testing.T) {
	tests := []struct {
		name      string
		set       func(*Breaker)
		state     State
		admit     bool
		wantCalls uint64 // after 20 failures
	}{
		{"force-open", (*Breaker).ForceOpen, StateForcedOpen, false, 0},
		{"disable", (*Breaker).Disable, StateDisabled, true, 0},
		{"metrics-only", (*Breaker).MetricsOnly, StateMetricsOnly, true, 20},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recorder{}
			b, clk := newTest(t, Config{ConsecutiveFailures: 2, OpenDuration: time.Second, Listener: rec})
			tt.set(b)
			wantState(t, b, tt.state)
			for i := range 20 {
				p, err := b.Acquire(ctx)
				if (err == nil) != tt.admit {
					t.Fatalf("call %d: Acquire() = %v want admitted %v", i, err, tt.admit)
				}
				if err != nil && (!errors.Is(err, ErrOpen) || !errors.Is(err, resilience.ErrRejected)) {
					t.Fatalf("Acquire() = %v want ErrOpen", err)
				}
				p.Done(errBoom)
				clk.Advance(time.Hour) // no automatic transition ever happens
			}
			wantState(t, b, tt.state)
			m := b.Metrics()
			if m.Calls != tt.wantCalls || m.FailuresTotal != tt.wantCalls || m.Trips != 0 {
				t.Errorf("Calls, FailuresTotal, Trips = %d, %d, %d want %d, %d, 0", m.Calls, m.FailuresTotal, m.Trips, tt.wantCalls, tt.wantCalls)
			}
			if got := b.RemainingOpen(); got != 0 {
				t.Errorf("RemainingOpen() = %v want 0", got)
			}
			if !tt.admit && m.Rejected != 20 {
				t.Errorf("Rejected = %d want 20", m.Rejected)
			}
			b.Reset()
			wantState(t, b, StateClosed)
			calls(t, b, 2, errBoom)
			wantState(t, b, StateOpen)
			want := []string{"closed>" + tt.state.String(), tt.state.String() + ">closed", "closed>open"}
			if got := rec.transitions(); !equal(got, want) {
				t.Errorf("transitions = %v want %v", got, want)
			}
		})
	}
}

func TestResetClearsCounts(t *testing.T) {
	b, _ := newTest(t, Config{ConsecutiveFailures: 5})
	calls(t, b, 3, errBoom)
	calls(t, b, 2, nil)
	calls(t, b, 4, errBoom)
	stale, _ := b.Acquire(ctx)
	b.Reset()
	stale.Done(errBoom)
	m := b.Metrics()
	if m.State != StateClosed || m.Calls != 0 || m.ConsecutiveFailures != 0 {
		t.Fatalf("after Reset: %+v want closed and empty", m)
	}
	if m.SuccessesTotal != 2 || m.FailuresTotal != 7 {
		t.Errorf("lifetime totals SuccessesTotal, FailuresTotal = %d, %d want 2, 7 (kept by Reset)", m.SuccessesTotal, m.FailuresTotal)
	}
	calls(t, b, 4, errBoom)
	wantState(t, b, StateClosed)
}

func TestForceOpenFromOpen(t *testing.T) {
	b, clk := tripped(t, Config{OpenDuration: time.Second})
	b.ForceOpen()
	clk.Advance(time.Hour)
	if _, err := b.Acquire(ctx); !errors.Is(err, ErrOpen) {
		t.Fatalf("Acquire() forced open after an hour = %v want ErrOpen", err)
	}
	wantState(t, b, StateForcedOpen)
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
