package redisrate

import (
	"context"
	"hash/maphash"
	"strings"
	"sync"
	"time"

	"github.com/resilience-go/resilience/ratelimit"
	"github.com/resilience-go/resilience/ratelimit/internal/gcra"
)

// Lease bookkeeping bounds: keys longer than maxLeaseKey are not leased
// (every decision asks Redis), and at most leaseShards·leaseShardKeys keys
// hold leftovers at once, so memory stays bounded whatever the keys.
const (
	leaseShards    = 16
	leaseShardKeys = 4096
	maxLeaseKey    = 128
	maxLeaseTTL    = time.Second
)

// leases holds, per key, the events this process took from Redis and has
// not spent yet.
type leases struct {
	want   int64
	ttl    int64
	seed   maphash.Seed
	shards [leaseShards]leaseShard
}

type leaseShard struct {
	mu sync.Mutex
	m  map[string]leaseEntry
	_  [40]byte // one shard per cache line
}

// leaseEntry is a key's leftover: left events, spendable until exp (the
// Clock's Nanotime); reset is when the shared bucket was last known full,
// block until when Redis will refuse every event of the key.
type leaseEntry struct {
	left, exp, reset, block int64
}

func newLeases(cfg Config, p gcra.Params) *leases {
	ttl := cfg.LeaseTTL
	if ttl == 0 {
		ttl = min(time.Duration(gcra.Mul(int64(cfg.Lease), p.Interval)), maxLeaseTTL)
	}
	ls := &leases{want: int64(cfg.Lease), ttl: int64(ttl), seed: maphash.MakeSeed()}
	for i := range ls.shards {
		ls.shards[i].m = make(map[string]leaseEntry)
	}
	return ls
}

func (ls *leases) shard(key string) *leaseShard {
	return &ls.shards[maphash.String(ls.seed, key)%leaseShards]
}

// take spends n leftover events of key, if it holds that many unexpired;
// otherwise it returns, in block, until when Redis is known to refuse
// every event of key (0 when it is not known to).
func (ls *leases) take(key string, n, now int64) (left, reset, block int64, ok bool) {
	s := ls.shard(key)
	s.mu.Lock()
	e, found := s.m[key]
	switch {
	case !found:
	case e.exp > now && e.left >= n:
		e.left -= n
		s.m[key] = e
		ok, left, reset = true, e.left, e.reset
	case e.block > now:
		block = e.block
	}
	s.mu.Unlock()
	return left, reset, block, ok
}

// add keeps extra events of a fresh lease for key, spendable for the TTL.
func (ls *leases) add(key string, extra, now, reset int64) {
	if extra <= 0 {
		return
	}
	ls.update(key, now, func(e *leaseEntry) {
		if e.exp <= now {
			e.left = 0
		}
		e.left += extra
		e.exp = now + ls.ttl
		e.reset = reset
		e.block = 0
	})
}

// refuseUntil remembers that Redis refuses every event of key until
// block: the bucket only drains by admissions, so no instance can make an
// event fit sooner.
func (ls *leases) refuseUntil(key string, now, block int64) {
	if block <= now {
		return
	}
	ls.update(key, now, func(e *leaseEntry) {
		e.block = block
		if e.exp <= now {
			e.left, e.exp = 0, block // kept until the block ends
		}
	})
}

// update applies f to key's entry, creating it when there is room.
func (ls *leases) update(key string, now int64, f func(*leaseEntry)) {
	s := ls.shard(key)
	s.mu.Lock()
	defer s.mu.Unlock()
	e, found := s.m[key]
	if !found {
		if len(s.m) >= leaseShardKeys {
			s.sweep(now)
			if len(s.m) >= leaseShardKeys {
				return // full of live entries: this one is not kept
			}
		}
		key = strings.Clone(key)
	}
	f(&e)
	s.m[key] = e
}

// sweep drops expired entries.
func (s *leaseShard) sweep(now int64) {
	for k, e := range s.m {
		if e.exp <= now && e.block <= now {
			delete(s.m, k)
		}
	}
}

// allowLease decides n events for key from this process's leftover lease,
// or takes a new lease of up to Lease events from Redis.
func (l *Limiter) allowLease(ctx context.Context, key string, n int64) (ratelimit.Info, error) {
	if len(key) > maxLeaseKey {
		return l.decide(ctx, key, n)
	}
	now := l.clk.Nanotime()
	left, reset, block, ok := l.lease.take(key, n, now)
	switch {
	case ok:
		info := l.info(l.p.Tolerance)
		info.Allowed, info.Remaining, info.Reset = true, clampInt(left), time.Duration(max(reset-now, 0))
		return info, nil
	case block > 0:
		// Known to be refused: the wait for n is the block's plus n-1
		// more intervals.
		return l.redisInfo(n, -gcra.Add(block-now, gcra.Mul(n-1, l.p.Interval))), nil
	}
	permit, err := l.breaker.Acquire(ctx)
	if err != nil {
		return l.fallback(key, n, err)
	}
	cctx, cancel := l.callContext(ctx)
	k, r, err := l.runLease(cctx, l.newCall(redisKey(l.prefix, key), n, max(l.lease.want, n)))
	if cancel != nil {
		cancel()
	}
	if err != nil {
		if ctx.Err() != nil {
			permit.Done(context.Canceled)
			return ratelimit.Info{RetryAfter: gcra.Never}, ctx.Err()
		}
		permit.Done(err)
		return l.fallback(key, n, err)
	}
	permit.Done(nil)
	if l.degraded.Load() {
		l.recovered()
	}
	if k <= 0 {
		// r is minus the wait for n events; one event fits n-1 intervals
		// sooner. now was read before the call, so the block never
		// outlasts Redis's refusal.
		l.lease.refuseUntil(key, now, gcra.Add(now, gcra.Sub(-r, gcra.Mul(n-1, l.p.Interval))))
		return l.redisInfo(n, min(r, -1)), nil
	}
	l.lease.add(key, k-n, now, now+r)
	info := l.info(r)
	info.Allowed = true
	info.Remaining = clampInt(int64(info.Remaining) + k - n)
	return info, nil
}
