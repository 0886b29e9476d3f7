package hedge_test

import (
	"context"
	"testing"
	"time"

	"github.com/resilience-go/resilience/clock"
	"github.com/resilience-go/resilience/hedge"
)

// FuzzConfigValidate checks that New accepts exactly the configs Validate
// accepts, and that an accepted Hedger gives sane delays and runs calls.
func FuzzConfigValidate(f *testing.F) {
	f.Add(int64(0), 0.0, int64(0), int64(0), 0, 0, 0)
	f.Add(int64(time.Millisecond), 95.0, int64(0), int64(0), 0, 0, 1)
	f.Add(int64(0), 99.9, int64(time.Second), int64(-1), 300, 64, 17)
	f.Add(int64(-1), 100.0, int64(-1), int64(time.Hour), -1, 70000, -1)
	f.Fuzz(func(t *testing.T, delay int64, pct float64, minDelay, initial int64, minSamples, window, maxHedges int) {
		cfg := hedge.Config{
			Delay: time.Duration(delay), Percentile: pct, MinDelay: time.Duration(minDelay),
			InitialDelay: time.Duration(initial), MinSamples: minSamples, Window: window, MaxHedges: maxHedges,
			Clock: clock.NewManual(t0),
		}
		verr := cfg.Validate()
		h, err := hedge.New(cfg)
		if (verr == nil) != (err == nil) {
			t.Fatalf("Validate() = %v but New() = %v", verr, err)
		}
		if err != nil {
			return
		}
		if d, ok := h.Delay(); ok && d <= 0 {
			t.Fatalf("Delay() = %v, true want a positive delay", d)
		}
		if _, ok := h.Delay(); ok {
			return // a hedged call would wait on the manual clock
		}
		v, err := hedge.Do(context.Background(), h, func(context.Context) (int, error) { return 7, nil })
		if v != 7 || err != nil {
			t.Fatalf("Do() = %v, %v want 7, nil", v, err)
		}
	})
}
