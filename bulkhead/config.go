package bulkhead

import (
	"fmt"
	"time"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/clock"
)

// MaxLimit is the largest MaxConcurrent a Semaphore accepts. The in-flight
// count and the number of waiters share one atomic word, 32 bits each.
const MaxLimit = 1 << 30

// Config configures a Semaphore. The zero Config is invalid: MaxConcurrent
// is required. Start from DefaultConfig to get every default.
type Config struct {
	// Name identifies the bulkhead in events and metrics. Empty is allowed.
	Name string `yaml:"name" json:"name"`
	// MaxConcurrent is how many calls may hold a permit at once. It is
	// required: zero or less is an error, and so is more than MaxLimit.
	MaxConcurrent int `yaml:"max_concurrent" json:"max_concurrent"`
	// MaxWait is how long Acquire waits for a slot when all are taken;
	// waiters are served first come, first served. Zero means do not wait:
	// reject at once with ErrFull. Negative is an error.
	MaxWait time.Duration `yaml:"max_wait" json:"max_wait"`
	// Shadow, when true, makes the bulkhead decide but never refuse: a call
	// that would have been rejected (or made to wait) is reported as
	// EventShadowRejected and let through at once, so the in-flight count
	// can exceed MaxConcurrent. False means enforce.
	Shadow bool `yaml:"shadow" json:"shadow"`
	// Listener receives EventRejected, EventShadowRejected, and, when a
	// permit is done, EventSuccess or EventFailure with the call's latency.
	// Nil means no events, at no cost.
	Listener resilience.Listener `yaml:"-" json:"-"`
	// Clock times waits and latencies. Nil means the real clock.
	Clock clock.Clock `yaml:"-" json:"-"`
}

// DefaultConfig returns a Config with MaxConcurrent 10 and no waiting.
func DefaultConfig() Config {
	return Config{MaxConcurrent: 10}
}

// Validate reports the first invalid field, e.g.
// "bulkhead: MaxConcurrent 0 must be >= 1".
func (c Config) Validate() error {
	if err := validateLimit(c.MaxConcurrent); err != nil {
		return err
	}
	if c.MaxWait < 0 {
		return fmt.Errorf("bulkhead: MaxWait %v must be >= 0", c.MaxWait)
	}
	return nil
}

func validateLimit(n int) error {
	if n < 1 {
		return fmt.Errorf("bulkhead: MaxConcurrent %d must be >= 1", n)
	}
	if n > MaxLimit {
		return fmt.Errorf("bulkhead: MaxConcurrent %d must be <= %d", n, MaxLimit)
	}
	return nil
}
