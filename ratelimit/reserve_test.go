package ratelimit

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/resilience-go/resilience"
)

func TestReserveDelays(t *testing.T) {
	lim, clk := newLimiter(t, Config{Rate: 10, Burst: 2})
	tests := []struct {
		name string
		n    int
		ok   bool
		want time.Duration
	}{
		{"burst-now", 2, true, 0},
		{"one-interval", 1, true, 100 * ms},
		{"queued-behind", 1, true, 200 * ms},
		{"two-more", 2, true, 400 * ms},
		{"above-burst", 3, false, InfDuration},
		{"negative", -1, false, InfDuration},
		{"zero", 0, true, 0},
	}
	for _, tt := range tests {
		r := lim.ReserveN(tt.n)
		if r.OK() != tt.ok || r.Delay() != tt.want {
			t.Errorf("%s: lim.ReserveN(%v).OK(), Delay() = %v, %v want %v, %v", tt.name, tt.n, r.OK(), r.Delay(), tt.ok, tt.want)
		}
	}
	clk.Advance(150 * ms)
	if d := lim.Reserve().Delay(); d != 350*ms {
		t.Errorf("after 150ms lim.Reserve().Delay() = %v want 350ms", d)
	}
}

func TestReservationCancel(t *testing.T) {
	tests := []struct {
		name    string
		advance time.Duration
		later   bool // another reservation after r
		want    time.Duration
	}{
		{"refunds-before-act", 0, false, 100 * ms},
		{"nothing-after-act", 300 * ms, false, 0},
		{"not-what-later-ones-rely-on", 0, true, 300 * ms},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lim, clk := newLimiter(t, Config{Rate: 10, Burst: 1})
			lim.Allow()
			r := lim.ReserveN(1) // acts at 100ms
			if r.Delay() != 100*ms {
				t.Fatalf("lim.ReserveN(1).Delay() = %v want 100ms", r.Delay())
			}
			if tt.later {
				lim.Reserve() // acts at 200ms
			}
			clk.Advance(tt.advance)
			r.Cancel()
			got := lim.Reserve().Delay()
			if got != tt.want {
				t.Errorf("after Cancel lim.Reserve().Delay() = %v want %v", got, tt.want)
			}
		})
	}
}

func TestReservationCancelAfterSetLimitIsNoop(t *testing.T) {
	lim, _ := newLimiter(t, Config{Rate: 10, Burst: 1})
	lim.Allow()
	r := lim.Reserve()
	if err := lim.SetRate(10); err != nil {
		t.Fatal(err)
	}
	before := lim.tat.Load()
	r.Cancel()
	if after := lim.tat.Load(); after != before {
		t.Errorf("Cancel across SetLimit changed the state from %d to %d", before, after)
	}
}

func TestWaitImmediate(t *testing.T) {
	lim, _ := newLimiter(t, Config{Rate: 10, Burst: 3})
	if err := lim.WaitN(context.Background(), 3); err != nil {
		t.Fatalf("lim.WaitN(3) = %v want nil", err)
	}
	if lim.Allow() {
		t.Errorf("after WaitN(3) lim.Allow() = true want false")
	}
}

func TestWaitBlocksUntilAdvance(t *testing.T) {
	lim, clk := newLimiter(t, Config{Rate: 10, Burst: 1})
	lim.Allow()
	done := make(chan error, 1)
	go func() { done <- lim.Wait(context.Background()) }()
	clk.WaitForTimers(1)
	select {
	case err := <-done:
		t.Fatalf("Wait returned %v before the clock moved", err)
	default:
	}
	clk.Advance(100 * ms)
	if err := <-done; err != nil {
		t.Errorf("lim.Wait() = %v want nil", err)
	}
}

