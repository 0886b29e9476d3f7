package deadline

import (
	"fmt"
	"time"

	"github.com/resilience-go/resilience/clock"
)

// ServerConfig configures a Server: what a request's handler may spend,
// whatever the client asked for. A client that sends 24h, a negative or
// garbled value, or an absurd hop count cannot make the server hold
// resources: budgets above Max are clamped to Max, malformed values are
// ignored (Default applies) and counted, and hop counts above MaxHops are
// refused.
type ServerConfig struct {
	// Default is the budget of a request that carries none, or a malformed
	// one. Zero means Max; a negative value means none: such a request keeps
	// the context it came with (and any deadline already on it).
	Default time.Duration `yaml:"default" json:"default"`
	// Max is the largest budget a request gets; larger ones are clamped to
	// it and counted. Zero means 30s; it must not be negative.
	Max time.Duration `yaml:"max" json:"max"`
	// Min is the smallest budget worth starting work for: a request that
	// arrives with less is refused with ErrBudgetExhausted, because its
	// caller will have given up before any answer arrives. Zero means any
	// positive budget is served (a zero budget is always refused). It must
	// not be negative or above Max.
	Min time.Duration `yaml:"min" json:"min"`
	// MaxHops is the largest hop count accepted; a request that has
	// travelled more hops (probably a routing loop) is refused with
	// ErrTooManyHops. Zero means 32; it must not be negative.
	MaxHops int `yaml:"max_hops" json:"max_hops"`
	// Clock reads the time request deadlines are computed from. Nil means
	// the real clock. Context deadlines are wall-clock times, so production
	// code must use the real clock.
	Clock clock.Clock `yaml:"-" json:"-"`
}

// DefaultServerMax is the Max a zero ServerConfig.Max stands for.
const DefaultServerMax = 30 * time.Second

// DefaultServerConfig returns a ServerConfig with every default spelled
// out.
func DefaultServerConfig() ServerConfig {
	return ServerConfig{Default: DefaultServerMax, Max: DefaultServerMax, MaxHops: DefaultMaxHops}
}

// Validate reports the first invalid field, naming it.
func (c ServerConfig) Validate() error {
	if c.Max < 0 {
		return fmt.Errorf("deadline: Max %v must be >= 0", c.Max)
	}
	if c.Min < 0 {
		return fmt.Errorf("deadline: Min %v must be >= 0", c.Min)
	}
	max := c.Max
	if max == 0 {
		max = DefaultServerMax
	}
	if c.Min > max {
		return fmt.Errorf("deadline: Min %v must be <= Max %v", c.Min, max)
	}
	if c.Default > max {
		return fmt.Errorf("deadline: Default %v must be <= Max %v", c.Default, max)
	}
	if c.Default > 0 && c.Default < c.Min {
		return fmt.Errorf("deadline: Default %v must be >= Min %v", c.Default, c.Min)
	}
	if c.MaxHops < 0 {
		return fmt.Errorf("deadline: MaxHops %d must be >= 0", c.MaxHops)
	}
	return nil
}
