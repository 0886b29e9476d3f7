package ratelimit

import (
	"math"
	"testing"
	"time"

	"github.com/resilience-go/resilience/clock"
)

// saturate calls Allow as often as it succeeds at every step of 50µs (fine
// enough that rounding event times up to a step costs under 0.5%) for d,
// and returns the admissions per second.
func saturate(lim *Limiter, clk *clock.Manual, d time.Duration) []int {
	const step = 50 * time.Microsecond
	counts := make([]int, int(d/time.Second))
	for i := range int(d / step) {
		for lim.Allow() {
			counts[i/int(time.Second/step)]++
		}
		clk.Advance(step)
	}
	return counts
}

// TestWarmUpRamp checks the ramp numerically: from cold, saturated traffic
// gets Rate/3 at first, climbing linearly to Rate over WarmUp, so second k
// admits the ramp's average over it, 100/3 + (200/3)·(k+0.5)/10.
func TestWarmUpRamp(t *testing.T) {
	lim, clk := newLimiter(t, Config{Rate: 100, Burst: 1, WarmUp: 10 * time.Second})
	if w := lim.Warmth(); w != 0 {
		t.Fatalf("new lim.Warmth() = %v want 0 (cold)", w)
	}
	counts := saturate(lim, clk, 14*time.Second)
	for k, got := range counts {
		want := 100.0
		if k < 10 {
			want = 100.0/3 + 200.0/3*(float64(k)+0.5)/10
		}
		if math.Abs(float64(got)-want) > 1.5 {
			t.Errorf("second %d: admitted %d want %.1f ± 1.5", k, got, want)
		}
	}
	if w := lim.Warmth(); w != 1 {
		t.Errorf("after the ramp lim.Warmth() = %v want 1", w)
	}
}

func TestWarmUpCoolsWhenIdle(t *testing.T) {
	lim, clk := newLimiter(t, Config{Rate: 100, Burst: 1, WarmUp: 10 * time.Second, ColdFactor: 4})
	saturate(lim, clk, 12*time.Second)
	clk.Advance(5 * time.Second) // idle for half the warm-up period
	if w := lim.Warmth(); math.Abs(w-0.5) > 0.01 {
		t.Errorf("after 5s idle lim.Warmth() = %v want 0.5", w)
	}
	// Half warm with ColdFactor 4: rate 25 + 75·0.5 = 62.5/s, still climbing.
	counts := saturate(lim, clk, time.Second)
	if want := 62.5 + 75*0.05; math.Abs(float64(counts[0])-want) > 1.5 {
		t.Errorf("first second after idling admitted %d want %.1f ± 1.5", counts[0], want)
	}
	clk.Advance(time.Minute)
	if w := lim.Warmth(); w != 0 {
		t.Errorf("after a long idle lim.Warmth() = %v want 0", w)
	}
}

func TestWarmUpReserveInfoSetLimit(t *testing.T) {
	lim, clk := newLimiter(t, Config{Rate: 10, Burst: 1, WarmUp: time.Second})
	if !lim.Allow() {
		t.Fatal("cold lim.Allow() = false")
	}
	// Cold: one event per 300ms.
	if d := lim.Reserve().Delay(); d != 300*ms {
		t.Errorf("cold lim.Reserve().Delay() = %v want 300ms", d)
	}
	if info := lim.Info(); info.Allowed || info.Limit != 1 || info.Window != 100*ms {
		t.Errorf("cold lim.Info() = %+v want refused, Limit 1, Window 100ms", info)
	}
	r := lim.Reserve()
	r.Cancel()
	if err := lim.SetRate(20); err != nil {
		t.Fatal(err)
	}
	clk.Advance(time.Second)
	if r, _ := lim.Rate(); r != 20 {
		t.Errorf("lim.Rate() = %v want 20", r)
	}
	if !lim.Allow() {
		t.Errorf("lim.Allow() after 1s = false")
	}
}
