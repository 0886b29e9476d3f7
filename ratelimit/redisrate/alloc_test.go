package redisrate

import (
	"testing"
	"time"

	"github.com/resilience-go/resilience/clock"
)

// maxRedisAllocs bounds the allocations of a decision that goes to Redis:
// go-redis's command and the key's string, the call's arguments and the
// context of the Timeout (5), and inside go-redis (4 with v9.23). (go-redis/redis_rate v10 makes 22.)
const maxRedisAllocs = 11

func TestAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	srv := startRedis(t)
	client := srv.client(t)
	l := newTestLimiter(t, client, Config{Rate: 1e9, Burst: 1e9})
	lease := newTestLimiter(t, client, Config{Rate: 1e9, Burst: 1e9, Lease: 1000, Prefix: "lease:"})
	l.Allow(bg(), "k")
	lease.Allow(bg(), "k")
	if n := testing.AllocsPerRun(200, func() { l.Allow(bg(), "k") }); n > maxRedisAllocs {
		t.Errorf("lim.Allow() via Redis: %v allocs want <= %d", n, maxRedisAllocs)
	}
	if n := testing.AllocsPerRun(200, func() { lease.Allow(bg(), "k") }); n > 0.5 {
		t.Errorf("lim.Allow() from a lease: %v allocs want 0 (amortized)", n)
	}

	// Without Redis: the breaker is open, the fallback decides.
	for _, mode := range []FailureMode{FailLocal, FailOpen, FailClosed} {
		clk := clock.NewManual(t0)
		down := newTestLimiter(t, newUnreachableClient(t), Config{Rate: 10, Burst: 5, OnFailure: mode, Clock: clk,
			Timeout: time.Second})
		down.Breaker().ForceOpen()
		want := 0.0
		if mode == FailClosed {
			want = 1 // the error carrying the cause
		}
		if n := testing.AllocsPerRun(200, func() { down.Allow(bg(), "k") }); n > want {
			t.Errorf("%v: lim.Allow() with the breaker open: %v allocs want %v", mode, n, want)
		}
	}
}
