package adaptive

import (
	"fmt"
	"math"
	"time"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/clock"
)

// MaxLimit is the largest limit a Limiter or Shedder accepts.
const MaxLimit = 1 << 30

// Config configures a Limiter. The zero Config is valid: every field's zero
// value is a documented default. DefaultConfig spells the defaults out.
type Config struct {
	// Name identifies the limiter in events and metrics. Empty is allowed.
	Name string `yaml:"name" json:"name"`
	// Algorithm finds the limit: "gradient", "vegas" or "aimd". Empty
	// means gradient.
	Algorithm Algorithm `yaml:"algorithm" json:"algorithm"`
	// InitialLimit is the limit before any measurement. Zero means 20, or
	// MinLimit when that is larger. It must lie in [MinLimit, MaxLimit].
	InitialLimit int `yaml:"initial_limit" json:"initial_limit"`
	// MinLimit is the smallest the limit may become. Zero means 1.
	MinLimit int `yaml:"min_limit" json:"min_limit"`
	// MaxLimit is the largest the limit may become. Zero means 1000.
	MaxLimit int `yaml:"max_limit" json:"max_limit"`
	// Window is how long calls are sampled before the limit is updated
	// from their mean round-trip time; it should span several round trips.
	// Zero means 100ms.
	Window time.Duration `yaml:"window" json:"window"`
	// MinSamples is how many round-trip samples (successes and drops) a
	// window needs before it closes; a quieter window is extended. Zero
	// means 10.
	MinSamples int `yaml:"min_samples" json:"min_samples"`
	// ProbeInterval is how often the gradient and vegas algorithms
	// re-measure the no-load round-trip time: for two windows the limit is
	// halved so that queues drain, and the second window's mean becomes
	// the baseline. Zero means 10s. AIMD does not probe.
	ProbeInterval time.Duration `yaml:"probe_interval" json:"probe_interval"`
	// Gradient tunes AlgorithmGradient.
	Gradient GradientConfig `yaml:"gradient" json:"gradient"`
	// Vegas tunes AlgorithmVegas.
	Vegas VegasConfig `yaml:"vegas" json:"vegas"`
	// AIMD tunes AlgorithmAIMD.
	AIMD AIMDConfig `yaml:"aimd" json:"aimd"`
	// Priorities is the share of the limit each priority may use. The zero
	// value means DefaultPriorityShares.
	Priorities PriorityShares `yaml:"priorities" json:"priorities"`
	// Shadow, when true, makes the limiter measure and decide but never
	// refuse: calls over the limit are reported as EventShadowRejected and
	// run. False means enforce.
	Shadow bool `yaml:"shadow" json:"shadow"`
	// Classifier decides how a call's error counts. Nil means
	// resilience.Classify. Successes give round-trip samples; failures
	// that match context.DeadlineExceeded or resilience.ErrRejected are
	// drops (overload signals); other failures and ignored outcomes give
	// no sample.
	Classifier resilience.Classifier `yaml:"-" json:"-"`
	// Listener receives EventRejected and EventShadowRejected (Detail is
	// the priority), EventStateChange when the limit changes (From and To
	// are the limits), and EventSuccess or EventFailure with the latency
	// of each call. Nil means no events, at no cost.
	Listener resilience.Listener `yaml:"-" json:"-"`
	// Clock times calls and windows. Nil means the real clock.
	Clock clock.Clock `yaml:"-" json:"-"`
}

// GradientConfig tunes AlgorithmGradient. Each window, with rtt the
// window's mean round-trip time and baseline the no-load one:
//
//	gradient = clamp(Tolerance × baseline / rtt, 0.5, 1)
//	limit    = (1−Smoothing) × limit + Smoothing × (gradient × limit + QueueSize)
//
// On a server whose latency grows in proportion to concurrency past its
// capacity C, the limit settles near Tolerance × C + QueueSize.
type GradientConfig struct {
	// Tolerance is how much the round-trip time may exceed the baseline
	// before the limit shrinks: 1.5 accepts 50% more latency. Zero means
	// 1.5; it must be at least 1.
	Tolerance float64 `yaml:"tolerance" json:"tolerance"`
	// QueueSize is the growth allowance added each window, so the limit
	// probes upward while latency stays within Tolerance. Zero means 4.
	QueueSize float64 `yaml:"queue_size" json:"queue_size"`
	// Smoothing is the weight of each window's new estimate, in (0, 1].
	// Zero means 0.2.
	Smoothing float64 `yaml:"smoothing" json:"smoothing"`
}

