package timeout

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/resilience-go/resilience/clock"
)

func FuzzConfig(f *testing.F) {
	f.Add(int64(time.Second), int64(0))
	f.Add(int64(0), int64(time.Second))
	f.Add(int64(-1), int64(-1))
	f.Add(int64(math.MaxInt64), int64(math.MaxInt64))
	f.Add(int64(1), int64(math.MinInt64))
	f.Fuzz(func(t *testing.T, limit, callerDeadline int64) {
		clk := clock.NewManual(t0)
		cfg := Config{Timeout: time.Duration(limit), Clock: clk}
		err := cfg.Validate()
		to, nerr := New(cfg)
		if (err == nil) != (nerr == nil) || (to == nil) == (nerr == nil) {
			t.Fatalf("Validate() = %v but New() = %v, %v", err, to, nerr)
		}
		if err != nil {
			return
		}
		ctx := context.Background()
		if callerDeadline != 0 {
			outer, err := New(Config{Timeout: time.Duration(max(callerDeadline, 1)), Clock: clk})
			if err != nil {
				t.Fatal(err)
			}
			octx, cancel, _ := outer.Enter(ctx)
			defer cancel()
			ctx = octx
		}
		inner, cancel, err := to.Enter(ctx)
		if err != nil {
			t.Fatalf("Enter() = %v", err)
		}
		dl, ok := inner.Deadline()
		if !ok {
			t.Fatal("Enter() made a context without a deadline")
		}
		if cdl, cok := ctx.Deadline(); cok && dl.After(cdl) {
			t.Fatalf("inner deadline %v after the caller's %v", dl, cdl)
		}
		if cancel == nil && inner != ctx {
			t.Fatal("a nil cancel must come with the caller's own context")
		}
		if cancel != nil {
			cancel()
			if inner.Err() != context.Canceled {
				t.Fatalf("Err() after cancel = %v", inner.Err())
			}
		}
	})
}
