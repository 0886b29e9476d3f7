package fallback_test

import (
	"context"
	"testing"
	"time"

	"github.com/resilience-go/resilience/clock"
	"github.com/resilience-go/resilience/fallback"
)

// FuzzCacheConfigValidate checks that NewStaleCache accepts exactly the
// configs Validate accepts, and that an accepted cache works.
func FuzzCacheConfigValidate(f *testing.F) {
	f.Add(0, int64(0), int64(0))
	f.Add(3, int64(time.Second), int64(time.Second))
	f.Add(-1, int64(-1), int64(5))
	f.Add(1<<30+1, int64(1<<62), int64(0))
	f.Fuzz(func(t *testing.T, max int, ttl, stale int64) {
		if max > 1<<16 {
			max = max%(1<<16) + 1<<30 // keep memory small but still probe the limit
		}
		cfg := fallback.CacheConfig{MaxEntries: max, TTL: time.Duration(ttl), StaleTTL: time.Duration(stale), Clock: clock.NewManual(t0)}
		verr := cfg.Validate()
		if verr == nil && max > 1<<16 {
			return // valid but too large to allocate here
		}
		c, err := fallback.NewStaleCache[int, int](cfg)
		if (verr == nil) != (err == nil) {
			t.Fatalf("Validate() = %v but NewStaleCache() = %v", verr, err)
		}
		if err != nil {
			return
		}
		c.Put(1, 1)
		if v, _, _, found := c.Get(1); !found || v != 1 {
			t.Fatalf("Get(1) after Put(1, 1) = %v, %v", v, found)
		}
	})
}

// FuzzStaleCacheOps runs random operations against a small cache and a
// model: the cache never holds more than MaxEntries keys, never returns a
// value that was not the last stored under that key, always holds the key
// it just stored, and never serves values older than StaleTTL.
func FuzzStaleCacheOps(f *testing.F) {
	f.Add([]byte{0, 1, 0, 2, 0, 3, 0, 4, 1, 1, 2, 2, 3, 1})
	f.Add([]byte{0, 0, 4, 9, 1, 0, 3, 0, 0, 0})
	f.Fuzz(func(t *testing.T, ops []byte) {
		const max = 4
		clk := clock.NewManual(t0)
		c, _ := fallback.NewStaleCache[byte, int](fallback.CacheConfig{MaxEntries: max, TTL: time.Second, StaleTTL: 3 * time.Second, Clock: clk})
		type stored struct {
			v  int
			at time.Time
		}
		model := map[byte]stored{}
		for i := 0; i+1 < len(ops); i += 2 {
			op, key := ops[i]%5, ops[i+1]%8
			switch op {
			case 0:
				c.Put(key, i)
				model[key] = stored{i, clk.Now()}
				if v, _, _, found := c.Get(key); !found || v != i {
					t.Fatalf("Get(%d) right after Put = %v, %v want %d", key, v, found, i)
				}
			case 1:
				v, age, fresh, found := c.Get(key)
				m, known := model[key]
				if found && (!known || v != m.v || age != clk.Now().Sub(m.at) || age >= 3*time.Second || fresh != (age < time.Second)) {
					t.Fatalf("Get(%d) = %v age %v fresh %v; model %+v known %v", key, v, age, fresh, m, known)
				}
				if !found && known && clk.Now().Sub(m.at) >= 3*time.Second {
					delete(model, key)
				}
			case 2:
				c.Delete(key)
				delete(model, key)
			case 3:
				clk.Advance(time.Duration(key) * 300 * time.Millisecond)
			case 4:
				res := c.Do(context.Background(), key, func(context.Context) (int, error) { return -1, errUnavailable })
				m, known := model[key]
				if res.Degraded && (!known || res.Value != m.v || clk.Now().Sub(m.at) >= 3*time.Second) {
					t.Fatalf("Do(%d) served %+v; model %+v known %v", key, res, m, known)
				}
			}
			if n := c.Len(); n > max {
				t.Fatalf("Len() = %d > MaxEntries %d", n, max)
			}
		}
	})
}
