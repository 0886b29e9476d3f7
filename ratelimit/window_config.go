package ratelimit

import (
	"fmt"
	"time"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/clock"
)

// WindowConfig configures a SlidingWindow. The zero WindowConfig is
// invalid: Limit is required.
type WindowConfig struct {
	// Name identifies the limiter in events. Empty is allowed.
	Name string `yaml:"name" json:"name"`
	// Limit is how many events the window admits. It must be > 0; zero is
	// an error.
	Limit int `yaml:"limit" json:"limit"`
	// Window is the length of the window. Zero means one second; negative
	// is an error.
	Window time.Duration `yaml:"window" json:"window"`
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

// Validate reports the first invalid field, naming it.
func (c WindowConfig) Validate() error {
	if c.Limit <= 0 {
		return fmt.Errorf("ratelimit: Limit %d must be > 0", c.Limit)
	}
	if c.Window < 0 {
		return fmt.Errorf("ratelimit: Window %v must be >= 0", c.Window)
	}
	return nil
}
