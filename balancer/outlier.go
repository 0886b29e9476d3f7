package balancer

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/resilience-go/resilience"
)

// OutlierConfig configures passive outlier detection, after Envoy's: an
// endpoint is ejected (left out of picks) when it fails too many calls in a
// row, or when its success rate falls far below its peers'. An ejection
// lasts BaseEjectionTime times the endpoint's ejection count, capped at
// MaxEjectionTime; the count grows with each ejection and shrinks by one
// for each Interval the endpoint stays in. The zero value detects nothing;
// DefaultOutlierConfig has Envoy's defaults.
type OutlierConfig struct {
	// ConsecutiveFailures ejects an endpoint after this many failures in a
	// row (as Config.Classifier counts them: transport errors, 5xx). Zero
	// turns this detection off; negative is an error.
	ConsecutiveFailures int `yaml:"consecutive_failures" json:"consecutive_failures"`
	// SuccessRateStdevFactor turns on success-rate detection: every
	// Interval, among endpoints with at least SuccessRateRequestVolume
	// calls, those whose success rate is below mean − factor × stdev are
	// ejected, provided at least SuccessRateMinimumHosts endpoints had that
	// many calls. Envoy uses 1.9. Zero turns it off; negative is an error.
	SuccessRateStdevFactor float64 `yaml:"success_rate_stdev_factor" json:"success_rate_stdev_factor"`
	// SuccessRateMinimumHosts is how many endpoints need enough calls for
	// success-rate detection to run. Zero means 5.
	SuccessRateMinimumHosts int `yaml:"success_rate_minimum_hosts" json:"success_rate_minimum_hosts"`
	// SuccessRateRequestVolume is how many calls an endpoint needs in an
	// interval to take part in success-rate detection. Zero means 100.
	SuccessRateRequestVolume int `yaml:"success_rate_request_volume" json:"success_rate_request_volume"`
	// Interval is how often success rates are computed and ejections
	// reviewed; ejections end on the first review after their time is up.
	// Zero means 10s; otherwise at least 1ms.
	Interval time.Duration `yaml:"interval" json:"interval"`
	// BaseEjectionTime is how long a first ejection lasts. Zero means 30s.
	BaseEjectionTime time.Duration `yaml:"base_ejection_time" json:"base_ejection_time"`
	// MaxEjectionTime caps an ejection's length. Zero means 300s, or
	// BaseEjectionTime if that is longer; otherwise it must be at least
	// BaseEjectionTime.
	MaxEjectionTime time.Duration `yaml:"max_ejection_time" json:"max_ejection_time"`
	// MaxEjectionPercent caps the share of endpoints ejected at once;
	// one endpoint may always be ejected. Zero means 10; otherwise in
	// (0, 100].
	MaxEjectionPercent float64 `yaml:"max_ejection_percent" json:"max_ejection_percent"`
}

// DefaultOutlierConfig returns Envoy's defaults: 5 consecutive failures,
// success-rate detection with factor 1.9 over at least 5 endpoints with
// 100 calls, reviewed every 10s; ejections of 30s × count, at most 300s, of
// at most 10% of the endpoints.
func DefaultOutlierConfig() OutlierConfig {
	return OutlierConfig{ConsecutiveFailures: 5, SuccessRateStdevFactor: 1.9}
}

func (c OutlierConfig) enabled() bool {
	return c.ConsecutiveFailures > 0 || c.SuccessRateStdevFactor > 0
}

func (c OutlierConfig) validate() error {
	switch {
	case c.ConsecutiveFailures < 0:
		return fmt.Errorf("balancer: Outlier.ConsecutiveFailures %d must be >= 0", c.ConsecutiveFailures)
	case !(c.SuccessRateStdevFactor >= 0 && finite(c.SuccessRateStdevFactor)):
		return fmt.Errorf("balancer: Outlier.SuccessRateStdevFactor %v must be >= 0 and finite", c.SuccessRateStdevFactor)
	case c.SuccessRateMinimumHosts < 0:
		return fmt.Errorf("balancer: Outlier.SuccessRateMinimumHosts %d must be >= 0", c.SuccessRateMinimumHosts)
	case c.SuccessRateRequestVolume < 0:
		return fmt.Errorf("balancer: Outlier.SuccessRateRequestVolume %d must be >= 0", c.SuccessRateRequestVolume)
	case c.Interval < 0 || (c.Interval > 0 && c.Interval < time.Millisecond):
		return fmt.Errorf("balancer: Outlier.Interval %v must be 0 or >= 1ms", c.Interval)
	case c.BaseEjectionTime < 0:
		return fmt.Errorf("balancer: Outlier.BaseEjectionTime %v must be >= 0", c.BaseEjectionTime)
	case c.MaxEjectionTime < 0:
		return fmt.Errorf("balancer: Outlier.MaxEjectionTime %v must be >= 0", c.MaxEjectionTime)
	case c.MaxEjectionTime != 0 && c.MaxEjectionTime < c.baseEjectionTime():
		return fmt.Errorf("balancer: Outlier.MaxEjectionTime %v must be >= BaseEjectionTime %v", c.MaxEjectionTime, c.baseEjectionTime())
	case c.MaxEjectionPercent != 0 && !(c.MaxEjectionPercent > 0 && c.MaxEjectionPercent <= 100):
		return fmt.Errorf("balancer: Outlier.MaxEjectionPercent %v must be in (0, 100]", c.MaxEjectionPercent)
	}
	return nil
}

