package retry_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"syscall"
	"time"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/clock"
	"github.com/resilience-go/resilience/retry"
	"github.com/resilience-go/resilience/timeout"
)

var t0 = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// advanceOnRetry stands in for time passing in these examples: when the
// policy announces a retry, it moves the manual clock past the backoff as
// soon as the backoff timer is set.
func advanceOnRetry(clk *clock.Manual, e resilience.Event) {
	if e.Kind != resilience.EventRetry {
		return
	}
	n := clk.Timers() + 1
	go func() {
		clk.WaitForTimers(n)
		clk.Advance(e.Delay)
	}()
}

func ExampleDo() {
	clk := clock.NewManual(t0)
	p, err := retry.New(retry.Config{
		MaxAttempts: 4,
		Backoff:     retry.BackoffConfig{Kind: retry.BackoffExponential, Initial: 100 * time.Millisecond, Max: time.Second},
		Clock:       clk,
		Listener: resilience.ListenerFunc(func(e resilience.Event) {
			fmt.Printf("%s: attempt %d in %v after %v\n", e.Kind, e.Attempt, e.Delay, e.Err)
			advanceOnRetry(clk, e)
		}),
	})
	if err != nil {
		panic(err)
	}
	calls := 0
	err = retry.Do(context.Background(), p, func(ctx context.Context) error {
		calls++
		if calls < 3 {
			return syscall.ECONNREFUSED
		}
		return nil
	})
	fmt.Println(calls, err, clk.Now().Sub(t0))
	// Output:
	// retry: attempt 2 in 100ms after connection refused
	// retry: attempt 3 in 200ms after connection refused
	// 3 <nil> 300ms
}

// A pipeline ordered overall timeout → retry → per-attempt timeout bounds
// each attempt and the whole execution. Per-attempt timeouts are retried;
// the overall one is not, and no retry starts that it would cut short.
func Example_perAttemptTimeout() {
	clk := clock.NewManual(t0)
	events := resilience.ListenerFunc(func(e resilience.Event) {
		if e.Detail != "" {
			fmt.Printf("  %s: %s (%s)\n", e.Name, e.Kind, e.Detail)
		} else {
			fmt.Printf("  %s: %s\n", e.Name, e.Kind)
		}
		advanceOnRetry(clk, e)
	})
	overall, _ := timeout.New(timeout.Config{Name: "overall", Timeout: time.Second, Clock: clk, Listener: events})
	perAttempt, _ := timeout.New(timeout.Config{Name: "attempt", Timeout: 200 * time.Millisecond, Clock: clk, Listener: events})
	policy, _ := retry.New(retry.Config{
		Name:        "retry",
		MaxAttempts: 5,
		Backoff:     retry.BackoffConfig{Kind: retry.BackoffConstant, Initial: 100 * time.Millisecond},
		Clock:       clk,
		Listener:    events,
	})
	pipeline, _ := resilience.NewPipeline[string](overall, policy, perAttempt)

	slowCall := func(ctx context.Context) (string, error) {
		fmt.Printf("attempt %d at %v\n", resilience.AttemptFromContext(ctx), clk.Now().Sub(t0))
		clk.Advance(250 * time.Millisecond) // the dependency hangs...
		<-ctx.Done()                        // ...until the per-attempt timeout
		return "", ctx.Err()
	}
	_, err := pipeline.Execute(context.Background(), slowCall)
	fmt.Println("error:", err, "| per-attempt timeout:", errors.Is(err, timeout.ErrTimeout))
	// Output:
	// attempt 1 at 0s
	//   attempt: timeout
	//   retry: retry
	// attempt 2 at 350ms
	//   attempt: timeout
	//   retry: retry
	// attempt 3 at 700ms
	//   attempt: timeout
	//   retry: retry_skipped (deadline)
	// error: timeout: time limit exceeded | per-attempt timeout: true
}

func ExampleBackoffConfig_Delay() {
	exp := retry.BackoffConfig{Kind: retry.BackoffExponential, Initial: 100 * time.Millisecond, Max: time.Second}
	full := retry.BackoffConfig{Kind: retry.BackoffFullJitter, Initial: 100 * time.Millisecond, Max: time.Second}
	for n := 1; n <= 5; n++ {
		// u is the random draw; full jitter waits u × the exponential delay.
		fmt.Println(n, exp.Delay(n, 0, 0.5), full.Delay(n, 0, 0.5))
	}
	// Output:
	// 1 100ms 50ms
	// 2 200ms 100ms
	// 3 400ms 200ms
	// 4 800ms 400ms
	// 5 1s 500ms
}

func ExampleNewBudget() {
	clk := clock.NewManual(t0)
	// Retries may add 10% to the load, plus 1 retry a second.
	budget, _ := retry.NewBudget(retry.BudgetConfig{Ratio: 0.1, MinPerSecond: 1, Window: 10 * time.Second, Clock: clk})
	for range 100 {
		budget.Request()
	}
	granted := 0
	for budget.TryRetry() {
		granted++
	}
	fmt.Println(granted, budget.Stats())
	// Output:
	// 20 {100 20 0}
}

func ExampleOnResult() {
	p, _ := retry.New(retry.Config{Backoff: retry.BackoffConfig{Kind: retry.BackoffNone}})
	emptyPage := retry.OnResult(p, func(page []string) bool { return len(page) == 0 })
	pipeline, _ := resilience.NewPipeline[[]string](emptyPage)
	calls := 0
	page, err := pipeline.Execute(context.Background(), func(context.Context) ([]string, error) {
		calls++
		if calls == 1 {
			return nil, nil // not ready yet
		}
		return []string{"a", "b"}, nil
	})
	fmt.Println(page, err, calls)
	// Output:
	// [a b] <nil> 2
}

func ExampleSetAttemptHeader() {
	req, _ := http.NewRequest("GET", "http://127.0.0.1/", nil)
	ctx := resilience.WithAttempt(context.Background(), 2) // as a pipeline does on a retry
	retry.SetAttemptHeader(req.Header, ctx)
	n, ok := retry.AttemptFromHeader(req.Header)
	fmt.Println(req.Header.Get(retry.AttemptHeader), n, ok)
	// Output:
	// 2 2 true
}
