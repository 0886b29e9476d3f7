package ratelimit

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/clock"
)

func newKeyed(t testing.TB, cfg KeyedConfig) (*Keyed, *clock.Manual) {
	t.Helper()
	clk := clock.NewManual(t0)
	cfg.Clock = clk
	k, err := NewKeyed(cfg)
	if err != nil {
		t.Fatalf("NewKeyed(%+v) = %v", cfg, err)
	}
	return k, clk
}

func TestKeyedPerKeyTable(t *testing.T) {
	k, clk := newKeyed(t, KeyedConfig{Rate: 10, Burst: 2})
	long := strings.Repeat("x", 1000)
	steps := []struct {
		at  time.Duration
		key string
		n   int
		ok  bool
	}{
		{0, "alice", 2, true},
		{0, "alice", 1, false},
		{0, "bob", 2, true}, // keys are independent
		{0, "", 1, true},    // the empty key is a key
		{0, "", 1, true},
		{0, "", 1, false},
		{0, long, 2, true},
		{0, long + "y", 2, true}, // long keys differ by their last byte
		{0, long, 1, false},
		{0, "carol", 3, false}, // above the burst
		{0, "carol", 0, true},
		{0, "carol", -1, false},
		{100 * ms, "alice", 1, true},
		{100 * ms, "alice", 1, false},
		{time.Hour, "alice", 2, true},
		{time.Hour, "\x00\xff binary", 2, true},
	}
	for i, s := range steps {
		clk.Set(t0.Add(s.at))
		if got := k.AllowN(s.key, s.n); got != s.ok {
			t.Errorf("step %d: k.AllowN(%v, %.10q, %v) = %v want %v", i, s.at, s.key, s.n, got, s.ok)
		}
	}
}

func TestKeyedShards(t *testing.T) {
	tests := []struct{ maxKeys, shards int }{{1, 1}, {64, 1}, {127, 1}, {128, 2}, {4096, 64}, {0, 64}, {1 << 20, 64}}
	for _, tt := range tests {
		k, _ := newKeyed(t, KeyedConfig{Rate: 1, MaxKeys: tt.maxKeys})
		total := 0
		for i := range k.shards {
			total += k.shards[i].cap
		}
		want := tt.maxKeys
		if want == 0 {
			want = DefaultMaxKeys
		}
		if len(k.shards) != tt.shards || total != want {
			t.Errorf("MaxKeys %d: %d shards holding %d want %d holding %d", tt.maxKeys, len(k.shards), total, tt.shards, want)
		}
	}
}

func TestKeyedDropsIdleKeys(t *testing.T) {
	k, clk := newKeyed(t, KeyedConfig{Rate: 10, Burst: 1, MaxKeys: 64, IdleTimeout: time.Nanosecond})
	for i := range 64 {
		k.Allow(fmt.Sprint("old", i))
	}
	if n := k.Len(); n != 64 {
		t.Fatalf("k.Len() = %d want 64", n)
	}
	clk.Advance(100 * ms) // every bucket is full again: nothing to remember
	for i := range 64 {
		if !k.Allow(fmt.Sprint("new", i)) {
			t.Fatalf("new key %d refused", i)
		}
	}
	if n := k.Len(); n != 64 {
		t.Errorf("k.Len() = %d want 64", n)
	}
	k.Sweep()
	if n := k.Len(); n != 64 {
		t.Errorf("after Sweep k.Len() = %d want 64: the new keys are not idle", n)
	}
	clk.Advance(100*ms + time.Nanosecond)
	k.Sweep()
	if n := k.Len(); n != 0 {
		t.Errorf("after Sweep of idle keys k.Len() = %d want 0", n)
	}
}

func TestKeyedIdleTimeout(t *testing.T) {
	k, clk := newKeyed(t, KeyedConfig{Rate: 10, Burst: 1}) // DefaultIdleTimeout: a minute
	k.Allow("a")
	clk.Advance(time.Second)
	k.Sweep()
	if n := k.Len(); n != 1 {
		t.Errorf("k.Len() = %d want 1: idle for less than IdleTimeout", n)
	}
	// A full table still evicts the idle key first.
	full, fclk := newKeyed(t, KeyedConfig{Rate: 10, Burst: 2, MaxKeys: 2})
	full.AllowN("idle", 2)
	full.AllowN("busy", 2)
	fclk.Advance(200 * ms)
	full.Allow("busy")
	if !full.Allow("new") || full.Len() != 2 || full.AllowN("busy", 2) {
		t.Errorf("a full table did not evict the idle key: Len %d", full.Len())
	}
	clk.Advance(time.Minute)
	k.Sweep()
	if n := k.Len(); n != 0 {
		t.Errorf("k.Len() = %d want 0: idle for more than IdleTimeout", n)
	}
}

// TestKeyedBoundedUnderAttack sends endless distinct keys at one instant,
// so no key can be dropped without forgetting something.
func TestKeyedBoundedUnderAttack(t *testing.T) {
	for _, reject := range []bool{false, true} {
		t.Run(fmt.Sprint("reject=", reject), func(t *testing.T) {
			k, _ := newKeyed(t, KeyedConfig{Rate: 1, Per: time.Hour, Burst: 1, MaxKeys: 1000, RejectNewKeys: reject})
			refused := 0
			for i := range 50_000 {
				if _, err := k.Acquire(WithKey(context.Background(), fmt.Sprint("attacker", i))); err != nil {
					if !errors.Is(err, ErrTooManyKeys) || !errors.Is(err, resilience.ErrRejected) {
						t.Fatalf("k.Acquire() = %v want ErrTooManyKeys", err)
					}
					refused++
				}
			}
			if n := k.Len(); n > 1000 {
				t.Errorf("k.Len() = %d want <= MaxKeys 1000", n)
			}
			if reject && (refused < 49_000 || refused > 49_100) {
				t.Errorf("RejectNewKeys refused %d new keys want about 49 000", refused)
			}
			if !reject && refused != 0 {
				t.Errorf("eviction mode refused %d new keys want 0", refused)
			}
			if reject && k.Allow("attacker0") {
				t.Errorf("RejectNewKeys forgot a remembered key: attacker0 admitted again")
			}
		})
	}
}

