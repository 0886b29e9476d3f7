package fallback

import (
	"fmt"
	"time"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/clock"
)

// CacheConfig configures a StaleCache. Its zero value is valid.
type CacheConfig struct {
	// Name names the cache in its events and is the name of its Step.
	// Empty means "stale-cache".
	Name string `yaml:"name" json:"name"`
	// MaxEntries bounds the number of keys kept; when full, storing a new
	// key evicts one by the CLOCK algorithm (an approximation of least
	// recently used). Zero means 1024; it must not be negative.
	MaxEntries int `yaml:"max_entries" json:"max_entries"`
	// TTL is how long a stored value stays fresh. Zero means 10s; it must
	// not be negative.
	TTL time.Duration `yaml:"ttl" json:"ttl"`
	// StaleTTL is how long after it was stored a value may still be served
	// when the dependency fails; older values are dropped. Zero means ten
	// times TTL; otherwise it must be at least TTL.
	StaleTTL time.Duration `yaml:"stale_ttl" json:"stale_ttl"`
	// ServeFresh makes Execute and Do return a fresh cached value without
	// calling the dependency at all (a read-through cache). It does not
	// apply when the cache is used as a pipeline Recoverer or a chain Step,
	// which only see the call after it has run. False means the dependency
	// is always called and the cache only serves when it fails.
	ServeFresh bool `yaml:"serve_fresh" json:"serve_fresh"`
	// When reports whether a failure should be covered by a cached value.
	// Errors the Classifier counts as successes never are. Nil means
	// OnTransient.
	When func(error) bool `yaml:"-" json:"-"`
	// Classifier decides how the call's error counts. Nil means
	// resilience.Classify.
	Classifier resilience.Classifier `yaml:"-" json:"-"`
	// Clock measures the age of stored values. Nil means the real clock.
	Clock clock.Clock `yaml:"-" json:"-"`
	// Listener receives an EventFallback when the cache serves a value in
	// place of a failure (Detail "stale", or "fresh" when the value was
	// still fresh). Nil means no events.
	Listener resilience.Listener `yaml:"-" json:"-"`
}

// The defaults CacheConfig's zero fields stand for.
const (
	DefaultMaxEntries = 1024
	DefaultTTL        = 10 * time.Second
	// DefaultStaleFactor times TTL is the default StaleTTL.
	DefaultStaleFactor = 10
)

// DefaultCacheConfig returns a CacheConfig with every default spelled out.
func DefaultCacheConfig() CacheConfig {
	return CacheConfig{Name: "stale-cache", MaxEntries: DefaultMaxEntries, TTL: DefaultTTL, StaleTTL: DefaultStaleFactor * DefaultTTL}
}

// Validate reports the first invalid field, naming it.
func (c CacheConfig) Validate() error {
	if c.MaxEntries < 0 {
		return fmt.Errorf("fallback: MaxEntries %d must be >= 0", c.MaxEntries)
	}
	if c.MaxEntries > maxEntriesLimit {
		return fmt.Errorf("fallback: MaxEntries %d must be <= %d", c.MaxEntries, maxEntriesLimit)
	}
	if c.TTL < 0 {
		return fmt.Errorf("fallback: TTL %v must be >= 0", c.TTL)
	}
	if c.StaleTTL < 0 {
		return fmt.Errorf("fallback: StaleTTL %v must be >= 0", c.StaleTTL)
	}
	if c.StaleTTL != 0 && c.StaleTTL < c.ttl() {
		return fmt.Errorf("fallback: StaleTTL %v must be >= TTL %v", c.StaleTTL, c.ttl())
	}
	return nil
}

// maxEntriesLimit keeps slot indexes in an int32.
const maxEntriesLimit = 1 << 30

func (c CacheConfig) ttl() time.Duration {
	if c.TTL == 0 {
		return DefaultTTL
	}
	return c.TTL
}

func (c CacheConfig) staleTTL() time.Duration {
	if c.StaleTTL != 0 {
		return c.StaleTTL
	}
	ttl := c.ttl()
	if ttl > time.Duration(1<<63-1)/DefaultStaleFactor {
		return time.Duration(1<<63 - 1)
	}
	return DefaultStaleFactor * ttl
}
