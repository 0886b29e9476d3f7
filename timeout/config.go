package timeout

import (
	"fmt"
	"time"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/clock"
)

// Config configures a Timeout. Timeout is required; every other field has a
// usable zero value.
type Config struct {
	// Name identifies the timeout in events and metrics. Empty is allowed.
	Name string `yaml:"name" json:"name"`
	// Timeout is the time limit of one call. It must be positive; there is
	// no default.
	Timeout time.Duration `yaml:"timeout" json:"timeout"`
	// Abandon makes Execute and Do return at the time limit even when the
	// function ignores its context; the function then keeps running in its
	// own goroutine until it returns, and its result is dropped. False, the
	// default, is the cooperative mode: the function runs in the caller's
	// goroutine and Execute returns when it does. A Pipeline always runs
	// its function cooperatively.
	Abandon bool `yaml:"abandon" json:"abandon"`
	// Listener receives EventTimeout. Nil means no events, at no cost.
	Listener resilience.Listener `yaml:"-" json:"-"`
	// Precise gives each call on the real clock a runtime timer of its own,
	// from context.WithTimeoutCause: nanosecond precision, and a timer that
	// follows the fake clock of a testing/synctest bubble, at several times
	// the cost. False, the default, arms the call in a shared coarse timer
	// wheel of 1 ms resolution: the context never ends before the limit,
	// and usually within 2 ms after it (see the package documentation). It
	// has no effect with another Clock.
	Precise bool `yaml:"precise" json:"precise"`
	// Clock reads time and runs the timer. Nil means the real clock; with
	// another clock (clock.NewManual in tests) the context's deadline and
	// expiry follow that clock.
	Clock clock.Clock `yaml:"-" json:"-"`
}

// Validate reports the first invalid field, or nil.
func (c Config) Validate() error {
	if c.Timeout <= 0 {
		return fmt.Errorf("timeout: Timeout %v must be > 0", c.Timeout)
	}
	return nil
}
