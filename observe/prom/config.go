package prom

import (
	"fmt"
	"regexp"
	"time"

	"github.com/resilience-go/resilience/stats"
)

// Config configures a Collector. The zero Config is valid: it reads
// stats.Default() with the namespace "resilience" and DefaultBuckets.
type Config struct {
	// Registry is the stats Registry read at scrape time. Nil means
	// stats.Default().
	Registry *stats.Registry `yaml:"-" json:"-"`
	// Namespace prefixes every metric name. Empty means "resilience".
	Namespace string `yaml:"namespace" json:"namespace"`
	// Buckets are the upper bounds of the call duration histogram,
	// positive and ascending. Nil means DefaultBuckets.
	Buckets []time.Duration `yaml:"buckets" json:"buckets"`
}

// DefaultBuckets are the call duration histogram's default upper bounds,
// from 500µs to one minute.
func DefaultBuckets() []time.Duration {
	return []time.Duration{
		500 * time.Microsecond, time.Millisecond, 2500 * time.Microsecond, 5 * time.Millisecond,
		10 * time.Millisecond, 25 * time.Millisecond, 50 * time.Millisecond, 100 * time.Millisecond,
		250 * time.Millisecond, 500 * time.Millisecond, time.Second, 2500 * time.Millisecond,
		5 * time.Second, 10 * time.Second, 30 * time.Second, time.Minute,
	}
}

// DefaultConfig returns the defaults spelled out.
func DefaultConfig() Config {
	return Config{Namespace: "resilience", Buckets: DefaultBuckets()}
}

var namespaceRE = regexp.MustCompile(`^[a-zA-Z_][a-zA-Z0-9_]*$`)

// Validate reports the first invalid field.
func (c Config) Validate() error {
	if c.Namespace != "" && !namespaceRE.MatchString(c.Namespace) {
		return fmt.Errorf("prom: Namespace %q must match %s", c.Namespace, namespaceRE)
	}
	for i, b := range c.Buckets {
		if b <= 0 {
			return fmt.Errorf("prom: Buckets[%d] %v must be > 0", i, b)
		}
		if i > 0 && b <= c.Buckets[i-1] {
			return fmt.Errorf("prom: Buckets[%d] %v must be > Buckets[%d] %v", i, b, i-1, c.Buckets[i-1])
		}
	}
	return nil
}
