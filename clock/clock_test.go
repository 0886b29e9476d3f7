package clock_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/resilience-go/resilience/clock"
)

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func TestManualNowAndNanotime(t *testing.T) {
	m := clock.NewManual(t0)
	n0 := m.Nanotime()
	if n0 <= 0 {
		t.Fatalf("Nanotime() = %d want > 0", n0)
	}
	m.Advance(1500 * time.Millisecond)
	if got := m.Now(); !got.Equal(t0.Add(1500 * time.Millisecond)) {
		t.Fatalf("Now() = %v want %v", got, t0.Add(1500*time.Millisecond))
	}
	if d := m.Nanotime() - n0; d != int64(1500*time.Millisecond) {
		t.Fatalf("Nanotime advanced %d want %d", d, 1500*time.Millisecond)
	}
	m.Advance(-time.Hour)
	m.Set(t0)
	if got := m.Now(); !got.Equal(t0.Add(1500 * time.Millisecond)) {
		t.Fatalf("clock went backwards to %v", got)
	}
}

func TestManualTimersFireInOrder(t *testing.T) {
	m := clock.NewManual(t0)
	var order []string
	m.AfterFunc(3*time.Second, func() { order = append(order, "c@3s") })
	m.AfterFunc(time.Second, func() { order = append(order, "a@1s") })
	m.AfterFunc(time.Second, func() { order = append(order, "b@1s") })
	tm := m.NewTimer(2 * time.Second)
	if n := m.Timers(); n != 4 {
		t.Fatalf("Timers() = %d want 4", n)
	}
	m.Advance(1999 * time.Millisecond)
	select {
	case <-tm.C():
		t.Fatal("timer fired early")
	default:
	}
	if len(order) != 2 || order[0] != "a@1s" || order[1] != "b@1s" {
		t.Fatalf("after 1.999s fired %v want [a@1s b@1s]", order)
	}
	m.Advance(10 * time.Second)
	select {
	case at := <-tm.C():
		if !at.Equal(t0.Add(2 * time.Second)) {
			t.Fatalf("timer sent %v want %v", at, t0.Add(2*time.Second))
		}
	default:
		t.Fatal("timer did not fire")
	}
	if len(order) != 3 || order[2] != "c@3s" {
		t.Fatalf("fired %v want c@3s last", order)
	}
	if m.Timers() != 0 {
		t.Fatalf("Timers() = %d after all fired", m.Timers())
	}
}

func TestManualTimerStopAndReset(t *testing.T) {
	m := clock.NewManual(t0)
	fired := 0
	tm := m.AfterFunc(time.Second, func() { fired++ })
	if !tm.Stop() {
		t.Fatal("Stop of a pending timer = false")
	}
	if tm.Stop() {
		t.Fatal("second Stop = true")
	}
	m.Advance(2 * time.Second)
	if fired != 0 {
		t.Fatal("stopped timer fired")
	}
	if tm.Reset(time.Second) {
		t.Fatal("Reset of a stopped timer reported pending")
	}
	if !tm.Reset(3 * time.Second) {
		t.Fatal("Reset of a pending timer reported not pending")
	}
	m.Advance(2 * time.Second)
	if fired != 0 {
		t.Fatal("reset timer fired at its old deadline")
	}
	m.Advance(time.Second)
	if fired != 1 {
		t.Fatalf("fired %d times want 1", fired)
	}
}

func TestSleepWithManualClock(t *testing.T) {
	m := clock.NewManual(t0)
	done := make(chan error, 1)
	go func() { done <- clock.Sleep(context.Background(), m, 5*time.Second) }()
	m.WaitForTimers(1)
	m.Advance(5 * time.Second)
	if err := <-done; err != nil {
		t.Fatalf("Sleep = %v want nil", err)
	}
}

func TestSleepCancelled(t *testing.T) {
	m := clock.NewManual(t0)
	cause := errors.New("shutting down")
	ctx, cancel := context.WithCancelCause(context.Background())
	done := make(chan error, 1)
	go func() { done <- clock.Sleep(ctx, m, time.Hour) }()
	m.WaitForTimers(1)
	cancel(cause)
	if err := <-done; !errors.Is(err, cause) {
		t.Fatalf("Sleep = %v want %v", err, cause)
	}
	if m.Timers() != 0 {
		t.Fatalf("cancelled Sleep left %d timers", m.Timers())
	}
	if err := clock.Sleep(ctx, m, 0); !errors.Is(err, cause) {
		t.Fatalf("Sleep(done ctx, 0) = %v want %v", err, cause)
	}
	if err := clock.Sleep(context.Background(), m, -time.Second); err != nil {
		t.Fatalf("Sleep(-1s) = %v want nil", err)
	}
}

func TestRealClock(t *testing.T) {
	c := clock.Or(nil)
	if c != clock.Real() {
		t.Fatal("Or(nil) is not the real clock")
	}
	m := clock.NewManual(t0)
	if clock.Or(m) != clock.Clock(m) {
		t.Fatal("Or(m) replaced m")
	}
	if d := time.Since(c.Now()); d < 0 || d > time.Minute {
		t.Fatalf("Real().Now() is off by %v", d)
	}
	first := c.Nanotime()
	// The coarse reading must move forward with real time; bounded wait.
	deadline := time.Now().Add(5 * time.Second)
	for c.Nanotime() <= first {
		if time.Now().After(deadline) {
			t.Fatal("coarse Nanotime did not advance within 5s")
		}
		time.Sleep(time.Millisecond)
	}
	fired := make(chan struct{})
	c.AfterFunc(time.Millisecond, func() { close(fired) })
	<-fired
	tm := c.NewTimer(time.Hour)
	if !tm.Stop() {
		t.Fatal("Stop of a pending real timer = false")
	}
	if err := clock.Sleep(context.Background(), c, time.Millisecond); err != nil {
		t.Fatal(err)
	}
}

func TestRealNanotimeMonotonicUnderConcurrency(t *testing.T) {
	c := clock.Real()
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			prev := c.Nanotime()
			for range 20000 {
				n := c.Nanotime()
				if n < prev {
					t.Errorf("Nanotime went backwards: %d after %d", n, prev)
					return
				}
				prev = n
			}
		}()
	}
	wg.Wait()
}

func BenchmarkRealNanotime(b *testing.B) {
	c := clock.Real()
	for b.Loop() {
		_ = c.Nanotime()
	}
}

func BenchmarkRealNanotimeParallel(b *testing.B) {
	c := clock.Real()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			_ = c.Nanotime()
		}
	})
}

func BenchmarkTimeNow(b *testing.B) {
	for b.Loop() {
		_ = time.Now()
	}
}
