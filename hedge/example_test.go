package hedge_test

import (
	"context"
	"fmt"
	"time"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/clock"
	"github.com/resilience-go/resilience/hedge"
)

// The first replica hangs; after 50ms a hedge asks again and answers.
func Example() {
	clk := clock.NewManual(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC))
	h, _ := hedge.New(hedge.Config{
		Delay: 50 * time.Millisecond,
		Clock: clk,
		Listener: resilience.ListenerFunc(func(e resilience.Event) {
			fmt.Println(e.Kind, "attempt", e.Attempt, "after", e.Delay)
		}),
	})
	fetch := func(ctx context.Context) (string, error) {
		if hedge.AttemptFromContext(ctx) == 1 {
			<-ctx.Done() // the slow replica, until the hedge wins
			return "", ctx.Err()
		}
		return "answer from the hedge", nil
	}

	done := make(chan string)
	go func() {
		v, _ := hedge.Do(context.Background(), h, fetch)
		done <- v
	}()
	clk.WaitForTimers(1) // Do is waiting for the delay
	clk.Advance(50 * time.Millisecond)
	fmt.Println(<-done)
	// Output:
	// hedge attempt 2 after 50ms
	// answer from the hedge
}

// Wrap builds the hedged function once, for the innermost slot of a
// pipeline.
func ExampleWrap() {
	h, _ := hedge.New(hedge.Config{Delay: time.Second})
	p, _ := resilience.NewPipeline[int]()
	call := hedge.Wrap(h, func(context.Context) (int, error) { return 42, nil })
	v, err := p.Execute(context.Background(), call)
	fmt.Println(v, err)
	// Output:
	// 42 <nil>
}

// Keep is for results read after the call, such as a streamed body: the
// winner's context stays live until release.
func ExampleKeep() {
	h, _ := hedge.New(hedge.Config{Delay: time.Second})
	var attemptCtx context.Context
	open := func(ctx context.Context) (string, error) {
		attemptCtx = ctx // a real call would stream a body under ctx
		return "stream", nil
	}
	v, release, err := hedge.Keep(context.Background(), h, open)
	fmt.Println(v, err, attemptCtx.Err())
	release(nil) // done with the result
	fmt.Println(attemptCtx.Err())
	// Output:
	// stream <nil> <nil>
	// context canceled
}
