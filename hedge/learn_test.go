package hedge_test

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/resilience-go/resilience/clock"
	"github.com/resilience-go/resilience/hedge"
)

// observe makes one unhedged call that takes d on the manual clock.
func observe(t *testing.T, h *hedge.Hedger, clk *clock.Manual, d time.Duration) {
	t.Helper()
	if _, ok := h.Delay(); ok {
		t.Fatalf("observe: calls are hedged already; the test needs the unhedged path")
	}
	_, err := hedge.Do(context.Background(), h, func(context.Context) (int, error) {
		clk.Advance(d)
		return 0, nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestLearntDelay(t *testing.T) {
	ms := time.Millisecond
	tests := []struct {
		name      string
		cfg       hedge.Config
		latencies []time.Duration
		delay     time.Duration
		expected  time.Duration
	}{
		{"p50-of-four", hedge.Config{Percentile: 50, MinSamples: 4, Window: 8}, []time.Duration{40 * ms, 10 * ms, 30 * ms, 20 * ms}, 20 * ms, 20 * ms},
		{"p95-default", hedge.Config{}, durations(1, 20, ms), 19 * ms, 10 * ms},
		{"p99-takes-max-of-twenty", hedge.Config{Percentile: 99}, durations(1, 20, ms), 20 * ms, 10 * ms},
		{"min-delay", hedge.Config{MinSamples: 2, MinDelay: 5 * ms}, []time.Duration{ms, ms}, 5 * ms, ms},
		{"default-min-delay", hedge.Config{MinSamples: 2}, []time.Duration{0, 0}, ms, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := clock.NewManual(t0)
			tt.cfg.Clock = clk
			h := mustNew(t, tt.cfg)
			for _, d := range tt.latencies {
				observe(t, h, clk, d)
			}
			if d, ok := h.Delay(); !ok || d != tt.delay {
				t.Errorf("Delay() = %v, %v want %v, true", d, ok, tt.delay)
			}
			if got := h.ExpectedLatency(); got != tt.expected {
				t.Errorf("ExpectedLatency() = %v want %v", got, tt.expected)
			}
		})
	}
}

func durations(from, to int, unit time.Duration) []time.Duration {
	var ds []time.Duration
	for i := from; i <= to; i++ {
		ds = append(ds, time.Duration(i)*unit)
	}
	return ds
}

// TestWindowForgets checks that only the last Window latencies count.
func TestWindowForgets(t *testing.T) {
	clk := clock.NewManual(t0)
	h := mustNew(t, hedge.Config{Percentile: 50, MinSamples: 4, Window: 4, InitialDelay: time.Hour, Clock: clk})
	if d, ok := h.Delay(); !ok || d != time.Hour {
		t.Fatalf("Delay() before samples = %v, %v want the InitialDelay 1h", d, ok)
	}
	// Once MinSamples latencies are known the learnt delay takes over.
	h = mustNew(t, hedge.Config{Percentile: 50, MinSamples: 4, Window: 4, Clock: clk})
	for range 4 {
		observe(t, h, clk, 100*time.Millisecond)
	}
	if d, _ := h.Delay(); d != 100*time.Millisecond {
		t.Fatalf("Delay() = %v want 100ms", d)
	}
	// Now hedged: feed four fast calls through the hedged path.
	for range 4 {
		if _, err := hedge.Do(context.Background(), h, func(context.Context) (int, error) { return 0, nil }); err != nil {
			t.Fatal(err)
		}
	}
	if d, _ := h.Delay(); d != time.Millisecond {
		t.Errorf("Delay() after four instant calls = %v want the 1ms MinDelay: the 100ms samples left the window", d)
	}
	if st := h.Stats(); st.Samples != 8 || st.Calls != 8 || st.Hedges != 0 {
		t.Errorf("Stats() = %+v want 8 samples, 8 calls, no hedge", st)
	}
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name  string
		cfg   hedge.Config
		field string
	}{
		{"zero", hedge.Config{}, ""},
		{"defaults", hedge.DefaultConfig(), ""},
		{"fixed", hedge.Config{Delay: time.Millisecond, MaxHedges: 16}, ""},
		{"small-window-default-min-samples", hedge.Config{Window: 4}, ""},
		{"negative-delay", hedge.Config{Delay: -1}, "Delay"},
		{"percentile-100", hedge.Config{Percentile: 100}, "Percentile"},
		{"percentile-negative", hedge.Config{Percentile: -5}, "Percentile"},
		{"percentile-nan", hedge.Config{Percentile: nan()}, "Percentile"},
		{"both", hedge.Config{Delay: time.Millisecond, Percentile: 90}, "Percentile"},
		{"negative-min-delay", hedge.Config{MinDelay: -1}, "MinDelay"},
		{"negative-initial", hedge.Config{InitialDelay: -1}, "InitialDelay"},
		{"negative-window", hedge.Config{Window: -1}, "Window"},
		{"huge-window", hedge.Config{Window: 1<<16 + 1}, "Window"},
		{"min-samples-above-window", hedge.Config{Window: 4, MinSamples: 5}, "MinSamples"},
		{"negative-min-samples", hedge.Config{MinSamples: -1}, "MinSamples"},
		{"negative-hedges", hedge.Config{MaxHedges: -1}, "MaxHedges"},
		{"too-many-hedges", hedge.Config{MaxHedges: 17}, "MaxHedges"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate()
			if tt.field == "" {
				if err != nil {
					t.Fatalf("Validate() = %v want nil", err)
				}
				mustNew(t, tt.cfg)
				return
			}
			if err == nil || !strings.HasPrefix(err.Error(), "hedge: "+tt.field+" ") {
				t.Fatalf("Validate() = %v want an error naming %s", err, tt.field)
			}
			if _, nerr := hedge.New(tt.cfg); nerr == nil {
				t.Fatalf("New() = nil error want %v", err)
			}
		})
	}
}

