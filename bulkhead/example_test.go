package bulkhead_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/bulkhead"
	"github.com/resilience-go/resilience/clock"
)

func ExampleSemaphore() {
	s, err := bulkhead.New(bulkhead.Config{Name: "db", MaxConcurrent: 2})
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	p1, _ := s.Acquire(ctx)
	p2, _ := s.Acquire(ctx)
	_, err = s.Acquire(ctx)
	fmt.Println(err, errors.Is(err, resilience.ErrRejected))
	fmt.Println("in flight:", s.InFlight())
	p1.Done(nil)
	p2.Done(nil)
	fmt.Println("in flight:", s.InFlight())
	// Output:
	// bulkhead: full: resilience: call rejected true
	// in flight: 2
	// in flight: 0
}

func ExampleSemaphore_Acquire_wait() {
	clk := clock.NewManual(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
	s, _ := bulkhead.New(bulkhead.Config{MaxConcurrent: 1, MaxWait: 100 * time.Millisecond, Clock: clk})
	held, _ := s.Acquire(context.Background())

	result := make(chan error)
	go func() {
		p, err := s.Acquire(context.Background()) // waits for held
		p.Done(nil)
		result <- err
	}()
	clk.WaitForTimers(1) // the second caller is queued
	fmt.Println("waiting:", s.Waiting())
	clk.Advance(30 * time.Millisecond)
	held.Done(nil) // hands the slot to the waiter
	fmt.Println("waiter:", <-result)
	// Output:
	// waiting: 1
	// waiter: <nil>
}

func ExampleSemaphore_Execute() {
	s, _ := bulkhead.New(bulkhead.DefaultConfig())
	err := s.Execute(context.Background(), func(ctx context.Context) error {
		fmt.Println("running; in flight:", s.InFlight())
		return nil
	})
	fmt.Println(err)
	// Output:
	// running; in flight: 1
	// <nil>
}

func ExampleKeyed() {
	k, _ := bulkhead.NewKeyed(bulkhead.KeyedConfig{Semaphore: bulkhead.Config{MaxConcurrent: 1}})
	ctx := context.Background()
	users, _ := k.Acquire(ctx, "users-service")
	_, err := k.Acquire(ctx, "users-service")
	fmt.Println("users:", err)
	orders, err := k.Acquire(ctx, "orders-service")
	fmt.Println("orders:", err)
	users.Done(nil)
	orders.Done(nil)
	// Output:
	// users: bulkhead: full: resilience: call rejected
	// orders: <nil>
}

func ExamplePool() {
	p, _ := bulkhead.NewPool(bulkhead.PoolConfig{Workers: 1, QueueSize: 10})
	results := make(chan int, 3)
	for i := range 3 {
		_ = p.Submit(func() { results <- i * i })
	}
	_ = p.Close() // runs the queued tasks, then stops the worker
	close(results)
	for r := range results {
		fmt.Println(r)
	}
	fmt.Println(p.Submit(func() {}))
	// Output:
	// 0
	// 1
	// 4
	// bulkhead: pool closed: resilience: call rejected
}
