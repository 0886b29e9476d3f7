package stats

import (
	"fmt"

	"github.com/resilience-go/resilience/clock"
)

// Config configures a Registry. The zero Config is valid: the real clock
// and at most DefaultMaxInstances instances.
type Config struct {
	// MaxInstances bounds how many named instances the Registry keeps, so
	// that names made from request data (a keyed bulkhead's "name/key")
	// cannot exhaust memory or explode exporters' label sets. Instances
	// asked for beyond it share one per policy named OverflowName. Zero
	// means DefaultMaxInstances.
	MaxInstances int `yaml:"max_instances" json:"max_instances"`
	// Clock reads time for the rates. Nil means the real clock; tests pass
	// clock.NewManual(t0).
	Clock clock.Clock `yaml:"-" json:"-"`
}

// DefaultMaxInstances is the MaxInstances of the zero Config.
const DefaultMaxInstances = 1000

// OverflowName names the instance that collects the events of instances
// asked for beyond Config.MaxInstances.
const OverflowName = "_overflow"

// DefaultConfig returns the defaults spelled out.
func DefaultConfig() Config {
	return Config{MaxInstances: DefaultMaxInstances}
}

// Validate reports the first invalid field.
func (c Config) Validate() error {
	if c.MaxInstances < 0 {
		return fmt.Errorf("stats: MaxInstances %d must be >= 0", c.MaxInstances)
	}
	return nil
}
