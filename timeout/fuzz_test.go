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

// FuzzRealEnter derives real-clock (timer wheel) contexts for any limit,
// under no caller deadline, a caller deadline from package context, or an
// outer real-clock Timeout's context, and releases them with Exit.
func FuzzRealEnter(f *testing.F) {
	f.Add(int64(time.Second), int64(0), uint8(0))
	f.Add(int64(1), int64(1), uint8(1))
	f.Add(int64(math.MaxInt64), int64(1), uint8(2))
	f.Add(int64(1), int64(math.MaxInt64), uint8(3))
	f.Add(int64(-1), int64(time.Hour), uint8(0))
	f.Add(int64(time.Hour), int64(time.Minute), uint8(2))
	f.Fuzz(func(t *testing.T, limit, caller int64, mode uint8) {
		to, err := New(Config{Timeout: time.Duration(limit)})
		if (err != nil) != (limit <= 0) {
			t.Fatalf("New(%v) = %v", time.Duration(limit), err)
		}
		if err != nil {
			return
		}
		ctx := context.Background()
		if caller != 0 {
			d := time.Duration(max(caller, 1))
			if mode&2 != 0 {
				outer, err := New(Config{Timeout: d})
				if err != nil {
					t.Fatal(err)
				}
				octx, _, _ := outer.Enter(ctx)
				defer func() { _ = outer.Exit(context.Background(), octx, nil) }()
				ctx = octx
			} else {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, d)
				defer cancel()
			}
		}
		inner, cancel, err := to.Enter(ctx)
		if err != nil || cancel != nil {
			t.Fatalf("Enter() = cancel %v, %v want nil, nil", cancel != nil, err)
		}
		dl, ok := inner.Deadline()
		if !ok {
			t.Fatal("Enter() made a context without a deadline")
		}
		if cdl, cok := ctx.Deadline(); cok && dl.After(cdl) {
			t.Fatalf("inner deadline %v after the caller's %v", dl, cdl)
		}
		if inner == ctx {
			if err := to.Exit(ctx, inner, nil); err != nil || (ctx.Err() != nil) != (inner.Err() != nil) {
				t.Fatalf("Exit() of a passed-through context = %v", err)
			}
			return
		}
		if _, ok := inner.(*wheelCtx); !ok {
			t.Fatalf("Enter() = %T want a *wheelCtx", inner)
		}
		if mode&1 != 0 {
			_ = inner.Done()
		}
		err = to.Exit(ctx, inner, nil)
		if err != nil && err != ErrTimeout {
			t.Fatalf("Exit() = %v want nil or ErrTimeout", err)
		}
		// Released (Canceled), expired (ErrTimeout), or ended with the
		// caller's context first.
		switch e := inner.Err(); {
		case err == ErrTimeout && e != context.DeadlineExceeded,
			err == nil && e != context.Canceled && (e == nil || e != ctx.Err()):
			t.Fatalf("after Exit() = %v: Err() = %v, caller's %v", err, e, ctx.Err())
		}
		select {
		case <-inner.Done():
		default:
			t.Fatal("Done not closed after Exit")
		}
	})
}
