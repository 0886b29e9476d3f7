package discovery

import (
	"errors"
	"fmt"
	"time"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/clock"
)

// DefaultRetryInterval is CacheConfig.RetryInterval's default.
const DefaultRetryInterval = time.Second

// CacheConfig configures a Cache. Source is required; every other field has
// a usable zero value.
type CacheConfig struct {
	// Name identifies the cache in events. Empty is allowed.
	Name string `yaml:"name" json:"name"`
	// Source is the source the cache wraps. Required.
	Source Source `yaml:"-" json:"-"`
	// Timeout bounds each call to the source: a Lookup or Watch that has
	// not answered by then is abandoned (its context is cancelled and its
	// result dropped) and the last known good set is served. Zero means
	// DefaultLookupTimeout (5s).
	Timeout time.Duration `yaml:"timeout" json:"timeout"`
	// TTL is how long a good answer is served without asking the source
	// again. Zero means every Lookup asks the source.
	TTL time.Duration `yaml:"ttl" json:"ttl"`
	// RetryInterval is how long after a failure the cache serves the last
	// known good set without asking the source again, so that a source
	// that is down costs one Timeout per RetryInterval rather than one per
	// call; it is also the wait before a failed watch is started again.
	// Zero means DefaultRetryInterval (1s).
	RetryInterval time.Duration `yaml:"retry_interval" json:"retry_interval"`
	// MaxStale is the oldest last-known-good set that may be served, by the
	// time since the source last answered. Zero means no limit: a set once
	// seen is served for as long as the source fails.
	MaxStale time.Duration `yaml:"max_stale" json:"max_stale"`
	// KeepOnEmpty treats an empty answer as a failure while a non-empty set
	// is known, guarding against a registry that loses its entries at once.
	// False means an empty answer is served as the truth.
	KeepOnEmpty bool `yaml:"keep_on_empty" json:"keep_on_empty"`
	// Clock times timeouts, TTL and staleness. Nil means the real clock.
	Clock clock.Clock `yaml:"-" json:"-"`
	// Listener receives EventFallback each time a last-known-good set is
	// served (Err says why) and EventStateChange when a service turns stale
	// ("fresh" to "stale") or recovers. Nil means no events.
	Listener resilience.Listener `yaml:"-" json:"-"`
}

// Validate reports the first invalid field, naming it.
func (c CacheConfig) Validate() error {
	switch {
	case c.Source == nil:
		return errors.New("discovery: cache: Source is nil")
	case c.Timeout < 0:
		return fmt.Errorf("discovery: cache: Timeout %v must be >= 0 (0 means %v)", c.Timeout, DefaultLookupTimeout)
	case c.TTL < 0:
		return fmt.Errorf("discovery: cache: TTL %v must be >= 0", c.TTL)
	case c.RetryInterval < 0:
		return fmt.Errorf("discovery: cache: RetryInterval %v must be >= 0 (0 means %v)", c.RetryInterval, DefaultRetryInterval)
	case c.MaxStale < 0:
		return fmt.Errorf("discovery: cache: MaxStale %v must be >= 0", c.MaxStale)
	}
	return nil
}

func (c CacheConfig) withDefaults() CacheConfig {
	if c.Timeout == 0 {
		c.Timeout = DefaultLookupTimeout
	}
	if c.RetryInterval == 0 {
		c.RetryInterval = DefaultRetryInterval
	}
	c.Clock = clock.Or(c.Clock)
	return c
}
