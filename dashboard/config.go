package dashboard

import (
	"fmt"
	"time"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/clock"
	"github.com/resilience-go/resilience/stats"
)

// Defaults of the zero Config.
const (
	// DefaultInterval is the period of the snapshots pushed to each page.
	DefaultInterval = time.Second
	// DefaultHeartbeat is the period of the keep-alive comments on each
	// event stream.
	DefaultHeartbeat = 15 * time.Second
	// DefaultMaxClients bounds the event streams served at once.
	DefaultMaxClients = 32
	// DefaultMaxEvents is how many recent events the page lists.
	DefaultMaxEvents = 100
	// DefaultTitle is the page's title.
	DefaultTitle = "resilience dashboard"
	// MinInterval is the shortest Interval allowed: each push snapshots
	// every instance.
	MinInterval = 10 * time.Millisecond
)

// Config configures a Dashboard. The zero Config is valid: it shows
// stats.Default(), pushes a snapshot every second, and offers no controls.
type Config struct {
	// Registry holds the instances the page shows. Nil means
	// stats.Default().
	Registry *stats.Registry `yaml:"-" json:"-"`
	// Controls carries out the page's buttons (force open, force close,
	// reset, chaos on/off). Nil means the page has no controls and the
	// control endpoints answer 404.
	Controls Controls `yaml:"-" json:"-"`
	// Interval is how often each open page gets a fresh snapshot, at
	// least MinInterval. Zero means DefaultInterval (1s).
	Interval time.Duration `yaml:"interval" json:"interval"`
	// Heartbeat is how often an idle event stream gets a comment line, so
	// that proxies and browsers keep it open. Zero means DefaultHeartbeat
	// (15s).
	Heartbeat time.Duration `yaml:"heartbeat" json:"heartbeat"`
	// MaxClients bounds the event streams served at once; beyond it a new
	// stream is refused with 503. Zero means DefaultMaxClients (32).
	MaxClients int `yaml:"max_clients" json:"max_clients"`
	// MaxEvents is how many recent events (state changes, manual
	// controls) the dashboard keeps and the page lists. Zero means
	// DefaultMaxEvents (100).
	MaxEvents int `yaml:"max_events" json:"max_events"`
	// Title is the page's title and heading. Empty means DefaultTitle.
	Title string `yaml:"title" json:"title"`
	// Clock times the pushes and stamps the events. Nil means the real
	// clock; tests pass clock.NewManual(t0).
	Clock clock.Clock `yaml:"-" json:"-"`
	// Listener receives an event for every manual control carried out
	// from the page (EventStateChange for breakers, EventFault for chaos,
	// with a Detail such as "manual: force-open by dashboard"), e.g. to log
	// it. Nil means none. The dashboard records those events itself
	// whatever this is.
	Listener resilience.Listener `yaml:"-" json:"-"`
}

// DefaultConfig returns the defaults spelled out.
func DefaultConfig() Config {
	return Config{
		Interval:   DefaultInterval,
		Heartbeat:  DefaultHeartbeat,
		MaxClients: DefaultMaxClients,
		MaxEvents:  DefaultMaxEvents,
		Title:      DefaultTitle,
	}
}

// Validate reports the first invalid field.
func (c Config) Validate() error {
	switch {
	case c.Interval < 0:
		return fmt.Errorf("dashboard: Interval %v must be >= 0", c.Interval)
	case c.Interval > 0 && c.Interval < MinInterval:
		return fmt.Errorf("dashboard: Interval %v must be 0 or >= %v", c.Interval, MinInterval)
	case c.Heartbeat < 0:
		return fmt.Errorf("dashboard: Heartbeat %v must be >= 0", c.Heartbeat)
	case c.Heartbeat > 0 && c.Heartbeat < MinInterval:
		return fmt.Errorf("dashboard: Heartbeat %v must be 0 or >= %v", c.Heartbeat, MinInterval)
	case c.MaxClients < 0:
		return fmt.Errorf("dashboard: MaxClients %d must be >= 0", c.MaxClients)
	case c.MaxEvents < 0:
		return fmt.Errorf("dashboard: MaxEvents %d must be >= 0", c.MaxEvents)
	case len(c.Title) > maxTitle:
		return fmt.Errorf("dashboard: Title of %d bytes must be at most %d", len(c.Title), maxTitle)
	}
	return nil
}

// maxTitle bounds Title, which is echoed in every page.
const maxTitle = 200

func (c Config) withDefaults() Config {
	d := DefaultConfig()
	if c.Interval == 0 {
		c.Interval = d.Interval
	}
	if c.Heartbeat == 0 {
		c.Heartbeat = d.Heartbeat
	}
	if c.MaxClients == 0 {
		c.MaxClients = d.MaxClients
	}
	if c.MaxEvents == 0 {
		c.MaxEvents = d.MaxEvents
	}
	if c.Title == "" {
		c.Title = d.Title
	}
	if c.Registry == nil {
		c.Registry = stats.Default()
	}
	c.Clock = clock.Or(c.Clock)
	return c
}
