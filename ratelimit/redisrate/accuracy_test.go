package redisrate

import (
	"math"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// shareOneKey runs instances Limiters (each with its own go-redis client)
// on one key for dur, workers goroutines each, and returns how many events
// they admitted in all and how long the run took.
func shareOneKey(t *testing.T, srv *redisServer, cfg Config, instances, workers int, dur time.Duration) (int64, time.Duration) {
	t.Helper()
	lims := make([]*Limiter, instances)
	for i := range lims {
		lims[i] = newTestLimiter(t, srv.client(t), cfg)
	}
	var admitted, errs atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	stop := start.Add(dur)
	for _, l := range lims {
		for range workers {
			wg.Go(func() {
				for time.Now().Before(stop) {
					info, err := l.Allow(bg(), "shared")
					if err != nil {
						errs.Add(1)
					}
					if info.Allowed {
						admitted.Add(1)
					}
					// Callers that do some work between calls, as real ones
					// do, rather than spinning on local refusals: demand
					// stays far above the rate (~16 000/s against 200/s).
					time.Sleep(200 * time.Microsecond)
				}
			})
		}
	}
	wg.Wait()
	elapsed := time.Since(start)
	for _, l := range lims {
		if l.Degraded() {
			t.Fatalf("a limiter fell back during the run; the count is not Redis's")
		}
	}
	if errs.Load() != 0 {
		t.Fatalf("%d decisions failed", errs.Load())
	}
	return admitted.Load(), elapsed
}

// TestAccuracyAcrossInstances: four instances sharing a key for 5s admit
// Rate·5s + Burst events in all, within 5%.
func TestAccuracyAcrossInstances(t *testing.T) {
	tests := []struct {
		name  string
		cfg   Config
		slack float64
	}{
		{"per decision", Config{Rate: 200, Burst: 10, Prefix: "acc:", Timeout: time.Second}, 0.05},
		{"lease", Config{Rate: 200, Burst: 10, Lease: 5, Prefix: "acclease:", Timeout: time.Second}, 0.05},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if testing.Short() {
				t.Skip("runs for 5s")
			}
			srv := startRedis(t)
			got, elapsed := shareOneKey(t, srv, tt.cfg, 4, 2, 5*time.Second)
			want := tt.cfg.Rate*elapsed.Seconds() + float64(tt.cfg.Burst)
			dev := (float64(got) - want) / want
			t.Logf("%s: admitted %d in %v, want %.0f: %+.2f%%", tt.name, got, elapsed.Round(time.Millisecond), want, 100*dev)
			if math.Abs(dev) > tt.slack {
				t.Fatalf("admitted %d in %v across 4 instances, want %.0f ± %.0f%%", got, elapsed, want, 100*tt.slack)
			}
		})
	}
}

// TestHammerOneKey: many goroutines on several limiters race for one
// bucket that cannot refill during the test: exactly Burst are admitted.
func TestHammerOneKey(t *testing.T) {
	srv := startRedis(t)
	const burst = 37
	for _, lease := range []int{0, 4} {
		cfg := Config{Rate: 1, Per: time.Hour, Burst: burst, Lease: lease, Prefix: "hammer:" + string(rune('a'+lease)) + ":"}
		lims := []*Limiter{
			newTestLimiter(t, srv.client(t), cfg),
			newTestLimiter(t, srv.client(t), cfg),
			newTestLimiter(t, srv.client(t), cfg),
		}
		var admitted atomic.Int64
		var wg sync.WaitGroup
		for g := range 24 {
			l := lims[g%len(lims)]
			wg.Go(func() {
				for range 10 {
					info, err := l.Allow(bg(), "one")
					if err != nil {
						t.Errorf("lim.Allow() = %v", err)
						return
					}
					if info.Allowed {
						admitted.Add(1)
					}
					// Callers that do some work between calls, as real ones
					// do, rather than spinning on local refusals: demand
					// stays far above the rate (~16 000/s against 200/s).
					time.Sleep(200 * time.Microsecond)
				}
			})
		}
		wg.Wait()
		// With leases, events taken but not spent are lost, never added.
		if got := admitted.Load(); got > burst || (lease == 0 && got != burst) || got < burst-int64(len(lims)*lease) {
			t.Fatalf("Lease %d: 240 calls admitted %d want %d", lease, got, burst)
		}
	}
}
