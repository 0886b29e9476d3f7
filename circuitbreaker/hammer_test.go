package circuitbreaker

import (
	"context"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestHammerCountsExact: with no trip condition, no update may be lost
// under concurrency, whatever the window.
func TestHammerCountsExact(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
	}{
		{"count", Config{WindowSize: 1000}},
		{"count-tiny-buckets", Config{WindowSize: 7, WindowBuckets: 7}},
		{"time", Config{WindowType: WindowTime, SlowCallDuration: time.Millisecond}},
		{"metrics-only", Config{ConsecutiveFailures: 1}},
	}
	const workers, perWorker = 16, 3000
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, _ := newTest(t, tt.cfg)
			if tt.name == "metrics-only" {
				b.MetricsOnly()
			}
			var failures atomic.Uint64
			var wg sync.WaitGroup
			for w := range workers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					r := rand.New(rand.NewPCG(uint64(w), 1))
					for range perWorker {
						var err error
						if r.IntN(3) == 0 {
							err = errBoom
							failures.Add(1)
						}
						if aerr := b.Execute(ctx, func(context.Context) error { return err }); aerr != err {
							t.Errorf("Execute() = %v want %v", aerr, err)
							return
						}
					}
				}()
			}
			wg.Wait()
			m := b.Metrics()
			if total := m.SuccessesTotal + m.FailuresTotal; total != workers*perWorker || m.FailuresTotal != failures.Load() {
				t.Errorf("SuccessesTotal+FailuresTotal, FailuresTotal = %d, %d want %d, %d", total, m.FailuresTotal, workers*perWorker, failures.Load())
			}
			if b.cw != nil {
				size := uint64(b.cw.Size())
				if m.Calls < size || m.Calls > size+uint64(workers)*size {
					t.Errorf("window holds %d calls want about %d", m.Calls, size)
				}
			}
		})
	}
}

// TestHammerTransitions drives every transition from many goroutines while
// the clock moves, and checks that a half-open generation never has more
// probes in flight than HalfOpenProbes.
func TestHammerTransitions(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
	}{
		{"count", Config{FailureRateThreshold: 30, MinimumCalls: 20, WindowSize: 50, ConsecutiveFailures: 8}},
		{"time-slow", Config{WindowType: WindowTime, WindowDuration: time.Second, FailureRateThreshold: 40, SlowCallRateThreshold: 50, SlowCallDuration: 20 * time.Millisecond}},
		{"reset-interval", Config{ConsecutiveFailures: 5, ResetInterval: 50 * time.Millisecond}},
		{"adaptive", Config{Mode: ModeAdaptive, AdaptiveWindow: time.Second}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := tt.cfg
			cfg.OpenDuration = 30 * time.Millisecond
			cfg.HalfOpenProbes = 3
			cfg.HalfOpenMaxWait = 200 * time.Millisecond
			cfg.OpenJitter = 0.5
			cfg.Listener = &recorder{}
			b, clk := newTest(t, cfg)
			var mu sync.Mutex
			inflight := map[uint64]int{} // half-open generation -> probes in flight
			var stop atomic.Bool
			var wg sync.WaitGroup
			wg.Add(1)
			go func() { // the clock and the operator
				defer wg.Done()
				for i := 0; !stop.Load(); i++ {
					clk.Advance(time.Millisecond)
					switch i % 500 {
					case 250:
						b.ForceOpen()
					case 260:
						b.Reset()
					case 400:
						b.MetricsOnly()
					case 420:
						b.Reset()
					}
				}
			}()
			const workers = 16
			var done sync.WaitGroup
			for w := range workers {
				done.Add(1)
				go func() {
					defer done.Done()
					r := rand.New(rand.NewPCG(uint64(w), 2))
					for i := range 2000 {
						p, err := b.Acquire(ctx)
						if err != nil {
							continue
						}
						tok := p.Token()
						probe := stateOf(tok) == StateHalfOpen
						if probe {
							mu.Lock()
							inflight[tok]++
							if n := inflight[tok]; n > cfg.HalfOpenProbes {
								t.Errorf("%d probes in flight in one half-open generation, want <= %d", n, cfg.HalfOpenProbes)
							}
							mu.Unlock()
						}
						var cerr error
						switch phase := (i / 200) % 2; {
						case r.IntN(10) < 2+6*phase:
							cerr = errBoom
						case r.IntN(20) == 0:
							cerr = context.Canceled
						}
						if probe {
							mu.Lock()
							inflight[tok]--
							mu.Unlock()
						}
						p.Done(cerr)
						_ = b.State()
						if i%100 == 0 {
							_ = b.Metrics()
						}
					}
				}()
			}
			done.Wait()
			stop.Store(true)
			wg.Wait()
			m := b.Metrics()
			if m.SuccessesTotal+m.FailuresTotal == 0 {
				t.Errorf("no outcome recorded: %+v", m)
			}
			if tt.cfg.Mode != ModeAdaptive && m.Trips == 0 {
				t.Errorf("never tripped: %+v", m)
			}
		})
	}
}
