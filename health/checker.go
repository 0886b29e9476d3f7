package health

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/resilience-go/resilience/clock"
)

// Checker aggregates named checks into the three Kubernetes probes and
// serves them over HTTP (Handler) and to the gRPC health service (Status).
//
// Checks run lazily, when a probe asks: concurrent requests share one run
// of each check, and a check with an Interval reuses its last result for
// that long, so a busy probe endpoint cannot overload a dependency and no
// background goroutine needs stopping. Each run is bounded by its Timeout.
//
// Besides the checks, readiness holds two built-in ones: "shutdown", which
// fails from Shutdown or SetReady(false) on, so a draining process leaves
// its load balancers at once while /livez stays 200; and "startup", which
// fails until MarkStarted when Config.StartupPending is set (it is also
// /startupz's).
//
// A Checker is safe for simultaneous use by multiple goroutines. The zero
// Checker is not usable; create one with New. Most callers want New,
// Register on their mux, and Shutdown when SIGTERM arrives.
type Checker struct {
	clk     clock.Clock
	timeout time.Duration // for checks without their own

	mu     sync.RWMutex
	checks []*checkState

	started      atomic.Bool
	notReady     atomic.Bool
	shuttingDown atomic.Bool
}

// New returns a Checker with cfg's checks. It returns the error of
// cfg.Validate.
func New(cfg Config) (*Checker, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	c := &Checker{clk: clock.Or(cfg.Clock), timeout: cfg.defaultTimeout()}
	c.started.Store(!cfg.StartupPending)
	for _, ch := range cfg.Checks {
		c.checks = append(c.checks, c.state(ch))
	}
	return c, nil
}

func (c *Checker) state(ch Check) *checkState {
	s := &checkState{Check: ch, clk: c.clk, timeout: ch.Timeout}
	if s.timeout == 0 {
		s.timeout = c.timeout
	}
	if s.Probes == 0 {
		s.Probes = ProbeReady
	}
	return s
}

// Add registers another check, for components that come up after the
// Checker. It fails when the check is invalid or its name is taken.
func (c *Checker) Add(ch Check) error {
	if err := ch.validate(); err != nil {
		return fmt.Errorf("health: check %q: %w", ch.Name, err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, s := range c.checks {
		if s.Name == ch.Name {
			return fmt.Errorf("health: check %q: Name repeats", ch.Name)
		}
	}
	c.checks = append(c.checks, c.state(ch))
	return nil
}

// MarkStarted ends the starting state: "startup" passes from now on.
func (c *Checker) MarkStarted() { c.started.Store(true) }

// Started reports whether the process has finished starting.
func (c *Checker) Started() bool { return c.started.Load() }

// SetReady turns readiness on or off by hand, for example while a cache
// warms up. It has no effect after Shutdown.
func (c *Checker) SetReady(ready bool) { c.notReady.Store(!ready) }

// Shutdown marks the process as draining: /readyz fails at once, and for
// good, while /livez keeps passing, so the orchestrator stops sending
// traffic without restarting the process. Call it when the termination
// signal arrives, then wait for the load balancers to notice before
// closing listeners.
func (c *Checker) Shutdown() { c.shuttingDown.Store(true) }

// ShuttingDown reports whether Shutdown was called.
func (c *Checker) ShuttingDown() bool { return c.shuttingDown.Load() }

// Report is the outcome of one probe.
type Report struct {
	// Probe is the probe that ran.
	Probe Probe
	// OK is true when no critical check failed.
	OK bool
	// Checks holds every check of the probe, built-in ones first, then in
	// registration order.
	Checks []Result
}

// Run runs probe's checks, but those named in exclude, and returns the
// report. Checks run concurrently; Run returns when all have finished or
// timed out, or when ctx ends.
func (c *Checker) Run(ctx context.Context, probe Probe, exclude ...string) Report {
	rep := Report{Probe: probe, OK: true}
	for _, p := range c.pseudo(probe) {
		if slices.Contains(exclude, p.Name) {
			p = Result{Name: p.Name, Status: "excluded", Critical: true}
		}
		rep.add(p)
	}
	c.mu.RLock()
	states := make([]*checkState, 0, len(c.checks))
	for _, s := range c.checks {
		if s.Probes&probe != 0 {
			states = append(states, s)
		}
	}
	c.mu.RUnlock()
	calls := make([]*call, len(states))
	for i, s := range states {
		if !slices.Contains(exclude, s.Name) {
			calls[i] = s.start(ctx)
		}
	}
	for i, s := range states {
		if calls[i] == nil {
			rep.add(Result{Name: s.Name, Status: "excluded", Critical: s.Critical})
			continue
		}
		rep.add(s.wait(ctx, calls[i]))
	}
	return rep
}

func (r *Report) add(res Result) {
	r.Checks = append(r.Checks, res)
	if !res.OK() && res.Critical {
		r.OK = false
	}
}

// Pseudo-check names.
const (
	shutdownCheck = "shutdown"
	startupCheck  = "startup"
)

func isPseudo(name string) bool { return name == shutdownCheck || name == startupCheck }

// pseudo returns the built-in checks of probe.
func (c *Checker) pseudo(probe Probe) []Result {
	var out []Result
	if probe&(ProbeReady|ProbeStartup) != 0 {
		r := Result{Name: startupCheck, Status: "ok", Critical: true}
		if !c.started.Load() {
			r.Status, r.Error, r.err = "fail", ErrStarting.Error(), ErrStarting
		}
		out = append(out, r)
	}
	if probe&ProbeReady != 0 {
		r := Result{Name: shutdownCheck, Status: "ok", Critical: true}
		switch {
		case c.shuttingDown.Load():
			r.Status, r.Error, r.err = "fail", ErrShuttingDown.Error(), ErrShuttingDown
		case c.notReady.Load():
			r.Status, r.Error, r.err = "fail", ErrNotReady.Error(), ErrNotReady
		}
		out = append(out, r)
	}
	return out
}

// lookup returns the check named name, or nil.
func (c *Checker) lookup(name string) *checkState {
	c.mu.RLock()
	defer c.mu.RUnlock()
	for _, s := range c.checks {
		if s.Name == name {
			return s
		}
	}
	return nil
}
