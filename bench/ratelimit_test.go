package bench

import (
	"fmt"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/failsafe-go/failsafe-go/ratelimiter"
	uber "go.uber.org/ratelimit"
	"golang.org/x/time/rate"

	"github.com/resilience-go/resilience/ratelimit"
)

// The rate limiter areas. "Allow" uses a rate so high that every call is
// admitted; "Deny" a limiter whose only event is spent, so every call is
// refused. Ours reads the coarse clock (clock.Nanotime); x/time/rate and
// failsafe-go read time.Now under a mutex.

const rlHighRate = 1e9 // events per second, with a burst as large

// rlImpl is one implementation of an Allow area.
type rlImpl struct {
	name  string
	allow func() bool
}

func rlNewOurs(b *testing.B, cfg ratelimit.Config) *ratelimit.Limiter {
	lim, err := ratelimit.New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	return lim
}

// rlAllowImpls are the always-admitting limiters, as func() bool.
func rlAllowImpls(b *testing.B) []rlImpl {
	ours := rlNewOurs(b, ratelimit.Config{Rate: rlHighRate, Burst: rlHighRate})
	xr := rate.NewLimiter(rate.Limit(rlHighRate), rlHighRate)
	// go.uber.org/ratelimit has no Allow: Take blocks until the next slot.
	// At 1e9/s with a huge slack no call ever waits, so Take measures the
	// same bookkeeping as an Allow that admits (it cannot refuse).
	ub := uber.New(int(rlHighRate), uber.WithSlack(int(rlHighRate)))
	fs := ratelimiter.NewBursty[any](uint(rlHighRate), time.Second)
	return []rlImpl{
		{"resilience", ours.Allow},
		{"xrate", xr.Allow},
		{"uber", func() bool { ub.Take(); return true }},
		{"failsafe", fs.TryAcquirePermit},
	}
}

// rlDenyImpls are limiters whose only event is spent. uber is left out: its
// Take would block for the hour.
func rlDenyImpls(b *testing.B) []rlImpl {
	ours := rlNewOurs(b, ratelimit.Config{Rate: 1, Per: time.Hour, Burst: 1})
	xr := rate.NewLimiter(rate.Every(time.Hour), 1)
	fs := ratelimiter.NewBursty[any](1, time.Hour)
	impls := []rlImpl{
		{"resilience", ours.Allow},
		{"xrate", xr.Allow},
		{"failsafe", fs.TryAcquirePermit},
	}
	for _, im := range impls {
		im.allow()
	}
	return impls
}

func rlRunAllow(b *testing.B, impls []rlImpl, want bool, parallel bool) {
	for _, im := range impls {
		b.Run(im.name, func(b *testing.B) {
			b.ReportAllocs()
			if !parallel {
				for b.Loop() {
					if im.allow() != want {
						b.Fatalf("%s: allow() = %v want %v", im.name, !want, want)
					}
				}
				return
			}
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if im.allow() != want {
						b.Errorf("%s: allow() = %v want %v", im.name, !want, want)
						return
					}
				}
			})
		})
	}
}

func BenchmarkLimiterAllow(b *testing.B)         { rlRunAllow(b, rlAllowImpls(b), true, false) }
func BenchmarkLimiterAllowParallel(b *testing.B) { rlRunAllow(b, rlAllowImpls(b), true, true) }
func BenchmarkLimiterDeny(b *testing.B)          { rlRunAllow(b, rlDenyImpls(b), false, false) }
func BenchmarkLimiterDenyParallel(b *testing.B)  { rlRunAllow(b, rlDenyImpls(b), false, true) }

// rlXrateKeyed is the usual per-key pattern with x/time/rate: a map of
// limiters under a mutex, with no bound on the number of keys.
type rlXrateKeyed struct {
	mu sync.Mutex
	m  map[string]*rate.Limiter
}

func (k *rlXrateKeyed) Allow(key string) bool {
	k.mu.Lock()
	l, ok := k.m[key]
	if !ok {
		l = rate.NewLimiter(rlHighRate, rlHighRate)
		k.m[key] = l
	}
	k.mu.Unlock()
	return l.Allow()
}

const rlBenchKeys = 10_000

// BenchmarkKeyedLimiter decides for 10 000 remembered keys in turn and
// reports the heap each key costs (B/key), measured when inserting them.
func BenchmarkKeyedLimiter(b *testing.B) {
	keys := make([]string, rlBenchKeys)
	for i := range keys {
		keys[i] = fmt.Sprintf("10.0.%d.%d", i/256, i%256)
	}
	impls := []struct {
		name string
		make func() func(string) bool
	}{
		{"resilience", func() func(string) bool {
			// IdleTimeout keeps the keys although their buckets are full
			// again at once: they stay remembered, idle keys.
			k, err := ratelimit.NewKeyed(ratelimit.KeyedConfig{Rate: rlHighRate, Burst: rlHighRate,
				MaxKeys: 4 * rlBenchKeys, IdleTimeout: time.Hour})
			if err != nil {
				b.Fatal(err)
			}
			return k.Allow
		}},
		{"xrate", func() func(string) bool {
			k := &rlXrateKeyed{m: map[string]*rate.Limiter{}}
			return k.Allow
		}},
	}
	for _, im := range impls {
		b.Run(im.name, func(b *testing.B) {
			allow, perKey := rlFill(im.make, keys)
			b.ReportAllocs()
			b.ResetTimer()
			i := 0
			for b.Loop() {
				if !allow(keys[i]) {
					b.Fatal("refused")
				}
				if i++; i == rlBenchKeys {
					i = 0
				}
			}
			b.ReportMetric(perKey, "B/key")
			runtime.KeepAlive(allow)
		})
	}
}

// rlFill makes a keyed limiter, inserts keys, and returns it with the heap
// it grew by per key.
func rlFill(make func() func(string) bool, keys []string) (func(string) bool, float64) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	allow := make()
	for _, key := range keys {
		allow(key)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	return allow, float64(int64(after.HeapAlloc)-int64(before.HeapAlloc)) / float64(len(keys))
}
