package ratelimit

import (
	"cmp"
	"context"
	"hash/maphash"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/clock"
	"github.com/resilience-go/resilience/ratelimit/internal/gcra"
)

var _ resilience.Guard = (*Keyed)(nil)

// maxShards is the most shards a Keyed limiter splits its keys over, and
// minShardKeys the fewest keys a shard holds when there are several.
const (
	maxShards    = 64
	minShardKeys = 64
)

// maxKeyLen is the longest key stored as it is; longer keys are stored as
// a 16-byte keyed hash, so no key costs more than this.
const maxKeyLen = 64

// Keyed is a rate limiter per key (user, tenant, IP address): one GCRA
// token bucket per key, each one word, with the same rate and burst.
//
// Memory is bounded by MaxKeys whatever the traffic. A key needs
// remembering only while its bucket is not full; once it has been full for
// IdleTimeout it may be dropped, losing nothing. Keys are dropped lazily,
// when new keys are inserted, in sweeps whose cost is amortized over the
// insertions (or by Sweep). When a new key finds its share of the
// table full of keys that cannot be dropped, Keyed evicts the key closest
// to a full bucket among a sample of 8 (forgetting the least), or with
// RejectNewKeys refuses the new key (ErrTooManyKeys). Keys are spread over
// up to 64 shards by a seeded hash, each shard holding its share of
// MaxKeys, so an uneven spread can evict a little before MaxKeys keys are
// stored. An idle key with a short key such as an IPv4 address costs 60
// to 75 bytes (measured by TestKeyedMemoryPerKey and the B/key of
// BenchmarkKeyedLimiter); keys longer than 64 bytes are stored as a
// 16-byte seeded hash (128 bits, collisions negligible and not
// forgeable without the seed). Any string is a valid key, the empty one
// included: it is one more key, for example every anonymous caller.
//
// A call for a remembered key allocates nothing and takes a shard's read
// lock and one compare-and-swap. Most callers want Allow; AllowInfo gives
// the headers' data; Acquire serves pipelines, with the key from the
// context. The zero Keyed rejects every event; create one with NewKeyed.
// A Keyed is safe for simultaneous use by multiple goroutines.
type Keyed struct {
	shards []shard
	mask   uint64
	seed   maphash.Seed
	seed2  maphash.Seed
	g      gcra.Params
	idle   int64
	reject bool
	keyFn  func(context.Context) string
	clk    clock.Clock
	reporter
}

// NewKeyed returns a Keyed limiter for cfg, or cfg.Validate's error.
func NewKeyed(cfg KeyedConfig) (*Keyed, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	iv, _ := interval(cfg.Rate, cfg.Per)
	maxKeys := cfg.MaxKeys
	if maxKeys == 0 {
		maxKeys = DefaultMaxKeys
	}
	// Power-of-two shards, at most maxShards, with at least minShardKeys
	// keys each.
	n := 1
	for n < maxShards && 2*n*minShardKeys <= maxKeys {
		n *= 2
	}
	k := &Keyed{
		shards:   make([]shard, n),
		mask:     uint64(n - 1),
		seed:     maphash.MakeSeed(),
		seed2:    maphash.MakeSeed(),
		g:        gcra.NewParams(iv, burstOr(cfg.Burst, cfg.Rate), slackFor(cfg.Clock)),
		idle:     int64(cmp.Or(cfg.IdleTimeout, DefaultIdleTimeout)),
		reject:   cfg.RejectNewKeys,
		keyFn:    cfg.KeyFunc,
		clk:      clock.Or(cfg.Clock),
		reporter: reporter{listener: cfg.Listener, name: cfg.Name, shadow: cfg.Shadow},
	}
	if k.keyFn == nil {
		k.keyFn = KeyFromContext
	}
	for i := range k.shards {
		c := maxKeys / n
		if i < maxKeys%n {
			c++
		}
		k.shards[i].init(c)
	}
	return k, nil
}

