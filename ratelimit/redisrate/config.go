package redisrate

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/circuitbreaker"
	"github.com/resilience-go/resilience/clock"
	"github.com/resilience-go/resilience/ratelimit/internal/gcra"
)

// Defaults applied to zero Config fields.
const (
	// DefaultPrefix is the Prefix used when the field is empty.
	DefaultPrefix = "rl:"
	// DefaultTimeout is the Timeout used when the field is zero.
	DefaultTimeout = 50 * time.Millisecond
	// DefaultConsecutiveFailures is the Breaker's ConsecutiveFailures when
	// the Breaker config enables no trip condition.
	DefaultConsecutiveFailures = 5
	// DefaultOpenDuration is the Breaker's OpenDuration when it is zero.
	DefaultOpenDuration = time.Second
)

// maxLease bounds Config.Lease: a lease is taken in one round trip and
// spent locally, so a huge one would defeat the shared limit.
const maxLease = 1 << 20

// Config configures a Limiter. The zero Config is invalid: Rate is
// required. Rate, Per and Burst mean what they mean in ratelimit.Config,
// for each key across every process sharing the Redis and the Prefix.
type Config struct {
	// Name identifies the limiter in events. Empty is allowed.
	Name string `yaml:"name" json:"name"`
	// Rate is how many events each key may have per Per, on average,
	// counted across every instance. It must be finite and > 0, and Per/Rate
	// must lie between 1ns and the longest time.Duration. Zero is an error.
	Rate float64 `yaml:"rate" json:"rate"`
	// Per is the period Rate counts over. Zero means one second.
	Per time.Duration `yaml:"per" json:"per"`
	// Burst is how many events a key may have at once. Zero means one Per's
	// worth: Rate rounded up, at least 1. Negative is an error.
	Burst int `yaml:"burst" json:"burst"`
	// Prefix starts every Redis key this limiter writes; the rest is a hash
	// of the caller's key. Limiters with different limits must use
	// different prefixes (or keys), or they share buckets. Empty means
	// DefaultPrefix ("rl:").
	Prefix string `yaml:"prefix" json:"prefix"`
	// Timeout bounds each Redis round trip, connection wait included; past
	// it the decision falls to OnFailure. It is real time, whatever Clock
	// says. Zero means DefaultTimeout (50ms); negative is an error.
	Timeout time.Duration `yaml:"timeout" json:"timeout"`
	// OnFailure decides while Redis cannot: FailLocal (zero) limits each
	// process to Rate/ExpectedInstances on its own, FailOpen admits every
	// event, FailClosed refuses every event with ErrUnavailable.
	OnFailure FailureMode `yaml:"on_failure" json:"on_failure"`
	// ExpectedInstances is how many processes share the limit, so that
	// FailLocal gives each Rate/ExpectedInstances and Burst/ExpectedInstances
	// (rounded up, at least 1). Zero means 1; negative is an error.
	ExpectedInstances int `yaml:"expected_instances" json:"expected_instances"`
	// Lease, when > 1, takes up to Lease events per round trip and spends
	// them locally, one round trip serving many decisions for a busy key
	// (see the package documentation). Zero or 1 asks Redis for every
	// decision; it must be between 0 and 1048576 and at most the burst.
	Lease int `yaml:"lease" json:"lease"`
	// LeaseTTL is how long events taken by a lease may be spent; leftovers
	// are then dropped. Zero means the time Lease events take to accrue at
	// Rate, at most one second. Negative is an error.
	LeaseTTL time.Duration `yaml:"lease_ttl" json:"lease_ttl"`
	// ClientClock makes the script use this process's Clock (its wall
	// time, Now) instead of the Redis server's TIME. Every instance's
	// clock must then agree; a clock ahead of the others takes more than
	// its share. Zero (false) uses the server's clock, which needs no
	// agreement.
	ClientClock bool `yaml:"client_clock" json:"client_clock"`
	// Breaker configures the circuit breaker around Redis. A config that
	// enables no trip condition gets ConsecutiveFailures
	// DefaultConsecutiveFailures (5); a zero OpenDuration means
	// DefaultOpenDuration (1s); a nil Clock means this Config's Clock; an
	// empty Name means this Config's Name. Its Listener receives the
	// breaker's own events.
	Breaker circuitbreaker.Config `yaml:"breaker" json:"breaker"`
	// KeyFunc gives Acquire the key of a call from its context. Nil means
	// ratelimit.KeyFromContext (set by ratelimit.WithKey).
	KeyFunc func(ctx context.Context) string `yaml:"-" json:"-"`
	// Shadow makes the limiter decide but never enforce: a refused decision
	// is reported as EventShadowRejected and the call is admitted (Allowed
	// true, a nil error from Acquire, also while FailClosed cannot decide),
	// so a new limit can be rolled out safely. False enforces.
	Shadow bool `yaml:"shadow" json:"shadow"`
	// Listener receives EventRejected (EventShadowRejected in shadow mode),
	// EventFallback and EventStateChange (see Limiter). Nil means no
	// events, at no cost.
	Listener resilience.Listener `yaml:"-" json:"-"`
	// Clock drives the breaker, the local fallback and, with ClientClock,
	// the script's time. Nil means the real clock; tests pass
	// clock.NewManual(t0).
	Clock clock.Clock `yaml:"-" json:"-"`
}

