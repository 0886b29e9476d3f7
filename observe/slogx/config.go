package slogx

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/clock"
)

// Config configures a Listener. The zero Config is valid: slog.Default(),
// successes not logged, and per (policy, name, kind) the first 10 events of
// every 10 seconds logged, then 1 in 100.
type Config struct {
	// Logger receives the lines. Nil means slog.Default() at the time New
	// is called.
	Logger *slog.Logger `yaml:"-" json:"-"`
	// LogSuccess logs EventSuccess at Debug. False means successes are
	// never logged.
	LogSuccess bool `yaml:"log_success" json:"log_success"`
	// Burst is how many events of one (policy, name, kind) are logged in
	// each Interval before sampling starts. Zero means 10.
	Burst int `yaml:"burst" json:"burst"`
	// SampleEvery is, beyond Burst, how many events of the Interval make
	// one logged line: 1 in SampleEvery is logged and the rest counted, and
	// reported at the end of the Interval in one "suppressed" line. Zero
	// means 100; 1 logs everything.
	SampleEvery int `yaml:"sample_every" json:"sample_every"`
	// Interval is the sampling period. Zero means 10s.
	Interval time.Duration `yaml:"interval" json:"interval"`
	// MaxKeys bounds how many (policy, name, kind) keys are tracked, so
	// that names made from request data cannot exhaust memory; beyond it,
	// events share one key per kind. Zero means 1000.
	MaxKeys int `yaml:"max_keys" json:"max_keys"`
	// Level chooses each event's level. Nil means DefaultLevel.
	Level func(resilience.Event) slog.Level `yaml:"-" json:"-"`
	// Clock drives the sampling intervals. Nil means the real clock.
	Clock clock.Clock `yaml:"-" json:"-"`
}

// DefaultConfig returns the defaults spelled out.
func DefaultConfig() Config {
	return Config{Burst: 10, SampleEvery: 100, Interval: 10 * time.Second, MaxKeys: 1000}
}

// Validate reports the first invalid field.
func (c Config) Validate() error {
	switch {
	case c.Burst < 0:
		return fmt.Errorf("slogx: Burst %d must be >= 0", c.Burst)
	case c.SampleEvery < 0:
		return fmt.Errorf("slogx: SampleEvery %d must be >= 0", c.SampleEvery)
	case c.Interval < 0:
		return fmt.Errorf("slogx: Interval %v must be >= 0", c.Interval)
	case c.MaxKeys < 0:
		return fmt.Errorf("slogx: MaxKeys %d must be >= 0", c.MaxKeys)
	}
	return nil
}

func (c Config) withDefaults() Config {
	d := DefaultConfig()
	if c.Burst == 0 {
		c.Burst = d.Burst
	}
	if c.SampleEvery == 0 {
		c.SampleEvery = d.SampleEvery
	}
	if c.Interval == 0 {
		c.Interval = d.Interval
	}
	if c.MaxKeys == 0 {
		c.MaxKeys = d.MaxKeys
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.Level == nil {
		c.Level = DefaultLevel
	}
	c.Clock = clock.Or(c.Clock)
	return c
}
