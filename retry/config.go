package retry

import (
	"fmt"
	"time"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/clock"
)

// DefaultMaxAttempts is the number of attempts, the first included, that a
// Config with a zero MaxAttempts allows.
const DefaultMaxAttempts = 3

// Config configures a Policy. The zero value is valid: three attempts with
// full-jitter backoff from 100ms, retrying what DefaultRetryIf accepts.
type Config struct {
	// Name identifies the policy in events and metrics. Empty is allowed.
	Name string `yaml:"name" json:"name"`
	// MaxAttempts is the total number of attempts, the first included, so
	// 1 means no retry. Zero means 3.
	MaxAttempts int `yaml:"max_attempts" json:"max_attempts"`
	// MaxElapsed bounds the time from the start of the first attempt to the
	// start of the last: no retry starts whose backoff would end at or past
	// it. Zero means no bound. To bound the attempts themselves, put a
	// timeout outside the retry (see the package documentation).
	MaxElapsed time.Duration `yaml:"max_elapsed" json:"max_elapsed"`
	// Backoff says how long to wait before each retry. The zero value is
	// full jitter from 100ms, doubling, capped at 10s.
	Backoff BackoffConfig `yaml:"backoff" json:"backoff"`
	// RetryIf reports whether a failed attempt's error may be retried. It
	// is consulted only while the Policy's own context is alive, and never
	// for Permanent errors. Nil means DefaultRetryIf.
	RetryIf func(error) bool `yaml:"-" json:"-"`
	// Budget, when set, limits retries to a fraction of the requests made
	// to the dependency, shared by every Policy and hedge given the same
	// Budget. Nil means no budget.
	Budget *Budget `yaml:"-" json:"-"`
	// Listener receives EventRetry, EventRetrySkipped and EventExhausted.
	// Nil means no events, at no cost.
	Listener resilience.Listener `yaml:"-" json:"-"`
	// Clock reads time and makes the backoff timers. Nil means the real
	// clock; tests pass clock.NewManual(t0).
	Clock clock.Clock `yaml:"-" json:"-"`
	// Random returns uniform numbers in [0, 1) for the jittered backoffs.
	// It must be safe for concurrent use. Nil means math/rand/v2's
	// Float64; tests pass a fixed sequence.
	Random func() float64 `yaml:"-" json:"-"`
}

// DefaultConfig returns the defaults spelled out, a starting point for
// decoding a config file so that explicit values, zeros included, win.
func DefaultConfig() Config {
	return Config{
		MaxAttempts: DefaultMaxAttempts,
		Backoff:     DefaultBackoffConfig(),
	}
}

// Validate reports the first invalid field, or nil.
func (c Config) Validate() error {
	if c.MaxAttempts < 0 {
		return fmt.Errorf("retry: MaxAttempts %d must be >= 0", c.MaxAttempts)
	}
	if c.MaxElapsed < 0 {
		return fmt.Errorf("retry: MaxElapsed %v must be >= 0", c.MaxElapsed)
	}
	return c.Backoff.Validate()
}