func (c OutlierConfig) interval() time.Duration { return orDuration(c.Interval, 10*time.Second) }
func (c OutlierConfig) baseEjectionTime() time.Duration {
	return orDuration(c.BaseEjectionTime, 30*time.Second)
}
func (c OutlierConfig) maxEjectionTime() time.Duration {
	if c.MaxEjectionTime == 0 {
		return max(300*time.Second, c.baseEjectionTime())
	}
	return c.MaxEjectionTime
}
func (c OutlierConfig) minimumHosts() int {
	if c.SuccessRateMinimumHosts == 0 {
		return 5
	}
	return c.SuccessRateMinimumHosts
}
func (c OutlierConfig) requestVolume() uint64 {
	if c.SuccessRateRequestVolume == 0 {
		return 100
	}
	return uint64(c.SuccessRateRequestVolume)
}
func (c OutlierConfig) maxEjectionPercent() float64 {
	if c.MaxEjectionPercent == 0 {
		return 10
	}
	return c.MaxEjectionPercent
}

func orDuration(d, def time.Duration) time.Duration {
	if d == 0 {
		return def
	}
	return d
}

// consecutiveFailures is called by Done when c's failures in a row reach
// the threshold.
func (b *Balancer) consecutiveFailures(c *conn) {
	b.mu.Lock()
	c.consec.Store(0)
	var events []resilience.Event
	if b.ejectLocked(c, b.clk.Nanotime()) {
		b.rebuildLocked()
		if b.listener != nil {
			events = append(events, b.transition(c, "available", "consecutive failures"))
		}
	}
	b.mu.Unlock()
	b.emit(events)
}

// ejectLocked ejects c unless it is gone, already ejected, or the cap on
// ejected endpoints is reached. The caller rebuilds the snapshot.
func (b *Balancer) ejectLocked(c *conn, now int64) bool {
	if c.removed || c.ejected || b.ejectedLocked() >= b.maxEjectedLocked() {
		return false
	}
	c.ejected = true
	c.ejections++
	d := b.cfg.Outlier.baseEjectionTime() * time.Duration(c.ejections)
	if maxT := b.cfg.Outlier.maxEjectionTime(); d > maxT || d <= 0 {
		d = maxT
	}
	c.ejectedTill = now + int64(d)
	return true
}

func (b *Balancer) ejectedLocked() int {
	n := 0
	for _, c := range b.conns {
		if c.ejected {
			n++
		}
	}
	return n
}

// maxEjectedLocked is how many endpoints may be ejected at once: the
// MaxEjectionPercent share, rounded down, but at least one.
func (b *Balancer) maxEjectedLocked() int {
	return max(1, int(float64(len(b.conns))*b.cfg.Outlier.maxEjectionPercent()/100+1e-9))
}

// sweep runs every Interval: it ends the ejections whose time is up,
// decays the ejection count of endpoints that stayed in, and runs
// success-rate detection over the interval's counts.
func (b *Balancer) sweep() {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return
	}
	now := b.clk.Nanotime()
	var events []resilience.Event
	changed := false
	for _, c := range b.conns {
		switch {
		case c.ejected && now >= c.ejectedTill:
			c.ejected = false
			c.consec.Store(0)
			changed = true
			if b.listener != nil {
				events = append(events, b.transition(c, "ejected", "ejection time elapsed"))
			}
		case !c.ejected && c.ejections > 0:
			c.ejections--
		}
	}
	for _, c := range b.successRateOutliersLocked() {
		if b.ejectLocked(c, now) {
			changed = true
			if b.listener != nil {
				events = append(events, b.transition(c, "available", "success rate outlier"))
			}
		}
	}
	if changed {
		b.rebuildLocked()
	}
	b.sweepTimer.Reset(b.cfg.Outlier.interval())
	b.mu.Unlock()
	b.emit(events)
}

// successRateOutliersLocked resets every endpoint's interval counts and
// returns the endpoints whose success rate is below mean − factor × stdev
// of those with enough calls, lowest first.
func (b *Balancer) successRateOutliersLocked() []*conn {
	type sample struct {
		c    *conn
		rate float64
	}
	var samples []sample
	factor := b.cfg.Outlier.SuccessRateStdevFactor
	volume := b.cfg.Outlier.requestVolume()
	for _, c := range b.conns {
		n := c.counts.Swap(0)
		calls, failures := n&math.MaxUint32, n>>32
		if factor > 0 && !c.ejected && calls >= volume {
			samples = append(samples, sample{c, float64(calls-failures) / float64(calls)})
		}
	}
	if factor == 0 || len(samples) < b.cfg.Outlier.minimumHosts() {
		return nil
	}
	var mean, sq float64
	for _, s := range samples {
		mean += s.rate
	}
	mean /= float64(len(samples))
	for _, s := range samples {
		sq += (s.rate - mean) * (s.rate - mean)
	}
	threshold := mean - factor*math.Sqrt(sq/float64(len(samples)))
	slices.SortStableFunc(samples, func(a, b sample) int { return cmp.Compare(a.rate, b.rate) })
	var out []*conn
	for _, s := range samples {
		if s.rate < threshold {
			out = append(out, s.c)
		}
	}
	return out
}
