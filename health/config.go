package health

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/resilience-go/resilience/clock"
)

// Probe is a set of the Kubernetes probes a check belongs to.
type Probe uint8

// The probes, one per endpoint. Combine them with |.
const (
	// ProbeLive is /livez: is the process alive, or should it be
	// restarted? Keep its checks few and local (a deadlock detector), never
	// a dependency: a database outage must not restart every pod.
	ProbeLive Probe = 1 << iota
	// ProbeReady is /readyz: should the process receive traffic now?
	ProbeReady
	// ProbeStartup is /startupz: has the process finished starting?
	ProbeStartup
)

// String returns "livez", "readyz", "startupz", or a "|"-joined set.
func (p Probe) String() string {
	var names []string
	for _, x := range []struct {
		p    Probe
		name string
	}{{ProbeLive, "livez"}, {ProbeReady, "readyz"}, {ProbeStartup, "startupz"}} {
		if p&x.p != 0 {
			names = append(names, x.name)
		}
	}
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, "|")
}

// Check is one named health check.
type Check struct {
	// Name identifies the check in reports, ?exclude= and /readyz/<name>.
	// Required; letters, digits and "-_." only, unique in a Checker.
	Name string
	// Func performs the check: nil means healthy. It must honour ctx,
	// which is cancelled at Timeout. Required.
	Func func(ctx context.Context) error
	// Timeout bounds one run of Func; a run that takes longer fails with
	// ErrTimeout. Zero means Config.DefaultTimeout.
	Timeout time.Duration
	// Interval is how long a result is reused: requests within Interval
	// of the last run get its result without running Func. Zero means run
	// on every request. Either way, concurrent requests share one run.
	Interval time.Duration
	// Critical makes a failure of this check fail its probes (503). A
	// non-critical check is run and reported, but its failure leaves the
	// probe passing: use it for degraded dependencies. False means
	// non-critical.
	Critical bool
	// Probes lists the probes the check belongs to. Zero means ProbeReady.
	Probes Probe
}

// Config configures a Checker. The zero Config is valid: no checks, started,
// ready.
type Config struct {
	// Checks are the checks to run; more can be added with Checker.Add.
	Checks []Check `yaml:"-" json:"-"`
	// DefaultTimeout bounds checks whose Timeout is zero. Zero means 5s.
	DefaultTimeout time.Duration `yaml:"default_timeout" json:"default_timeout"`
	// StartupPending, when true, makes the Checker start in the starting
	// state: /startupz and /readyz fail until MarkStarted. False means
	// started from the beginning.
	StartupPending bool `yaml:"startup_pending" json:"startup_pending"`
	// Clock times checks, their timeouts and their cached results. Nil
	// means the real clock.
	Clock clock.Clock `yaml:"-" json:"-"`
}

// Validate reports the first invalid field, e.g.
// `health: Checks[1] "db": Timeout -1s must be >= 0`.
func (c Config) Validate() error {
	if c.DefaultTimeout < 0 {
		return fmt.Errorf("health: DefaultTimeout %v must be >= 0", c.DefaultTimeout)
	}
	seen := map[string]bool{}
	for i, ch := range c.Checks {
		if err := ch.validate(); err != nil {
			return fmt.Errorf("health: Checks[%d] %q: %w", i, ch.Name, err)
		}
		if seen[ch.Name] {
			return fmt.Errorf("health: Checks[%d] %q: Name repeats", i, ch.Name)
		}
		seen[ch.Name] = true
	}
	return nil
}

func (c Check) validate() error {
	if c.Name == "" {
		return fmt.Errorf("Name is empty")
	}
	for _, r := range c.Name {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.') {
			return fmt.Errorf("Name has %q; use letters, digits and -_.", r)
		}
	}
	if isPseudo(c.Name) {
		return fmt.Errorf("Name is reserved")
	}
	if c.Func == nil {
		return fmt.Errorf("Func is nil")
	}
	if c.Timeout < 0 {
		return fmt.Errorf("Timeout %v must be >= 0", c.Timeout)
	}
	if c.Interval < 0 {
		return fmt.Errorf("Interval %v must be >= 0", c.Interval)
	}
	if c.Probes&^(ProbeLive|ProbeReady|ProbeStartup) != 0 {
		return fmt.Errorf("Probes %d has unknown bits", c.Probes)
	}
	return nil
}

func (c Config) defaultTimeout() time.Duration {
	if c.DefaultTimeout == 0 {
		return 5 * time.Second
	}
	return c.DefaultTimeout
}
