package balancer

import (
	"context"
	"fmt"
	"time"

	"github.com/resilience-go/resilience"
)

// HealthCheckConfig configures active health checking: every Interval,
// each endpoint is probed; HealthyThreshold successes in a row make an
// unhealthy endpoint healthy again, UnhealthyThreshold failures in a row
// make a healthy one unhealthy, and unhealthy endpoints are left out of
// picks. Endpoints start healthy and are first probed one Interval after
// they appear. The zero value probes nothing.
type HealthCheckConfig struct {
	// Protocol picks a built-in prober: "http" (GET Path, expecting 2xx;
	// see HTTPProber) or "tcp" (a connection is accepted; see TCPProber).
	// Empty means no active health checking unless Prober is set.
	Protocol string `yaml:"protocol" json:"protocol"`
	// Path is the HTTP path probed by "http". Empty means "/healthz".
	Path string `yaml:"path" json:"path"`
	// Interval is the time between the end of one probe of an endpoint and
	// the start of the next. Zero means 10s; otherwise at least 1ms.
	Interval time.Duration `yaml:"interval" json:"interval"`
	// Timeout bounds each probe. Probes are network I/O, so it is real
	// time, whatever the Clock. Zero means 1s.
	Timeout time.Duration `yaml:"timeout" json:"timeout"`
	// HealthyThreshold is how many successful probes in a row bring an
	// unhealthy endpoint back. Zero means 2.
	HealthyThreshold int `yaml:"healthy_threshold" json:"healthy_threshold"`
	// UnhealthyThreshold is how many failed probes in a row take a healthy
	// endpoint out. Zero means 3.
	UnhealthyThreshold int `yaml:"unhealthy_threshold" json:"unhealthy_threshold"`
	// Prober probes one endpoint; set it for protocols without a built-in
	// prober, such as gRPC's grpc.health.v1 (provided by grpcx). It
	// overrides Protocol. Nil means use Protocol.
	Prober Prober `yaml:"-" json:"-"`
}

// Prober checks one endpoint's health. Probe returns nil when the endpoint
// is healthy. It must return promptly once ctx is done. Implementations are
// safe for concurrent use.
type Prober interface {
	Probe(ctx context.Context, e Endpoint) error
}

// ProberFunc adapts a function to a Prober.
type ProberFunc func(ctx context.Context, e Endpoint) error

// Probe returns f(ctx, e).
func (f ProberFunc) Probe(ctx context.Context, e Endpoint) error { return f(ctx, e) }

func (c HealthCheckConfig) validate() error {
	switch {
	case c.Protocol != "" && c.Protocol != "http" && c.Protocol != "tcp":
		return fmt.Errorf("balancer: HealthCheck.Protocol %q must be \"http\", \"tcp\" or empty", c.Protocol)
	case c.Interval < 0 || (c.Interval > 0 && c.Interval < time.Millisecond):
		return fmt.Errorf("balancer: HealthCheck.Interval %v must be 0 or >= 1ms", c.Interval)
	case c.Timeout < 0:
		return fmt.Errorf("balancer: HealthCheck.Timeout %v must be >= 0", c.Timeout)
	case c.HealthyThreshold < 0:
		return fmt.Errorf("balancer: HealthCheck.HealthyThreshold %d must be >= 0", c.HealthyThreshold)
	case c.UnhealthyThreshold < 0:
		return fmt.Errorf("balancer: HealthCheck.UnhealthyThreshold %d must be >= 0", c.UnhealthyThreshold)
	}
	return nil
}

// prober returns the configured prober, or nil when health checking is off.
func (c HealthCheckConfig) prober() Prober {
	switch {
	case c.Prober != nil:
		return c.Prober
	case c.Protocol == "http":
		path := c.Path
		if path == "" {
			path = "/healthz"
		}
		return HTTPProber{Path: path}
	case c.Protocol == "tcp":
		return TCPProber{}
	}
	return nil
}

func (c HealthCheckConfig) interval() time.Duration { return orDuration(c.Interval, 10*time.Second) }
func (c HealthCheckConfig) timeout() time.Duration  { return orDuration(c.Timeout, time.Second) }
func (c HealthCheckConfig) healthyThreshold() int {
	if c.HealthyThreshold == 0 {
		return 2
	}
	return c.HealthyThreshold
}
func (c HealthCheckConfig) unhealthyThreshold() int {
	if c.UnhealthyThreshold == 0 {
		return 3
	}
	return c.UnhealthyThreshold
}

// startProbeLocked schedules c's first probe. Callers hold b.mu.
func (b *Balancer) startProbeLocked(c *conn) {
	if b.prober == nil {
		return
	}
	c.probeTimer = b.clk.AfterFunc(b.cfg.HealthCheck.interval(), func() { b.probe(c) })
}

// stopProbeLocked cancels c's next probe; one in progress finds c removed
// and discards its result. Callers hold b.mu.
func (b *Balancer) stopProbeLocked(c *conn) {
	if c.probeTimer != nil {
		c.probeTimer.Stop()
	}
}

// probe runs one probe of c, applies its result and schedules the next.
// With the manual clock it runs inside Advance, so tests see its effect
// as soon as Advance returns.
func (b *Balancer) probe(c *conn) {
	b.mu.Lock()
	if b.closed || c.removed {
		b.mu.Unlock()
		return
	}
	b.probes.Add(1)
	b.mu.Unlock()
	defer b.probes.Done()

	ctx, cancel := context.WithTimeout(b.closing, b.cfg.HealthCheck.timeout())
	err := safeProbe(ctx, b.prober, c.ep)
	cancel()

	b.mu.Lock()
	if b.closed || c.removed {
		b.mu.Unlock()
		return
	}
	from := c.state()
	changed := false
	if err == nil {
		c.probeOK, c.probeFail = c.probeOK+1, 0
		if c.unhealthy && c.probeOK >= b.cfg.HealthCheck.healthyThreshold() {
			c.unhealthy, changed = false, true
		}
	} else {
		c.probeOK, c.probeFail = 0, c.probeFail+1
		if !c.unhealthy && c.probeFail >= b.cfg.HealthCheck.unhealthyThreshold() {
			c.unhealthy, changed = true, true
		}
	}
	var events []resilience.Event
	if changed {
		b.rebuildLocked()
		if b.listener != nil {
			reason := "health check passed"
			if err != nil {
				reason = "health check failed: " + err.Error()
			}
			events = append(events, b.transition(c, from, reason))
		}
	}
	c.probeTimer.Reset(b.cfg.HealthCheck.interval())
	b.mu.Unlock()
	b.emit(events)
}

// safeProbe runs p, turning a panic into an error.
func safeProbe(ctx context.Context, p Prober, e Endpoint) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("balancer: prober panicked: %v", r)
		}
	}()
	return p.Probe(ctx, e)
}
