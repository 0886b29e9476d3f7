package adaptive_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/adaptive"
	"github.com/resilience-go/resilience/clock"
)

// TestLimiterHammer admits from many goroutines at a fixed limit and checks
// that no priority ever runs more calls than its allowance.
func TestLimiterHammer(t *testing.T) {
	clk := clock.NewManual(t0) // never advanced: the limit stays put
	l := mustLimiter(t, adaptive.Config{InitialLimit: 20, Clock: clk})
	var mu sync.Mutex
	running := 0
	peak := map[adaptive.Priority]int{}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 3000 {
				p := adaptive.Priority((g+i)%adaptive.NumPriorities) + adaptive.PrioritySheddable
				pm, err := l.AcquirePriority(p)
				if err != nil {
					continue
				}
				mu.Lock()
				running++
				peak[p] = max(peak[p], running)
				mu.Unlock()
				mu.Lock()
				running--
				mu.Unlock()
				pm.Done(nil)
			}
		}()
	}
	wg.Wait()
	for p, n := range peak {
		if n > l.Allowance(p) {
			t.Errorf("%v calls were admitted with %d running; allowance %d", p, n, l.Allowance(p))
		}
	}
	if got := l.InFlight(); got != 0 {
		t.Errorf("InFlight() = %d after the hammer want 0", got)
	}
}

// TestLimiterHammerWindows closes windows from many goroutines at once on
// the real clock, for the race detector, and checks the books balance.
func TestLimiterHammerWindows(t *testing.T) {
	for _, alg := range adaptive.Algorithms() {
		t.Run(string(alg), func(t *testing.T) {
			l := mustLimiter(t, adaptive.Config{Algorithm: alg, Window: time.Microsecond, MinSamples: 1, ProbeInterval: time.Millisecond, MaxLimit: 50})
			var wg sync.WaitGroup
			for g := range 8 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := range 3000 {
						p, err := l.AcquirePriority(adaptive.Priority(i%5 - 2))
						if err != nil {
							continue
						}
						if (g+i)%7 == 0 {
							p.Done(context.DeadlineExceeded)
						} else {
							p.Done(nil)
						}
					}
				}()
			}
			wg.Wait()
			st := l.Stats()
			if st.InFlight != 0 || st.Limit < 1 || st.Limit > 50 {
				t.Errorf("Stats() = %+v want nothing in flight and a limit in [1, 50]", st)
			}
		})
	}
}

func TestLimiterHotPathAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocations differ under -race")
	}
	l := mustLimiter(t, adaptive.Config{InitialLimit: 1, Clock: clock.NewManual(t0)})
	s, _ := adaptive.NewShedder(adaptive.ShedderConfig{TargetLatency: time.Second, MinLimit: 1, InitialLimit: 1, Clock: clock.NewManual(t0)})
	ctx := adaptive.WithPriority(context.Background(), adaptive.PriorityHigh)
	tests := []struct {
		name string
		g    resilience.Guard
	}{{"limiter", l}, {"shedder", s}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := testing.AllocsPerRun(1000, func() {
				p, _ := tt.g.Acquire(ctx)
				_, _ = tt.g.Acquire(ctx) // refused
				p.Done(nil)
			}); got != 0 {
				t.Errorf("Acquire, refused Acquire, Done: %v allocs want 0", got)
			}
		})
	}
}

func BenchmarkLimiterAcquireDone(b *testing.B) {
	l := mustLimiter(b, adaptive.Config{MaxLimit: 1 << 20, InitialLimit: 1 << 20})
	ctx := context.Background()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			p, err := l.Acquire(ctx)
			if err == nil {
				p.Done(nil)
			}
		}
	})
}
