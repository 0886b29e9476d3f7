package ratelimit

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/resilience-go/resilience/clock"
)

// hammer runs workers goroutines calling try while a driver advances clk
// by steps milliseconds, each step after every worker has made a few calls
// at the current instant, and returns how many events try admitted.
func hammer(clk *clock.Manual, workers, steps int, try func(worker, i int) int) int64 {
	var total, calls atomic.Int64
	var stop atomic.Bool
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; !stop.Load(); i++ {
				total.Add(int64(try(w, i)))
				calls.Add(1)
			}
		}()
	}
	for range steps {
		for target := calls.Load() + int64(2*workers); calls.Load() < target; {
			runtime.Gosched()
		}
		clk.Advance(time.Millisecond)
	}
	stop.Store(true)
	wg.Wait()
	return total.Load()
}

// TestLimiterHammer: however the calls interleave, the limiter admits at
// most burst + rate·elapsed; and with callers at every instant and no
// reservations, nearly that many.
func TestLimiterHammer(t *testing.T) {
	tests := []struct {
		name    string
		warm    time.Duration
		reserve bool // mix in reservations that are cancelled out of order
	}{
		{"allow", 0, false},
		{"allow+reserve", 0, true},
		{"warm-up", 50 * time.Millisecond, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lim, clk := newLimiter(t, Config{Rate: 2000, Burst: 10, WarmUp: tt.warm})
			const steps = 200
			total := hammer(clk, 8, steps, func(w, i int) int {
				n := 1 + i%2
				switch {
				case w%4 == 3 && tt.reserve:
					// Cancel gives back only what later reservations do
					// not rely on (like x/time/rate), so out-of-order
					// cancels leak events: only the upper bound holds.
					if r := lim.ReserveN(n); r.OK() {
						if r.Delay() == 0 {
							return n
						}
						r.Cancel()
					}
				case w%4 == 1:
					if lim.AllowInfoN(n).Allowed {
						return n
					}
				case w%4 == 2:
					if _, err := lim.Acquire(context.Background()); err == nil {
						return 1
					}
				default:
					if lim.AllowN(n) {
						return n
					}
				}
				return 0
			})
			bound := int64(10 + 2000*steps/1000)
			if total > bound {
				t.Errorf("admitted %d want <= burst + rate·elapsed = %d", total, bound)
			}
			if total == 0 || tt.warm == 0 && !tt.reserve && total < bound*95/100 {
				t.Errorf("admitted %d want close to %d", total, bound)
			}
		})
	}
}

// TestLimiterHammerRealClock checks the bound on the real, coarse clock:
// at most max(burst, rate·1ms) + rate·(elapsed + 1ms).
func TestLimiterHammerRealClock(t *testing.T) {
	lim, err := New(Config{Rate: 100_000, Burst: 20})
	if err != nil {
		t.Fatal(err)
	}
	var total atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 200_000 {
				if lim.Allow() {
					total.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	bound := int64(100) + int64(100_000*(elapsed+2*time.Millisecond).Seconds())
	if got := total.Load(); got > bound || got == 0 {
		t.Errorf("admitted %d in %v want between 1 and %d", got, elapsed, bound)
	}
}

func TestSlidingWindowHammer(t *testing.T) {
	w, clk := newWindow(t, WindowConfig{Limit: 50, Window: 100 * time.Millisecond})
	const steps = 400
	var mu sync.Mutex
	perWindow := map[int64]int{}
	hammer(clk, 8, steps, func(_, i int) int {
		n := 1 + i%3
		if !w.AllowN(n) {
			return 0
		}
		mu.Lock()
		perWindow[clk.Nanotime()/int64(100*time.Millisecond)] += n
		mu.Unlock()
		return n
	})
	// The clock can move between AllowN and Nanotime, so allow one
	// window's spill-over by checking pairs of neighbouring windows.
	for idx, n := range perWindow {
		if n+perWindow[idx+1] > 2*50+50 {
			t.Errorf("windows %d and %d admitted %d and %d", idx, idx+1, n, perWindow[idx+1])
		}
	}
	if len(perWindow) == 0 {
		t.Errorf("admitted nothing")
	}
}

func TestKeyedHammer(t *testing.T) {
	k, clk := newKeyed(t, KeyedConfig{Rate: 1000, Burst: 5, MaxKeys: 128})
	const steps = 200
	var perKey [16]atomic.Int64
	hammer(clk, 8, steps, func(w, i int) int {
		if i%4 == 3 { // churn: distinct keys to force evictions and sweeps
			k.Allow(fmt.Sprint("churn", w, i))
			return 0
		}
		key := i % len(perKey)
		if k.Allow(fmt.Sprint("key", key)) {
			perKey[key].Add(1)
		}
		return 0
	})
	// An evicted key can start over with a full bucket, so check the bound
	// only loosely for churned tables: no key gets more than twice its due.
	bound := int64(5+1000*steps/1000) * 2
	for i := range perKey {
		if got := perKey[i].Load(); got > bound {
			t.Errorf("key %d admitted %d want <= %d", i, got, bound)
		}
	}
	if n := k.Len(); n > 128 {
		t.Errorf("k.Len() = %d want <= 128", n)
	}
}
