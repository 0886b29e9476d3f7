package timeout_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/clock"
	"github.com/resilience-go/resilience/timeout"
)

var t0 = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

func ExampleTimeout_Execute() {
	clk := clock.NewManual(t0)
	to, err := timeout.New(timeout.Config{Timeout: 100 * time.Millisecond, Clock: clk})
	if err != nil {
		panic(err)
	}
	err = to.Execute(context.Background(), func(ctx context.Context) error {
		deadline, _ := ctx.Deadline()
		fmt.Println("deadline in", deadline.Sub(clk.Now()))
		clk.Advance(150 * time.Millisecond) // the work takes too long
		<-ctx.Done()
		return ctx.Err()
	})
	fmt.Println(err)
	fmt.Println(errors.Is(err, timeout.ErrTimeout), errors.Is(err, context.DeadlineExceeded))
	// Output:
	// deadline in 100ms
	// timeout: time limit exceeded
	// true true
}

// A function that ignores its context runs to its end in the default,
// cooperative mode; the late result is reported as a timeout.
func ExampleTimeout_Execute_ignoresContext() {
	clk := clock.NewManual(t0)
	to, _ := timeout.New(timeout.Config{Timeout: 100 * time.Millisecond, Clock: clk})
	v, err := timeout.Do(context.Background(), to, func(ctx context.Context) (string, error) {
		clk.Advance(time.Second) // never looks at ctx
		return "late", nil
	})
	fmt.Println(v, err, clk.Now().Sub(t0))
	// Output:
	// late timeout: time limit exceeded 1s
}

// The caller's own, sooner deadline wins, and its error passes through.
func ExampleTimeout_Enter() {
	clk := clock.NewManual(t0)
	overall, _ := timeout.New(timeout.Config{Timeout: 50 * time.Millisecond, Clock: clk})
	perCall, _ := timeout.New(timeout.Config{Timeout: time.Second, Clock: clk})
	pipeline, _ := resilience.NewPipeline[int](perCall)

	ctx, cancel, _ := overall.Enter(context.Background())
	defer cancel()
	_, err := pipeline.Execute(ctx, func(inner context.Context) (int, error) {
		fmt.Println("same context:", inner == ctx)
		clk.Advance(time.Second)
		return 0, inner.Err()
	})
	fmt.Println(err == context.DeadlineExceeded, overall.Exit(context.Background(), ctx, err))
	// Output:
	// same context: true
	// true timeout: time limit exceeded
}

// WithTimeout derives a per-call deadline as context.WithTimeout does, at a
// fraction of the cost; cancel releases it as soon as the call is done.
func ExampleWithTimeout() {
	ctx, cancel := timeout.WithTimeout(context.Background(), 5*time.Millisecond)
	defer cancel()
	<-ctx.Done() // a call that takes too long
	fmt.Println(ctx.Err())

	ctx, cancel = timeout.WithTimeout(context.Background(), time.Hour)
	cancel() // the call finished: the timer is disarmed at once
	fmt.Println(ctx.Err())
	// Output:
	// context deadline exceeded
	// context canceled
}
