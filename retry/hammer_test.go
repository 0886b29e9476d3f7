package retry

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/resilience-go/resilience"
)

// TestPolicyHammer shares one Policy and Budget between goroutines and
// checks that the counters add up.
func TestPolicyHammer(t *testing.T) {
	clk := newJumpClock()
	budget, err := NewBudget(BudgetConfig{Ratio: 0.5, MinPerSecond: 0.1, Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	p, err := New(Config{Clock: clk, Budget: budget, Listener: rec, MaxAttempts: 4, Backoff: BackoffConfig{Kind: BackoffNone}})
	if err != nil {
		t.Fatal(err)
	}
	pl, err := resilience.NewPipeline[int](p)
	if err != nil {
		t.Fatal(err)
	}
	const workers, perWorker = 8, 500
	var calls, executions, failures atomic.Int64
	e503 := &statusError{code: 503}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perWorker {
				executions.Add(1)
				_, _ = pl.Execute(context.Background(), func(ctx context.Context) (int, error) {
					calls.Add(1)
					if (w+i)%3 == 0 && resilience.AttemptFromContext(ctx) < 3 {
						failures.Add(1)
						return 0, e503
					}
					return 1, nil
				})
			}
		}()
	}
	wg.Wait()
	st := p.Stats()
	if got := uint64(calls.Load() - executions.Load()); st.Retries != got {
		t.Errorf("Stats().Retries = %d want %d (calls - executions)", st.Retries, got)
	}
	// Every failed attempt is either retried or skipped by the budget:
	// MaxAttempts is never reached.
	if got := uint64(failures.Load()); st.Retries+st.Skipped != got || st.Exhausted != 0 {
		t.Errorf("Stats() = %+v want Retries+Skipped = %d failures and no exhaustion", st, got)
	}
	bs := budget.Stats()
	if bs.Requests != workers*perWorker || bs.Retries != st.Retries {
		t.Errorf("budget.Stats() = %+v want %d requests and %d retries", bs, workers*perWorker, st.Retries)
	}
	retryEvents, skipped := 0, 0
	for _, e := range rec.Events() {
		switch e.Kind {
		case resilience.EventRetry:
			retryEvents++
		case resilience.EventRetrySkipped:
			skipped++
		}
	}
	if uint64(retryEvents) != st.Retries || uint64(skipped) != st.Skipped {
		t.Errorf("events: %d retries, %d skipped; Stats() = %+v", retryEvents, skipped, st)
	}
}
