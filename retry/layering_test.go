package retry

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/clock"
	"github.com/resilience-go/resilience/timeout"
)

// TestLayeredTimeouts runs overall timeout → retry → per-attempt timeout
// and checks which expiries are retried.
func TestLayeredTimeouts(t *testing.T) {
	const ms = time.Millisecond
	e503 := &statusError{code: 503}
	type attempt struct {
		d    time.Duration // how far the attempt moves the clock
		hang bool          // then waits for its context to end; else fails with 503
		ok   bool          // succeeds at once
	}
	tests := []struct {
		name      string
		attempts  []attempt // the last one repeats
		backoff   time.Duration
		wantCalls int
		wantErr   error // exact
		wantKinds []string
	}{
		// Attempt 1 overruns the 100ms per-attempt limit and is retried;
		// after attempt 2 the deadline check sees no room for another.
		{"per-attempt-retried", []attempt{{d: 120 * ms, hang: true}}, 10 * ms, 2, timeout.ErrTimeout,
			[]string{"retry", "retry_skipped:deadline"}},
		{"per-attempt-then-success", []attempt{{d: 120 * ms, hang: true}, {ok: true}}, 10 * ms, 2, nil,
			[]string{"retry"}},
		// The overall limit (300ms) runs out during attempt 2, which has no
		// timer of its own (the overall deadline is sooner): not retried.
		{"overall-during-attempt", []attempt{{d: 50 * ms}, {d: 400 * ms, hang: true}}, 200 * ms, 2, timeout.ErrTimeout,
			[]string{"retry"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := clock.NewManual(t0)
			overall, err := timeout.New(timeout.Config{Timeout: 300 * ms, Clock: clk})
			if err != nil {
				t.Fatal(err)
			}
			perAttempt, err := timeout.New(timeout.Config{Timeout: 100 * ms, Clock: clk})
			if err != nil {
				t.Fatal(err)
			}
			rec := &recorder{}
			listener := resilience.ListenerFunc(func(e resilience.Event) {
				rec.OnEvent(e)
				if e.Kind == resilience.EventRetry {
					n := clk.Timers() + 1
					go func() { clk.WaitForTimers(n); clk.Advance(e.Delay) }()
				}
			})
			p, err := New(Config{
				MaxAttempts: 5, Clock: clk, Listener: listener,
				Backoff: BackoffConfig{Kind: BackoffConstant, Initial: tt.backoff},
			})
			if err != nil {
				t.Fatal(err)
			}
			pl, err := resilience.NewPipeline[int](overall, p, perAttempt)
			if err != nil {
				t.Fatal(err)
			}
			calls := 0
			_, err = pl.Execute(context.Background(), func(ctx context.Context) (int, error) {
				a := tt.attempts[min(calls, len(tt.attempts)-1)]
				calls++
				if a.ok {
					return 1, nil
				}
				clk.Advance(a.d)
				if a.hang {
					<-ctx.Done()
					return 0, ctx.Err()
				}
				return 0, e503
			})
			if err != tt.wantErr || calls != tt.wantCalls {
				t.Errorf("Execute() = %v after %d calls want %v after %d", err, calls, tt.wantErr, tt.wantCalls)
			}
			if got := rec.kinds(); !slices.Equal(got, tt.wantKinds) {
				t.Errorf("events = %v want %v", got, tt.wantKinds)
			}
			if errors.Is(err, ErrExhausted) {
				t.Errorf("Execute() = %v must not be an exhaustion", err)
			}
		})
	}
}