// Allow reports whether one event may happen now for key, and if so
// counts it.
func (k *Keyed) Allow(key string) bool { return k.AllowN(key, 1) }

// AllowN reports whether n events may happen now for key, and if so counts
// them. n above the burst is never allowed, n == 0 always is, n < 0 never
// is.
func (k *Keyed) AllowN(key string, n int) bool {
	if n < 0 {
		return false
	}
	d, _ := k.decide(key, k.now(), int64(n))
	return d.Allowed || k.refused(d.Wait)
}

// AllowInfo is Allow returning the decision's Info.
func (k *Keyed) AllowInfo(key string) Info { return k.AllowInfoN(key, 1) }

// AllowInfoN is AllowN returning the decision's Info.
func (k *Keyed) AllowInfoN(key string, n int) Info {
	if n < 0 {
		return Info{Limit: clampInt(k.g.Burst), RetryAfter: gcra.Never}
	}
	now := k.now()
	d, full := k.decide(key, now, int64(n))
	if !d.Allowed {
		k.refused(d.Wait)
	}
	info := gcraInfo(d, k.g, now, k.g, k.shadow)
	if full {
		info.Remaining = 0
	}
	return info
}

// Acquire admits one call for the key that the KeyFunc finds in ctx, if
// its limit allows it now: it returns the zero Permit, or ErrLimited
// (ErrTooManyKeys for a new key refused under RejectNewKeys). In shadow
// mode it always admits.
func (k *Keyed) Acquire(ctx context.Context) (resilience.Permit, error) {
	d, full := k.decide(k.key(ctx), k.now(), 1)
	if d.Allowed || k.refused(d.Wait) {
		return resilience.Permit{}, nil
	}
	if full {
		return resilience.Permit{}, ErrTooManyKeys
	}
	return resilience.Permit{}, ErrLimited
}

// Release does nothing: a rate limit counts calls when they start.
func (k *Keyed) Release(resilience.Permit, error) {}

// Len returns how many keys are remembered.
func (k *Keyed) Len() int {
	total := 0
	for i := range k.shards {
		total += k.shards[i].len()
	}
	return total
}

// Sweep drops every key that may be dropped now (see IdleTimeout). Keyed
// sweeps by itself as keys are inserted; call Sweep to release keys sooner,
// for example from a ticker. It takes each shard's lock in turn.
func (k *Keyed) Sweep() {
	now := k.now()
	for i := range k.shards {
		k.shards[i].sweep(k, now)
	}
}

// decide admits n events for key at now if its bucket allows. full
// reports a refusal because the key could not be stored.
func (k *Keyed) decide(key string, now, n int64) (d gcra.Decision, full bool) {
	if len(k.shards) == 0 { // the zero Keyed
		return gcra.Decision{Wait: gcra.Never}, false
	}
	var buf [16]byte
	var h uint64
	if len(key) > maxKeyLen {
		h = maphash.String(k.seed, key)
		putUint64(buf[:8], h)
		putUint64(buf[8:], maphash.String(k.seed2, key))
		key = unsafeString(buf[:])
	} else {
		h = maphash.String(k.seed, key)
	}
	s := &k.shards[h&k.mask]
	if d, ok := s.take(k.g, key, now, n); ok {
		return d, false
	}
	return s.insert(k, key, now, n)
}

// now reads the clock; 0 for the zero Keyed, which has none.
func (k *Keyed) now() int64 {
	if k.clk == nil {
		return 0
	}
	return k.clk.Nanotime()
}

// key returns the key of a call from its context.
func (k *Keyed) key(ctx context.Context) string {
	if k.keyFn == nil {
		return KeyFromContext(ctx)
	}
	return k.keyFn(ctx)
}

// evictable reports whether a key whose state is tat may be dropped at now.
func (k *Keyed) evictable(tat, now int64) bool {
	return gcra.Add(tat, k.idle) <= now
}

func putUint64(b []byte, v uint64) {
	_ = b[7]
	for i := range 8 {
		b[i] = byte(v >> (8 * i))
	}
}