func nan() float64 {
	zero := 0.0
	return zero / zero
}

func TestUnhedgedZeroAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocations are not measured under -race")
	}
	h := mustNew(t, hedge.Config{MinSamples: 128, Window: 128, Clock: clock.NewManual(t0)})
	fn := func(context.Context) (int, error) { return 1, nil }
	ctx := context.Background()
	if n := testing.AllocsPerRun(100, func() { hedge.Do(ctx, h, fn) }); n != 0 {
		t.Errorf("unhedged Do allocates %v times want 0", n)
	}
}

// TestHammer runs many hedged calls at once on the real clock, with Do and
// with Keep: every third call's first attempt hangs until cancelled, so its
// hedge must answer, and the others take a few microseconds, so that hedges
// start while other attempts decide the call. Every attempt must end before
// the test does; with Keep, the winner's context must be live until its
// release.
func TestHammer(t *testing.T) {
	for _, keep := range []bool{false, true} {
		name := "Do"
		if keep {
			name = "Keep"
		}
		t.Run(name, func(t *testing.T) { hammer(t, keep) })
	}
}

func hammer(t *testing.T, keep bool) {
	h := mustNew(t, hedge.Config{Delay: 100 * time.Microsecond, MaxHedges: 2})
	// ended counts attempts that returned. A losing hedge may still be
	// starting when its call returns, so the test waits until every
	// attempt Stats counts (calls and hedges) has ended.
	var ended, hung atomic.Int64
	const goroutines, each = 8, 60
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				want := g*1000 + i
				hang := i%3 == 0
				fn := func(ctx context.Context) (context.Context, error) {
					defer ended.Add(1)
					if hang && hedge.AttemptFromContext(ctx) == 1 {
						hung.Add(1)
						<-ctx.Done()
						return nil, ctx.Err()
					}
					time.Sleep(time.Duration(i%4) * 50 * time.Microsecond)
					return context.WithValue(ctx, hammerKey{}, want), nil
				}
				var ctx context.Context
				var err error
				if keep {
					var release context.CancelCauseFunc
					ctx, release, err = hedge.Keep(context.Background(), h, fn)
					if err == nil && ctx.Err() != nil {
						t.Errorf("Keep: winner's context done before release: %v", context.Cause(ctx))
					}
					release(nil)
				} else {
					ctx, err = hedge.Do(context.Background(), h, fn)
				}
				if err != nil || ctx.Value(hammerKey{}) != want {
					t.Errorf("call %d: %v, %v want %d", want, ctx, err, want)
					return
				}
			}
		}()
	}
	wg.Wait()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(time.Millisecond) {
		st := h.Stats()
		if uint64(ended.Load()) == st.Calls+st.Hedges {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d attempts ended of %d started (%+v)", ended.Load(), st.Calls+st.Hedges, st)
		}
	}
	st := h.Stats()
	if st.Calls != goroutines*each || st.HedgeWins < uint64(hung.Load()) || st.Hedges < st.HedgeWins {
		t.Errorf("Stats() = %+v with %d hung first attempts", st, hung.Load())
	}
}

type hammerKey struct{}