// DefaultConfig returns a Config of rate events per second per key with the
// default burst, prefix, timeout, failure mode and breaker, ready for
// changes to other fields.
func DefaultConfig(rate float64) Config {
	return Config{
		Rate:              rate,
		Per:               time.Second,
		Prefix:            DefaultPrefix,
		Timeout:           DefaultTimeout,
		OnFailure:         FailLocal,
		ExpectedInstances: 1,
		Breaker: circuitbreaker.Config{
			ConsecutiveFailures: DefaultConsecutiveFailures,
			OpenDuration:        DefaultOpenDuration,
		},
	}
}

// Validate reports the first invalid field, naming it.
func (c Config) Validate() error {
	if _, err := interval(c.Rate, c.Per); err != nil {
		return err
	}
	if c.Burst < 0 {
		return fmt.Errorf("redisrate: Burst %d must be >= 0", c.Burst)
	}
	if c.Timeout < 0 {
		return fmt.Errorf("redisrate: Timeout %v must be >= 0", c.Timeout)
	}
	if c.OnFailure > FailClosed {
		return fmt.Errorf("redisrate: OnFailure %d is not a FailureMode", uint8(c.OnFailure))
	}
	if c.ExpectedInstances < 0 {
		return fmt.Errorf("redisrate: ExpectedInstances %d must be >= 0", c.ExpectedInstances)
	}
	if c.Lease < 0 || c.Lease > maxLease {
		return fmt.Errorf("redisrate: Lease %d must be between 0 and %d", c.Lease, maxLease)
	}
	if b := burstOr(c.Burst, c.Rate); int64(c.Lease) > b {
		return fmt.Errorf("redisrate: Lease %d must be <= the burst %d", c.Lease, b)
	}
	if c.LeaseTTL < 0 {
		return fmt.Errorf("redisrate: LeaseTTL %v must be >= 0", c.LeaseTTL)
	}
	if c.OnFailure == FailLocal {
		if _, err := c.localConfig(); err != nil {
			return err
		}
	}
	if err := c.breakerConfig().Validate(); err != nil {
		return fmt.Errorf("redisrate: Breaker: %w", err)
	}
	return nil
}

// interval returns the emission interval Per/Rate in nanoseconds, rounded
// to the nearest nanosecond, or an error naming Rate or Per.
func interval(rate float64, per time.Duration) (int64, error) {
	if per < 0 {
		return 0, fmt.Errorf("redisrate: Per %v must be >= 0", per)
	}
	if per == 0 {
		per = time.Second
	}
	if math.IsNaN(rate) || math.IsInf(rate, 0) || rate <= 0 {
		return 0, fmt.Errorf("redisrate: Rate %v must be a finite number > 0", rate)
	}
	iv := float64(per) / rate
	if iv < 0.5 {
		return 0, fmt.Errorf("redisrate: Rate %v per %v exceeds one event per nanosecond", rate, per)
	}
	if iv >= math.MaxInt64 {
		return 0, fmt.Errorf("redisrate: Rate %v per %v is below one event per %v", rate, per, time.Duration(math.MaxInt64))
	}
	return gcra.FromFloat(iv), nil
}

// burstOr returns burst, or the default for rate when burst is zero: one
// period's worth, at least 1.
func burstOr(burst int, rate float64) int64 {
	if burst > 0 {
		return int64(burst)
	}
	return max(gcra.FromFloat(math.Ceil(rate)), 1)
}

// instances returns ExpectedInstances with its default.
func (c Config) instances() int {
	return max(c.ExpectedInstances, 1)
}

// breakerConfig returns the Breaker config with this package's defaults.
func (c Config) breakerConfig() circuitbreaker.Config {
	b := c.Breaker
	if b.ConsecutiveFailures == 0 && b.FailureRateThreshold == 0 &&
		b.SlowCallRateThreshold == 0 && b.ReadyToTrip == nil {
		b.ConsecutiveFailures = DefaultConsecutiveFailures
	}
	if b.OpenDuration == 0 {
		b.OpenDuration = DefaultOpenDuration
	}
	if b.Clock == nil {
		b.Clock = c.Clock
	}
	if b.Name == "" {
		b.Name = c.Name
	}
	return b
}
