package ratelimit

import (
	"fmt"
	"math"
	"time"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/clock"
	"github.com/resilience-go/resilience/ratelimit/internal/gcra"
)

// DefaultColdFactor is the ColdFactor used when the field is zero.
const DefaultColdFactor = 3

// Config configures a Limiter. The zero Config is invalid: Rate is required
// unless Unlimited is set.
type Config struct {
	// Name identifies the limiter in events. Empty is allowed.
	Name string `yaml:"name" json:"name"`
	// Rate is how many events are allowed per Per, on average: 100 with Per
	// one minute is 100 per minute, 0.5 with Per one second is one event
	// every two seconds. It must be finite and > 0 unless Unlimited is set,
	// and Per/Rate (the interval between events) must lie between one
	// nanosecond and the longest time.Duration. Zero is an error.
	Rate float64 `yaml:"rate" json:"rate"`
	// Per is the period Rate counts events over. Zero means one second.
	Per time.Duration `yaml:"per" json:"per"`
	// Burst is how many events may be admitted at once, the bucket's size
	// and the "limit" of the RateLimit headers. Zero means one Per's worth:
	// Rate rounded up, at least 1 ("100 per minute" admits 100 at once, then
	// refills at 100 per minute). Set 1 for strictly spaced events.
	Burst int `yaml:"burst" json:"burst"`
	// Unlimited admits every event without counting: Rate and Burst are
	// ignored and may be zero. Zero (false) means limited.
	Unlimited bool `yaml:"unlimited" json:"unlimited"`
	// WarmUp enables a cold start: after idleness the rate starts at
	// Rate/ColdFactor and climbs linearly to Rate over WarmUp of saturated
	// traffic. Zero disables it; with it the limiter takes a mutex instead
	// of staying lock-free.
	WarmUp time.Duration `yaml:"warm_up" json:"warm_up"`
	// ColdFactor divides the rate of a cold limiter when WarmUp is set. Zero
	// means DefaultColdFactor (3); otherwise it must be >= 1.
	ColdFactor float64 `yaml:"cold_factor" json:"cold_factor"`
	// Shadow makes the limiter decide and report EventShadowRejected, but
	// let every call through. Zero (false) enforces the limit.
	Shadow bool `yaml:"shadow" json:"shadow"`
	// Clock reads time. Nil means the real clock; tests pass
	// clock.NewManual(t0).
	Clock clock.Clock `yaml:"-" json:"-"`
	// Listener receives EventRejected and EventShadowRejected. Nil means no
	// events, at no cost.
	Listener resilience.Listener `yaml:"-" json:"-"`
}

// DefaultConfig returns a Config of rate events per second with the default
// burst (one second's worth), ready for changes to other fields.
func DefaultConfig(rate float64) Config {
	return Config{Rate: rate, Per: time.Second, ColdFactor: DefaultColdFactor}
}

// Validate reports the first invalid field, naming it.
func (c Config) Validate() error {
	if !c.Unlimited || c.Rate != 0 {
		if _, err := interval(c.Rate, c.Per); err != nil {
			return err
		}
	}
	if c.Burst < 0 {
		return fmt.Errorf("ratelimit: Burst %d must be >= 0", c.Burst)
	}
	if c.WarmUp < 0 {
		return fmt.Errorf("ratelimit: WarmUp %v must be >= 0", c.WarmUp)
	}
	if c.WarmUp > 0 && c.Unlimited {
		return fmt.Errorf("ratelimit: WarmUp %v needs a limited rate, not Unlimited", c.WarmUp)
	}
	if err := validColdFactor(c.ColdFactor); err != nil {
		return err
	}
	return nil
}

func validColdFactor(f float64) error {
	if f == 0 {
		return nil
	}
	if math.IsNaN(f) || math.IsInf(f, 0) || f < 1 {
		return fmt.Errorf("ratelimit: ColdFactor %v must be a finite number >= 1", f)
	}
	return nil
}

// interval returns the emission interval Per/Rate in nanoseconds, rounded
// to the nearest nanosecond, or an error naming Rate or Per.
func interval(rate float64, per time.Duration) (int64, error) {
	if per < 0 {
		return 0, fmt.Errorf("ratelimit: Per %v must be >= 0", per)
	}
	if per == 0 {
		per = time.Second
	}
	if math.IsNaN(rate) || math.IsInf(rate, 0) || rate <= 0 {
		return 0, fmt.Errorf("ratelimit: Rate %v must be a finite number > 0", rate)
	}
	iv := float64(per) / rate
	if iv < 0.5 {
		return 0, fmt.Errorf("ratelimit: Rate %v per %v exceeds one event per nanosecond; use Unlimited", rate, per)
	}
	if iv >= math.MaxInt64 {
		return 0, fmt.Errorf("ratelimit: Rate %v per %v is below one event per %v", rate, per, time.Duration(math.MaxInt64))
	}
	return gcra.FromFloat(iv), nil
}

// burstOr returns burst, or the default for rate when burst is zero.
func burstOr(burst int, rate float64) int64 {
	if burst > 0 {
		return int64(burst)
	}
	return max(gcra.FromFloat(math.Ceil(rate)), 1)
}

// slackFor returns the tolerance a clock's resolution calls for: the real
// clock's Nanotime advances in steps of clock.CoarseResolution, so without
// this slack a burst smaller than Rate×1ms would cap throughput at
// Burst per millisecond. Other clocks are taken as exact.
func slackFor(c clock.Clock) int64 {
	if c == nil || c == clock.Real() {
		return int64(clock.CoarseResolution)
	}
	return 0
}

// params is one immutable configuration of a Limiter, swapped atomically
// by SetLimit.
type params struct {
	g         gcra.Params
	rate      float64
	per       time.Duration
	unlimited bool
}

func newParams(rate float64, per time.Duration, burst int, unlimited bool, slack int64) (*params, error) {
	if per == 0 {
		per = time.Second
	}
	p := &params{rate: rate, per: per, unlimited: unlimited}
	if unlimited {
		p.g = gcra.NewParams(1, math.MaxInt64, 0)
		return p, nil
	}
	iv, err := interval(rate, per)
	if err != nil {
		return nil, err
	}
	if burst < 0 {
		return nil, fmt.Errorf("ratelimit: Burst %d must be >= 0", burst)
	}
	p.g = gcra.NewParams(iv, burstOr(burst, rate), slack)
	return p, nil
}