// VegasConfig tunes AlgorithmVegas. Each window estimates the calls queued
// by the limit as queue = limit × (1 − baseline/rtt); with L = log10(limit)
// (at least 1) the limit grows by Beta×L when queue ≤ L, by L when
// queue < Alpha×L, holds up to Beta×L, and above that shrinks by the excess
// queue, at least L. It settles near capacity + Alpha..Beta × L.
type VegasConfig struct {
	// Alpha is the queue below which the limit grows, in units of
	// log10(limit). Zero means 3.
	Alpha float64 `yaml:"alpha" json:"alpha"`
	// Beta is the queue above which the limit shrinks, in units of
	// log10(limit); it must exceed Alpha. Zero means 6.
	Beta float64 `yaml:"beta" json:"beta"`
	// Smoothing is the weight of each window's new estimate, in (0, 1].
	// Zero means 1 (no smoothing).
	Smoothing float64 `yaml:"smoothing" json:"smoothing"`
}

// AIMDConfig tunes AlgorithmAIMD: each window without drops in which the
// limit held calls back (some were refused, or half the limit was in use)
// adds Increase; a window with a drop multiplies the limit by Backoff.
type AIMDConfig struct {
	// Increase is added to the limit per window. Zero means 1.
	Increase float64 `yaml:"increase" json:"increase"`
	// Backoff multiplies the limit after a drop, in (0, 1). Zero means 0.9.
	Backoff float64 `yaml:"backoff" json:"backoff"`
	// Timeout makes a call slower than it count as a drop even when it
	// succeeded. Zero means only errors are drops.
	Timeout time.Duration `yaml:"timeout" json:"timeout"`
}

// DefaultConfig returns the Config with every default spelled out.
func DefaultConfig() Config {
	return Config{}.withDefaults()
}

func (c Config) withDefaults() Config {
	c.Algorithm = c.Algorithm.orDefault()
	c.MinLimit = orInt(c.MinLimit, 1)
	c.MaxLimit = orInt(c.MaxLimit, 1000)
	c.InitialLimit = orInt(c.InitialLimit, max(20, c.MinLimit))
	c.Window = orDuration(c.Window, 100*time.Millisecond)
	c.MinSamples = orInt(c.MinSamples, 10)
	c.ProbeInterval = orDuration(c.ProbeInterval, 10*time.Second)
	c.Gradient.Tolerance = orFloat(c.Gradient.Tolerance, 1.5)
	c.Gradient.QueueSize = orFloat(c.Gradient.QueueSize, 4)
	c.Gradient.Smoothing = orFloat(c.Gradient.Smoothing, 0.2)
	c.Vegas.Alpha = orFloat(c.Vegas.Alpha, 3)
	c.Vegas.Beta = orFloat(c.Vegas.Beta, 6)
	c.Vegas.Smoothing = orFloat(c.Vegas.Smoothing, 1)
	c.AIMD.Increase = orFloat(c.AIMD.Increase, 1)
	c.AIMD.Backoff = orFloat(c.AIMD.Backoff, 0.9)
	c.Priorities = c.Priorities.withDefaults()
	return c
}

func (s PriorityShares) withDefaults() PriorityShares {
	a := s.array()
	return PriorityShares{Sheddable: a[0], Low: a[1], Normal: a[2], High: a[3], Critical: a[4]}
}

