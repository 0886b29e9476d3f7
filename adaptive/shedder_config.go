package adaptive

import (
	"fmt"
	"time"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/clock"
)

// ShedderConfig configures a Shedder. TargetLatency is required; every
// other field's zero value is a documented default.
type ShedderConfig struct {
	// Name identifies the shedder in events and metrics. Empty is allowed.
	Name string `yaml:"name" json:"name"`
	// TargetLatency is the longest a newly admitted call should take to
	// get through the work in flight: a call is admitted only while
	// InFlight < Throughput × TargetLatency (Little's law). It must exceed
	// the dependency's normal latency, or calls are shed at light load.
	// Required: zero or less is an error.
	TargetLatency time.Duration `yaml:"target_latency" json:"target_latency"`
	// Window is how long completions are counted before the throughput is
	// re-estimated. Zero means 100ms.
	Window time.Duration `yaml:"window" json:"window"`
	// MinSamples is how many completions a window needs before it closes.
	// Zero means 10.
	MinSamples int `yaml:"min_samples" json:"min_samples"`
	// Smoothing is the weight of each window's throughput in the estimate,
	// in (0, 1]. Zero means 0.5.
	Smoothing float64 `yaml:"smoothing" json:"smoothing"`
	// InitialLimit is the concurrency admitted before the first window
	// closes. Zero means 100, or MinLimit when that is larger.
	InitialLimit int `yaml:"initial_limit" json:"initial_limit"`
	// MinLimit is the least concurrency ever admitted, so a cold or quiet
	// service can take a burst. Zero means 10.
	MinLimit int `yaml:"min_limit" json:"min_limit"`
	// MaxLimit is the most concurrency ever admitted. Zero means 10000.
	MaxLimit int `yaml:"max_limit" json:"max_limit"`
	// Priorities is the share of the limit each priority may use. The zero
	// value means DefaultPriorityShares.
	Priorities PriorityShares `yaml:"priorities" json:"priorities"`
	// Shadow, when true, makes the shedder decide but never refuse: calls
	// it would shed are reported as EventShadowRejected and run.
	Shadow bool `yaml:"shadow" json:"shadow"`
	// Listener receives EventRejected and EventShadowRejected (Detail is
	// the priority), EventStateChange when the limit changes, and
	// EventSuccess or EventFailure with each call's latency. Nil means no
	// events, at no cost.
	Listener resilience.Listener `yaml:"-" json:"-"`
	// Clock times windows and calls. Nil means the real clock.
	Clock clock.Clock `yaml:"-" json:"-"`
}

// DefaultShedderConfig returns every default and a TargetLatency of 1s.
func DefaultShedderConfig() ShedderConfig {
	return ShedderConfig{TargetLatency: time.Second}.withDefaults()
}

func (c ShedderConfig) withDefaults() ShedderConfig {
	c.Window = orDuration(c.Window, 100*time.Millisecond)
	c.MinSamples = orInt(c.MinSamples, 10)
	c.Smoothing = orFloat(c.Smoothing, 0.5)
	c.MinLimit = orInt(c.MinLimit, 10)
	c.MaxLimit = orInt(c.MaxLimit, 10000)
	c.InitialLimit = orInt(c.InitialLimit, max(100, c.MinLimit))
	c.Priorities = c.Priorities.withDefaults()
	return c
}

// Validate reports the first invalid field, e.g.
// "adaptive: TargetLatency 0s must be > 0".
func (c ShedderConfig) Validate() error {
	if c.TargetLatency <= 0 {
		return fmt.Errorf("adaptive: TargetLatency %v must be > 0", c.TargetLatency)
	}
	d := c.withDefaults()
	if err := validateLimits(c.InitialLimit, c.MinLimit, c.MaxLimit, d.InitialLimit, d.MinLimit, d.MaxLimit); err != nil {
		return err
	}
	for _, err := range []error{
		nonNegativeDuration("Window", c.Window),
		nonNegativeInt("MinSamples", c.MinSamples),
		floatIn("Smoothing", c.Smoothing, 0, 1, false),
		c.Priorities.validate(),
	} {
		if err != nil {
			return err
		}
	}
	return nil
}
