package ratelimit

import (
	"math"
	"testing"
	"time"

	"github.com/resilience-go/resilience/clock"
)

// FuzzConfig: Validate never panics, New agrees with it, and a valid
// limiter's methods neither panic nor break their contracts.
func FuzzConfig(f *testing.F) {
	f.Add(10.0, int64(time.Second), 5, false, int64(0), 0.0, 1)
	f.Add(1e9, int64(0), 0, false, int64(time.Second), 3.0, 1000)
	f.Add(1e-9, int64(time.Hour), math.MaxInt, false, int64(0), 0.0, math.MaxInt)
	f.Add(math.NaN(), int64(-1), -1, true, int64(-1), -1.0, -1)
	f.Add(0.0, int64(0), 0, true, int64(0), 0.0, 3)
	f.Fuzz(func(t *testing.T, rate float64, per int64, burst int, unlimited bool, warm int64, cold float64, n int) {
		clk := clock.NewManual(t0)
		cfg := Config{Rate: rate, Per: time.Duration(per), Burst: burst, Unlimited: unlimited,
			WarmUp: time.Duration(warm), ColdFactor: cold, Clock: clk}
		verr := cfg.Validate()
		lim, err := New(cfg)
		if (verr == nil) != (err == nil) {
			t.Fatalf("Validate() = %v but New() = %v", verr, err)
		}
		if err != nil {
			return
		}
		ok := lim.AllowN(n)
		if n < 0 && ok {
			t.Fatalf("lim.AllowN(%d) = true for negative n", n)
		}
		if !unlimited && n > lim.Burst() && ok {
			t.Fatalf("lim.AllowN(%d) = true above burst %d", n, lim.Burst())
		}
		info := lim.AllowInfoN(n)
		if info.Remaining < 0 || info.Reset < 0 || info.RetryAfter < 0 || info.Remaining > info.Limit {
			t.Fatalf("lim.AllowInfoN(%d) = %+v", n, info)
		}
		r := lim.ReserveN(n)
		if r.Delay() < 0 {
			t.Fatalf("lim.ReserveN(%d).Delay() = %v", n, r.Delay())
		}
		r.Cancel()
		clk.Advance(time.Duration(per) & (1<<62 - 1))
		_ = lim.Info()
		_ = lim.SetLimit(rate*2, burst)
		_ = lim.Allow()
	})
}

func FuzzWindowConfig(f *testing.F) {
	f.Add(10, int64(time.Second), 3, int64(1500*time.Millisecond))
	f.Add(math.MaxInt, int64(math.MaxInt64), math.MaxInt, int64(math.MaxInt64))
	f.Add(1, int64(1), 1, int64(7))
	f.Add(0, int64(-1), -1, int64(-1))
	f.Fuzz(func(t *testing.T, limit int, window int64, n int, advance int64) {
		clk := clock.NewManual(t0)
		cfg := WindowConfig{Limit: limit, Window: time.Duration(window), Clock: clk}
		verr := cfg.Validate()
		w, err := NewSlidingWindow(cfg)
		if (verr == nil) != (err == nil) {
			t.Fatalf("Validate() = %v but NewSlidingWindow() = %v", verr, err)
		}
		if err != nil {
			return
		}
		for range 3 {
			ok := w.AllowN(n)
			if ok && (n < 0 || n > limit) {
				t.Fatalf("w.AllowN(%d) = true with limit %d", n, limit)
			}
			info := w.AllowInfoN(n)
			if info.Remaining < 0 || info.Remaining > limit || info.RetryAfter < 0 || info.Reset < 0 {
				t.Fatalf("w.AllowInfoN(%d) = %+v", n, info)
			}
			clk.Advance(time.Duration(advance))
		}
	})
}

func FuzzKeyed(f *testing.F) {
	f.Add(10.0, 2, 3, "alice", "bob", 1)
	f.Add(1e9, 0, 1, "", "\x00", 0)
	f.Add(1e-6, 1<<30, 0, string(make([]byte, 200)), "x", -1)
	f.Fuzz(func(t *testing.T, rate float64, burst, maxKeys int, k1, k2 string, n int) {
		clk := clock.NewManual(t0)
		cfg := KeyedConfig{Rate: rate, Burst: burst, MaxKeys: maxKeys & 0xffff, Clock: clk}
		k, err := NewKeyed(cfg)
		if err != nil {
			if cfg.Validate() == nil {
				t.Fatalf("NewKeyed() = %v but Validate() = nil", err)
			}
			return
		}
		for _, key := range []string{k1, k2, k1 + k2, k2 + k1, k1} {
			if ok := k.AllowN(key, n); ok && n < 0 {
				t.Fatalf("k.AllowN(%q, %d) = true", key, n)
			}
			_ = k.AllowInfo(key)
		}
		if k.Len() > max(cfg.MaxKeys, 0) && cfg.MaxKeys > 0 {
			t.Fatalf("k.Len() = %d above MaxKeys %d", k.Len(), cfg.MaxKeys)
		}
		k.Sweep()
	})
}