func TestWaitCancelled(t *testing.T) {
	lim, clk := newLimiter(t, Config{Rate: 10, Burst: 1})
	lim.Allow()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- lim.Wait(ctx) }()
	clk.WaitForTimers(1)
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("lim.Wait(cancelled) = %v want context.Canceled", err)
	}
	// The cancelled wait gave its event back: the next one acts at 100ms.
	if d := lim.Reserve().Delay(); d != 100*ms {
		t.Errorf("after cancelled Wait lim.Reserve().Delay() = %v want 100ms", d)
	}
}

func TestWaitAlreadyCancelled(t *testing.T) {
	lim, _ := newLimiter(t, Config{Rate: 10, Burst: 1})
	ctx, cancel := context.WithCancelCause(context.Background())
	cause := errors.New("gone")
	cancel(cause)
	if err := lim.Wait(ctx); !errors.Is(err, cause) {
		t.Errorf("lim.Wait(cancelled) = %v want the cause", err)
	}
	if !lim.Allow() {
		t.Errorf("a cancelled Wait consumed an event")
	}
}

func TestWaitExceedsDeadline(t *testing.T) {
	lim, clk := newLimiter(t, Config{Rate: 1, Per: time.Hour, Burst: 1})
	lim.Allow()
	ctx, cancel := context.WithDeadline(context.Background(), clk.Now().Add(30*time.Minute))
	defer cancel()
	err := lim.Wait(ctx)
	var de *DelayError
	if !errors.As(err, &de) || de.Delay != time.Hour {
		t.Fatalf("lim.Wait() = %v want *DelayError with Delay 1h", err)
	}
	for _, target := range []error{ErrLimited, resilience.ErrRejected, context.DeadlineExceeded} {
		if !errors.Is(err, target) {
			t.Errorf("errors.Is(%v, %v) = false want true", err, target)
		}
	}
	if errors.Is(err, context.Canceled) {
		t.Errorf("errors.Is(%v, context.Canceled) = true want false", err)
	}
	// Nothing was reserved.
	clk.Advance(time.Hour)
	if !lim.Allow() {
		t.Errorf("the refused Wait consumed an event")
	}
}

func TestWaitNErrors(t *testing.T) {
	lim, _ := newLimiter(t, Config{Rate: 10, Burst: 2})
	if err := lim.WaitN(context.Background(), 3); !errors.Is(err, ErrBurstExceeded) || !errors.Is(err, ErrLimited) {
		t.Errorf("lim.WaitN(3) = %v want ErrBurstExceeded matching ErrLimited", err)
	}
	if err := lim.WaitN(context.Background(), -1); !errors.Is(err, ErrNegativeN) {
		t.Errorf("lim.WaitN(-1) = %v want ErrNegativeN", err)
	}
	if err := lim.WaitN(context.Background(), 0); err != nil {
		t.Errorf("lim.WaitN(0) = %v want nil", err)
	}
}

func TestWaitShadow(t *testing.T) {
	rec := &recorder{}
	lim, clk := newLimiter(t, Config{Rate: 1, Per: time.Hour, Burst: 1, Shadow: true, Listener: rec})
	lim.Allow()
	// Would wait an hour: returns at once, keeping the reservation.
	if err := lim.Wait(context.Background()); err != nil {
		t.Fatalf("shadow lim.Wait() = %v want nil", err)
	}
	if n := clk.Timers(); n != 0 {
		t.Errorf("shadow Wait started %d timers", n)
	}
	// Would exceed the deadline: reports and returns nil.
	ctx, cancel := context.WithDeadline(context.Background(), clk.Now().Add(30*time.Minute))
	defer cancel()
	if err := lim.Wait(ctx); err != nil {
		t.Fatalf("shadow lim.Wait(deadline) = %v want nil", err)
	}
	if err := lim.WaitN(context.Background(), 2); err != nil {
		t.Fatalf("shadow lim.WaitN(2) = %v want nil", err)
	}
	if got := len(rec.kinds()); got != 2 {
		t.Errorf("shadow Wait reported %d events want 2", got)
	}
}
