package deadline

import (
	"fmt"
	"math"
	"time"

	"github.com/resilience-go/resilience/clock"
)

// Config configures a Propagator: how much of the remaining budget each
// hop keeps back for itself. The budget sent to the next hop is
//
//	next = remaining × (1 − α) − Reserve,   α = min(AlphaBase + AlphaPerHop × hops, AlphaMax)
//
// where hops is the caller's own hop count (HopsFromContext). A call whose
// next budget would be below Floor is not made (ErrBudgetExhausted).
//
// As with net.Dialer.KeepAlive, zero means the default and, where a field
// says so, a negative value turns the mechanism off.
type Config struct {
	// AlphaBase is the fraction of the remaining budget an edge caller (hop
	// count 0) keeps back, for its own work after the call returns. Zero
	// means 0.05; a negative value means 0. It must be below 1.
	AlphaBase float64 `yaml:"alpha_base" json:"alpha_base"`
	// AlphaPerHop is added to α for each hop the request has already
	// travelled: deep hops keep back more, because every hop above them must
	// also answer in time. Zero means 0.05; a negative value means 0. It
	// must be below 1.
	AlphaPerHop float64 `yaml:"alpha_per_hop" json:"alpha_per_hop"`
	// AlphaMax caps α. Zero means 0.5. It must be in [0, 1).
	AlphaMax float64 `yaml:"alpha_max" json:"alpha_max"`
	// Reserve is subtracted after scaling, for the network transit and the
	// response's way back. Zero means 5ms; a negative value means none.
	Reserve time.Duration `yaml:"reserve" json:"reserve"`
	// Floor is the smallest budget worth sending: below it the call is not
	// made and ErrBudgetExhausted is returned. Zero means 10ms; a negative
	// value means only an empty budget (zero or less) is refused.
	Floor time.Duration `yaml:"floor" json:"floor"`
	// MaxHops is the largest hop count a Propagator sends; a call that would
	// go further is refused with ErrTooManyHops. Zero means 32; it must not
	// be negative.
	MaxHops int `yaml:"max_hops" json:"max_hops"`
	// Clock reads the time the remaining budget is measured against. Nil
	// means the real clock. Context deadlines are wall-clock times, so
	// production code must use the real clock.
	Clock clock.Clock `yaml:"-" json:"-"`
}

// The defaults Config's zero fields stand for.
const (
	DefaultAlphaBase   = 0.05
	DefaultAlphaPerHop = 0.05
	DefaultAlphaMax    = 0.5
	DefaultReserve     = 5 * time.Millisecond
	DefaultFloor       = 10 * time.Millisecond
	DefaultMaxHops     = 32
)

// DefaultConfig returns a Config with every default spelled out.
func DefaultConfig() Config {
	return Config{
		AlphaBase:   DefaultAlphaBase,
		AlphaPerHop: DefaultAlphaPerHop,
		AlphaMax:    DefaultAlphaMax,
		Reserve:     DefaultReserve,
		Floor:       DefaultFloor,
		MaxHops:     DefaultMaxHops,
	}
}

// Validate reports the first invalid field, naming it.
func (c Config) Validate() error {
	if err := checkFraction("AlphaBase", c.AlphaBase, true); err != nil {
		return err
	}
	if err := checkFraction("AlphaPerHop", c.AlphaPerHop, true); err != nil {
		return err
	}
	if err := checkFraction("AlphaMax", c.AlphaMax, false); err != nil {
		return err
	}
	if c.MaxHops < 0 {
		return fmt.Errorf("deadline: MaxHops %d must be >= 0", c.MaxHops)
	}
	return nil
}

func checkFraction(name string, v float64, negativeOK bool) error {
	switch {
	case math.IsNaN(v) || math.IsInf(v, 0):
		return fmt.Errorf("deadline: %s %v must be a finite number", name, v)
	case v < 0 && !negativeOK:
		return fmt.Errorf("deadline: %s %v must be >= 0", name, v)
	case v >= 1:
		return fmt.Errorf("deadline: %s %v must be < 1", name, v)
	}
	return nil
}

// resolved is a Config with its defaults applied.
type resolved struct {
	alphaBase, alphaPerHop, alphaMax float64
	reserve, floor                   time.Duration
	maxHops                          int
}

func (c Config) resolve() resolved {
	r := resolved{
		alphaBase:   orFraction(c.AlphaBase, DefaultAlphaBase),
		alphaPerHop: orFraction(c.AlphaPerHop, DefaultAlphaPerHop),
		alphaMax:    c.AlphaMax,
		reserve:     orDuration(c.Reserve, DefaultReserve),
		floor:       orDuration(c.Floor, DefaultFloor),
		maxHops:     c.MaxHops,
	}
	if r.alphaMax == 0 {
		r.alphaMax = DefaultAlphaMax
	}
	if r.maxHops == 0 {
		r.maxHops = DefaultMaxHops
	}
	return r
}

func orFraction(v, def float64) float64 {
	switch {
	case v == 0:
		return def
	case v < 0:
		return 0
	}
	return v
}

func orDuration(v, def time.Duration) time.Duration {
	switch {
	case v == 0:
		return def
	case v < 0:
		return 0
	}
	return v
}
