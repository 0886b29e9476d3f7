package hedge

import (
	"fmt"
	"math"
	"time"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/clock"
)

// Budget limits extra attempts across calls; retry.Budget satisfies it. A
// Hedger calls Request once per call and TryRetry before each hedge, which
// starts only when TryRetry returns true. If one budget serves both a retry
// policy and a Hedger in the same pipeline, both count the request, which
// makes the budget more lenient: give the Hedger its own when that
// matters.
type Budget interface {
	// Request records one call.
	Request()
	// TryRetry spends budget for one extra attempt, reporting whether there
	// was any.
	TryRetry() bool
}

// Config configures a Hedger. Its zero value is valid: a delay learnt as
// the 95th percentile of recent latencies, one hedge per call, no budget.
type Config struct {
	// Name names the hedger in its events.
	Name string `yaml:"name" json:"name"`
	// Delay is a fixed wait before each hedge. Zero means the delay is
	// learnt from recent latencies (Percentile); it must not be negative.
	Delay time.Duration `yaml:"delay" json:"delay"`
	// Percentile is the percentile of recent successful call latencies
	// used as the delay when Delay is zero. Zero means 95; it must be in
	// (0, 100), and zero when Delay is set.
	Percentile float64 `yaml:"percentile" json:"percentile"`
	// MinDelay is the smallest learnt delay. Zero means 1ms; it must not be
	// negative.
	MinDelay time.Duration `yaml:"min_delay" json:"min_delay"`
	// InitialDelay is the delay used while fewer than MinSamples latencies
	// are known. Zero means no hedging until then; it must not be negative.
	InitialDelay time.Duration `yaml:"initial_delay" json:"initial_delay"`
	// MinSamples is how many latencies must be known before the learnt
	// delay, and the expected latency used to skip hedges near the
	// deadline, are trusted. Zero means 20, or Window if that is smaller;
	// it must be in [0, Window].
	MinSamples int `yaml:"min_samples" json:"min_samples"`
	// Window is how many recent latencies are kept. Zero means 128; it must
	// be in [1, 65536].
	Window int `yaml:"window" json:"window"`
	// MaxHedges is the number of extra attempts a call may start, one more
	// after each Delay. Zero means 1; it must be in [0, 16] (and a Hedger
	// that may not hedge is pointless, but valid).
	MaxHedges int `yaml:"max_hedges" json:"max_hedges"`
	// Budget, when set, must grant each hedge (see Budget). Nil means
	// hedges are limited only by MaxHedges.
	Budget Budget `yaml:"-" json:"-"`
	// Clock times the delays and measures latencies. Nil means the real
	// clock.
	Clock clock.Clock `yaml:"-" json:"-"`
	// Listener receives EventHedge when a hedge starts (Attempt, Delay),
	// EventRetrySkipped when one is not started (Detail "budget" or
	// "deadline"), and EventPanic when an attempt panics. Nil means no
	// events.
	Listener resilience.Listener `yaml:"-" json:"-"`
}

// The defaults Config's zero fields stand for.
const (
	DefaultPercentile = 95
	DefaultMinDelay   = time.Millisecond
	DefaultMinSamples = 20
	DefaultWindow     = 128
	DefaultMaxHedges  = 1
	maxWindow         = 1 << 16
	maxHedgesLimit    = 16
)

// DefaultConfig returns a Config with every default spelled out.
func DefaultConfig() Config {
	return Config{
		Percentile: DefaultPercentile,
		MinDelay:   DefaultMinDelay,
		MinSamples: DefaultMinSamples,
		Window:     DefaultWindow,
		MaxHedges:  DefaultMaxHedges,
	}
}

// Validate reports the first invalid field, naming it.
func (c Config) Validate() error {
	if c.Delay < 0 {
		return fmt.Errorf("hedge: Delay %v must be >= 0", c.Delay)
	}
	if math.IsNaN(c.Percentile) || c.Percentile < 0 || c.Percentile >= 100 {
		return fmt.Errorf("hedge: Percentile %v must be in (0, 100)", c.Percentile)
	}
	if c.Delay > 0 && c.Percentile != 0 {
		return fmt.Errorf("hedge: Percentile %v must be 0 when Delay is set", c.Percentile)
	}
	if c.MinDelay < 0 {
		return fmt.Errorf("hedge: MinDelay %v must be >= 0", c.MinDelay)
	}
	if c.InitialDelay < 0 {
		return fmt.Errorf("hedge: InitialDelay %v must be >= 0", c.InitialDelay)
	}
	if c.Window < 0 || c.Window > maxWindow {
		return fmt.Errorf("hedge: Window %d must be in [0, %d]", c.Window, maxWindow)
	}
	if c.MinSamples < 0 || c.MinSamples > c.window() {
		return fmt.Errorf("hedge: MinSamples %d must be in [0, Window %d]", c.MinSamples, c.window())
	}
	if c.MaxHedges < 0 || c.MaxHedges > maxHedgesLimit {
		return fmt.Errorf("hedge: MaxHedges %d must be in [0, %d]", c.MaxHedges, maxHedgesLimit)
	}
	return nil
}

func (c Config) window() int {
	if c.Window == 0 {
		return DefaultWindow
	}
	return c.Window
}