// Validate reports the first invalid field, e.g.
// "adaptive: MinLimit -1 must be >= 0". Zero values mean their defaults,
// so relations such as InitialLimit within [MinLimit, MaxLimit] are checked
// after the defaults are filled in.
func (c Config) Validate() error {
	if err := c.Algorithm.validate(); err != nil {
		return err
	}
	if err := validateLimits(c.InitialLimit, c.MinLimit, c.MaxLimit, c.withDefaults().InitialLimit, c.withDefaults().MinLimit, c.withDefaults().MaxLimit); err != nil {
		return err
	}
	checks := []error{
		nonNegativeDuration("Window", c.Window),
		nonNegativeInt("MinSamples", c.MinSamples),
		nonNegativeDuration("ProbeInterval", c.ProbeInterval),
		floatIn("Gradient.Tolerance", c.Gradient.Tolerance, 1, 100, true),
		floatIn("Gradient.QueueSize", c.Gradient.QueueSize, 0, MaxLimit, true),
		floatIn("Gradient.Smoothing", c.Gradient.Smoothing, 0, 1, false),
		floatIn("Vegas.Alpha", c.Vegas.Alpha, 0, 1000, false),
		floatIn("Vegas.Beta", c.Vegas.Beta, 0, 1000, false),
		floatIn("Vegas.Smoothing", c.Vegas.Smoothing, 0, 1, false),
		floatIn("AIMD.Increase", c.AIMD.Increase, 0, MaxLimit, false),
		floatIn("AIMD.Backoff", c.AIMD.Backoff, 0, 1, false),
		nonNegativeDuration("AIMD.Timeout", c.AIMD.Timeout),
		c.Priorities.validate(),
	}
	for _, err := range checks {
		if err != nil {
			return err
		}
	}
	if c.AIMD.Backoff == 1 {
		return fmt.Errorf("adaptive: AIMD.Backoff 1 must be < 1")
	}
	d := c.withDefaults()
	if d.Vegas.Beta <= d.Vegas.Alpha {
		return fmt.Errorf("adaptive: Vegas.Beta %v must be > Vegas.Alpha %v", d.Vegas.Beta, d.Vegas.Alpha)
	}
	return nil
}

// validateLimits checks raw values for sign and range, then the filled-in
// values for order.
func validateLimits(initial, minimum, maximum, dInitial, dMin, dMax int) error {
	for _, f := range []struct {
		name string
		v    int
	}{{"InitialLimit", initial}, {"MinLimit", minimum}, {"MaxLimit", maximum}} {
		if f.v < 0 {
			return fmt.Errorf("adaptive: %s %d must be >= 0", f.name, f.v)
		}
		if f.v > MaxLimit {
			return fmt.Errorf("adaptive: %s %d must be <= %d", f.name, f.v, MaxLimit)
		}
	}
	if dMin > dMax {
		return fmt.Errorf("adaptive: MinLimit %d must be <= MaxLimit %d", dMin, dMax)
	}
	if dInitial < dMin || dInitial > dMax {
		return fmt.Errorf("adaptive: InitialLimit %d must be within [MinLimit %d, MaxLimit %d]", dInitial, dMin, dMax)
	}
	return nil
}

func nonNegativeInt(name string, v int) error {
	if v < 0 {
		return fmt.Errorf("adaptive: %s %d must be >= 0", name, v)
	}
	return nil
}

func nonNegativeDuration(name string, v time.Duration) error {
	if v < 0 {
		return fmt.Errorf("adaptive: %s %v must be >= 0", name, v)
	}
	return nil
}

// floatIn checks that v is zero (the default) or a finite number in
// [lo, hi] (loInclusive) or (lo, hi].
func floatIn(name string, v, lo, hi float64, loInclusive bool) error {
	if v == 0 {
		return nil
	}
	ok := !math.IsNaN(v) && v <= hi && (v > lo || (loInclusive && v == lo))
	if ok {
		return nil
	}
	open := "("
	if loInclusive {
		open = "["
	}
	return fmt.Errorf("adaptive: %s %v must be in %s%v, %v]", name, v, open, lo, hi)
}

func orInt(v, d int) int {
	if v == 0 {
		return d
	}
	return v
}

func orFloat(v, d float64) float64 {
	if v == 0 {
		return d
	}
	return v
}

func orDuration(v, d time.Duration) time.Duration {
	if v == 0 {
		return d
	}
	return v
}
