package redisrate

import (
	"context"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/resilience-go/resilience/clock"
	"github.com/resilience-go/resilience/ratelimit/internal/gcra"
)

// counter is a go-redis hook counting the scripts sent.
type counter struct{ n atomic.Int64 }

func (c *counter) DialHook(next redis.DialHook) redis.DialHook { return next }
func (c *counter) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		if name := cmd.Name(); name == "evalsha" || name == "eval" {
			c.n.Add(1)
		}
		return next(ctx, cmd)
	}
}
func (c *counter) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}

// TestLeaseSpendsLocally: a lease serves several decisions per round trip,
// a refusal is remembered until the bucket could admit again, and unspent
// events expire after LeaseTTL.
func TestLeaseSpendsLocally(t *testing.T) {
	srv := startRedis(t)
	client := srv.client(t)
	trips := &counter{}
	client.AddHook(trips)
	clk := clock.NewManual(t0)
	l := newTestLimiter(t, client, Config{Rate: 10, Burst: 10, Lease: 4, ClientClock: true, Clock: clk})
	steps := []struct {
		advance   time.Duration
		allowed   bool
		remaining int
		trips     int64 // round trips so far, the first (NOSCRIPT) counted twice
	}{
		{0, true, 9, 2},  // lease 1: 4 taken, 6 free in Redis + 3 here
		{0, true, 2, 2},  // local
		{0, true, 1, 2},  // local
		{0, true, 0, 2},  // local
		{0, true, 5, 3},  // lease 2: 2 free + 3 here
		{0, true, 2, 3},  // local
		{0, true, 1, 3},  // local
		{0, true, 0, 3},  // local
		{0, true, 1, 4},  // lease 3: only 2 were free
		{0, true, 0, 4},  // local
		{0, false, 0, 5}, // Redis refuses for 100ms
		{0, false, 0, 5}, // remembered: no round trip
		{99 * time.Millisecond, false, 0, 5},
		{time.Millisecond, true, 0, 6}, // the refusal has ended: a lease of 1
		{time.Second, true, 9, 7},      // 10 free: a lease of 4
		{time.Second, true, 9, 8},      // the 3 left expired after 400ms: a new lease
	}
	for i, s := range steps {
		clk.Advance(s.advance)
		info, err := l.Allow(bg(), "lease")
		if err != nil || info.Allowed != s.allowed || info.Remaining != s.remaining {
			t.Fatalf("step %d: lim.Allow() = %+v, %v want Allowed %v Remaining %d", i, info, err, s.allowed, s.remaining)
		}
		if got := trips.n.Load(); got != s.trips {
			t.Fatalf("step %d: %d round trips want %d", i, got, s.trips)
		}
	}
	// A refusal served locally still says how long to wait.
	l.lease.refuseUntil("other", clk.Nanotime(), clk.Nanotime()+int64(250*time.Millisecond))
	info, err := l.AllowN(bg(), "other", 2)
	if err != nil || info.Allowed || info.RetryAfter != 350*time.Millisecond {
		t.Fatalf("lim.AllowN(2) while refused = %+v, %v want RetryAfter 350ms", info, err)
	}
}

// TestLeaseTableBounded: the lease table never holds more than its bound
// of live keys; keys beyond it are decided without keeping leftovers.
func TestLeaseTableBounded(t *testing.T) {
	ls := newLeases(Config{Rate: 1000, Lease: 10}, gcra.NewParams(int64(time.Millisecond), 1000, 0))
	for i := range leaseShards*leaseShardKeys + 5000 {
		ls.add(strconv.Itoa(i), 5, 0, 0)
	}
	total := 0
	for i := range ls.shards {
		if n := len(ls.shards[i].m); n > leaseShardKeys {
			t.Fatalf("shard %d holds %d keys, above %d", i, n, leaseShardKeys)
		}
		total += len(ls.shards[i].m)
	}
	if total > leaseShards*leaseShardKeys {
		t.Fatalf("%d keys held, above %d", total, leaseShards*leaseShardKeys)
	}
	// Once they expire, new keys fit again.
	ls.add("late", 5, int64(time.Hour), 0)
	if _, _, _, ok := ls.take("late", 1, int64(time.Hour)); !ok {
		t.Fatalf("a new key was not kept after the others expired")
	}
}
