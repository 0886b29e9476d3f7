package retry

import (
	"fmt"
	"math"
	"sync/atomic"
	"time"

	"github.com/resilience-go/resilience/clock"
)

// Budget defaults, used where a BudgetConfig field is zero.
const (
	DefaultBudgetRatio        = 0.2
	DefaultBudgetMinPerSecond = 10.0
	DefaultBudgetWindow       = 10 * time.Second
)

// budgetBuckets is how many buckets the sliding window is split into.
const budgetBuckets = 10

// BudgetConfig configures a Budget. The zero value is valid: retries may
// add 20% to the requests of the last 10s, plus 10 retries a second.
type BudgetConfig struct {
	// Ratio is how many retries each request earns: 0.2 lets retries add
	// at most 20% to the load. Zero means 0.2.
	Ratio float64 `yaml:"ratio" json:"ratio"`
	// MinPerSecond is a reserve of retries per second that low-traffic
	// callers can always use. Zero means 10; to rely on Ratio alone, set a
	// tiny value such as 0.001.
	MinPerSecond float64 `yaml:"min_per_second" json:"min_per_second"`
	// Window is how far back requests and retries are counted. It slides
	// in steps of a tenth of itself. Zero means 10s; otherwise at least
	// 1ms.
	Window time.Duration `yaml:"window" json:"window"`
	// Clock reads time. Nil means the real clock; tests pass
	// clock.NewManual(t0).
	Clock clock.Clock `yaml:"-" json:"-"`
}

// DefaultBudgetConfig returns the defaults spelled out.
func DefaultBudgetConfig() BudgetConfig {
	return BudgetConfig{Ratio: DefaultBudgetRatio, MinPerSecond: DefaultBudgetMinPerSecond, Window: DefaultBudgetWindow}
}

// Validate reports the first invalid field, or nil.
func (c BudgetConfig) Validate() error {
	if !(c.Ratio >= 0 && c.Ratio <= math.MaxFloat64) {
		return fmt.Errorf("retry: Budget.Ratio %v must be a finite number >= 0", c.Ratio)
	}
	if !(c.MinPerSecond >= 0 && c.MinPerSecond <= math.MaxFloat64) {
		return fmt.Errorf("retry: Budget.MinPerSecond %v must be a finite number >= 0", c.MinPerSecond)
	}
	if c.Window < 0 || (c.Window > 0 && c.Window < time.Millisecond) {
		return fmt.Errorf("retry: Budget.Window %v must be 0 or >= 1ms", c.Window)
	}
	return nil
}

// Budget limits retries to a share of recent requests, so that retries
// cannot multiply the load on a dependency that is already failing. Over a
// sliding window it allows
//
//	Ratio × requests + MinPerSecond × window seconds − retries
//
// more retries, the retry budget of Finagle and Envoy and the idea behind
// gRPC's retry throttling. Share one Budget between every Policy and hedge
// that calls one dependency.
//
// Record each original request with Request and ask for each retry or
// hedge with TryRetry; a Policy given the Budget in its Config does both.
// Both are lock-free: a compare-and-swap on the current bucket. Under
// contention the budget may overshoot by about one retry per concurrent
// caller. A Budget is safe for concurrent use; make one with NewBudget.
type Budget struct {
	clock    clock.Clock
	ratio    float64
	reserve  float64 // MinPerSecond × window seconds
	width    int64   // bucket width in nanoseconds
	requests [budgetBuckets]atomic.Uint64
	retries  [budgetBuckets]atomic.Uint64
}

// NewBudget returns a Budget configured by cfg, or cfg.Validate's error.
func NewBudget(cfg BudgetConfig) (*Budget, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.Ratio == 0 {
		cfg.Ratio = DefaultBudgetRatio
	}
	if cfg.MinPerSecond == 0 {
		cfg.MinPerSecond = DefaultBudgetMinPerSecond
	}
	if cfg.Window == 0 {
		cfg.Window = DefaultBudgetWindow
	}
	return &Budget{
		clock:   clock.Or(cfg.Clock),
		ratio:   cfg.Ratio,
		reserve: cfg.MinPerSecond * cfg.Window.Seconds(),
		width:   int64(cfg.Window) / budgetBuckets,
	}, nil
}

// Each bucket is one word: the bucket's sequence number (its start time
// divided by the width, truncated to 32 bits) in the high half and its
// count, saturating, in the low half.
const countMask = 1<<32 - 1

func (b *Budget) seq(now int64) uint64 { return uint64(now/b.width) & countMask }

// Request records one original request; each earns Ratio retries.
func (b *Budget) Request() {
	b.add(&b.requests, b.seq(b.clock.Nanotime()))
}

// TryRetry withdraws one retry (or hedge) from the budget. It returns false,
// and withdraws nothing, when the budget is spent.
func (b *Budget) TryRetry() bool {
	seq := b.seq(b.clock.Nanotime())
	if b.available(seq) < 1 {
		return false
	}
	b.add(&b.retries, seq)
	return true
}

// Available returns how many retries the budget allows now, rounded down.
func (b *Budget) Available() int {
	return int(max(0, min(b.available(b.seq(b.clock.Nanotime())), math.MaxInt32)))
}

// BudgetStats is a snapshot of a Budget's window.
type BudgetStats struct {
	// Requests and Retries are the counts in the current window.
	Requests, Retries uint64
	// Available is how many more retries the window allows, possibly
	// fractional; never negative.
	Available float64
}

// Stats returns the counts in the current window.
func (b *Budget) Stats() BudgetStats {
	seq := b.seq(b.clock.Nanotime())
	req, ret := b.sum(&b.requests, seq), b.sum(&b.retries, seq)
	return BudgetStats{Requests: req, Retries: ret, Available: max(0, b.allowance(req, ret))}
}

func (b *Budget) available(seq uint64) float64 {
	return b.allowance(b.sum(&b.requests, seq), b.sum(&b.retries, seq))
}

func (b *Budget) allowance(requests, retries uint64) float64 {
	return b.ratio*float64(requests) + b.reserve - float64(retries)
}

// add counts one event in the bucket of seq, resetting a stale bucket.
func (b *Budget) add(buckets *[budgetBuckets]atomic.Uint64, seq uint64) {
	w := &buckets[seq%budgetBuckets]
	for {
		old := w.Load()
		next := seq<<32 | 1
		if old>>32 == seq {
			if old&countMask == countMask {
				return // saturated
			}
			next = old + 1
		}
		if w.CompareAndSwap(old, next) {
			return
		}
	}
}

// sum adds the counts of the buckets that belong to the window ending in
// bucket seq.
func (b *Budget) sum(buckets *[budgetBuckets]atomic.Uint64, seq uint64) uint64 {
	var total uint64
	for i := range buckets {
		v := buckets[i].Load()
		if (seq-v>>32)&countMask < budgetBuckets {
			total += v & countMask
		}
	}
	return total
}