// TestKeyedEvictsClosestToFull: a full table evicts the key that forgets
// the least, so a heavy user keeps its debt while light keys churn.
func TestKeyedEvictsClosestToFull(t *testing.T) {
	k, _ := newKeyed(t, KeyedConfig{Rate: 1, Burst: 5, MaxKeys: 8})
	k.AllowN("heavy", 5)
	for i := range 7 {
		k.Allow(fmt.Sprint("light", i))
	}
	for i := range 20 {
		if !k.Allow(fmt.Sprint("newcomer", i)) {
			t.Fatalf("newcomer %d refused", i)
		}
	}
	if k.Allow("heavy") {
		t.Errorf(`k.Allow("heavy") = true: the heavy key was evicted instead of a light one`)
	}
}

func TestKeyedInfoAcquireShadow(t *testing.T) {
	for _, shadow := range []bool{false, true} {
		rec := &recorder{}
		k, _ := newKeyed(t, KeyedConfig{Name: "k", Rate: 10, Burst: 2, Shadow: shadow, Listener: rec,
			KeyFunc: func(ctx context.Context) string { return "fixed" }})
		if got, want := k.AllowInfo("fixed"), (Info{Allowed: true, Limit: 2, Remaining: 1, Reset: 100 * ms, Window: 200 * ms}); got != want {
			t.Errorf("k.AllowInfo() = %+v want %+v", got, want)
		}
		if _, err := k.Acquire(context.Background()); err != nil {
			t.Fatalf("k.Acquire() = %v", err)
		}
		_, err := k.Acquire(context.Background())
		if shadow != (err == nil) || !shadow && err != ErrLimited {
			t.Errorf("shadow=%v: k.Acquire() = %v", shadow, err)
		}
		if got := k.AllowInfoN("fixed", 1); got.Allowed != shadow || got.RetryAfter != 100*ms {
			t.Errorf("shadow=%v: k.AllowInfoN() = %+v", shadow, got)
		}
		want := resilience.EventRejected
		if shadow {
			want = resilience.EventShadowRejected
		}
		if got := rec.kinds(); !slices.Equal(got, []resilience.EventKind{want, want}) {
			t.Errorf("shadow=%v: events %v want two %v", shadow, got, want)
		}
	}
}

func TestKeyedContextKey(t *testing.T) {
	k, _ := newKeyed(t, KeyedConfig{Rate: 1, Burst: 1})
	if got := KeyFromContext(context.Background()); got != "" {
		t.Errorf("KeyFromContext(empty) = %q want \"\"", got)
	}
	ctx := WithKey(context.Background(), "ip-1")
	if got := KeyFromContext(ctx); got != "ip-1" {
		t.Errorf("KeyFromContext = %q want ip-1", got)
	}
	if _, err := k.Acquire(ctx); err != nil {
		t.Fatal(err)
	}
	if k.Allow("ip-1") {
		t.Errorf("Acquire did not count against the context's key")
	}
}

// TestKeyedMemoryPerKey measures the memory an idle key costs and checks
// it stays within 128 bytes.
func TestKeyedMemoryPerKey(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector changes allocation sizes")
	}
	const n = 200_000
	keys := make([]string, n)
	for i := range keys {
		keys[i] = fmt.Sprintf("10.%d.%d.%d", i>>16, (i>>8)&255, i&255)
	}
	perKey := keyedBytesPerKey(t, keys)
	t.Logf("%.1f bytes per idle key (%d keys like %q)", perKey, n, keys[n-1])
	if perKey > 128 {
		t.Errorf("%.1f bytes per idle key want <= 128", perKey)
	}
}

func keyedBytesPerKey(t testing.TB, keys []string) float64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	k, _ := newKeyed(t, KeyedConfig{Rate: 1, Per: time.Hour, Burst: 1, MaxKeys: 2 * len(keys)})
	for _, key := range keys {
		k.Allow(key)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	if k.Len() != len(keys) {
		t.Fatalf("k.Len() = %d want %d", k.Len(), len(keys))
	}
	runtime.KeepAlive(k)
	return float64(after.HeapAlloc-before.HeapAlloc) / float64(len(keys))
}

// TestKeyedMillionKeys inserts a million active keys.
func TestKeyedMillionKeys(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("slow under -short and -race")
	}
	k, _ := newKeyed(t, KeyedConfig{Rate: 1, Per: time.Hour, Burst: 1, MaxKeys: 1 << 20})
	var buf [16]byte
	start := time.Now()
	for i := range 1_000_000 {
		b := fmt.Appendf(buf[:0], "user-%d", i)
		if !k.Allow(string(b)) {
			t.Fatalf("key %d refused", i)
		}
	}
	t.Logf("inserted 1e6 keys in %v", time.Since(start))
	if n := k.Len(); n != 1_000_000 {
		t.Errorf("k.Len() = %d want 1000000", n)
	}
}
