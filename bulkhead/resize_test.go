package bulkhead_test

import (
	"context"
	"testing"
	"time"

	"github.com/resilience-go/resilience/bulkhead"
	"github.com/resilience-go/resilience/clock"
)

func TestSetMaxConcurrent(t *testing.T) {
	clk := clock.NewManual(t0)
	s := mustNew(t, bulkhead.Config{MaxConcurrent: 1, MaxWait: time.Hour, Clock: clk})
	p, _ := s.Acquire(context.Background())
	res1 := acquireAsync(context.Background(), s)
	clk.WaitForTimers(1)
	res2 := acquireAsync(context.Background(), s)
	clk.WaitForTimers(2)

	for _, bad := range []int{0, -1, bulkhead.MaxLimit + 1} {
		if err := s.SetMaxConcurrent(bad); err == nil {
			t.Errorf("SetMaxConcurrent(%d) = nil want an error", bad)
		}
	}
	if err := s.SetMaxConcurrent(3); err != nil {
		t.Fatalf("SetMaxConcurrent(3) = %v", err)
	}
	// Raising the limit by two wakes both waiters while p is still held.
	for i, res := range []<-chan error{res1, res2} {
		if err := <-res; err != nil {
			t.Errorf("waiter %d after raising the limit: %v want nil", i, err)
		}
	}
	// Lowering below the in-flight count admits nothing until it drains.
	p2, _ := s.Acquire(context.Background())
	p3, _ := s.Acquire(context.Background())
	if err := s.SetMaxConcurrent(1); err != nil {
		t.Fatal(err)
	}
	if _, ok := s.TryAcquire(); ok {
		t.Errorf("TryAcquire() with 3 in flight and limit 1 = true want false")
	}
	p.Done(nil)
	p2.Done(nil)
	if _, ok := s.TryAcquire(); ok {
		t.Errorf("TryAcquire() with 1 in flight and limit 1 = true want false")
	}
	p3.Done(nil)
	p4, ok := s.TryAcquire()
	if !ok {
		t.Errorf("TryAcquire() with 0 in flight and limit 1 = false want true")
	}
	p4.Done(nil)
	if got := s.MaxConcurrent(); got != 1 {
		t.Errorf("MaxConcurrent() = %d want 1", got)
	}
}
