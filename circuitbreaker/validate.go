package circuitbreaker

import (
	"fmt"
	"math"
	"time"
)

// Validate reports the first invalid field of c, by name, e.g.
// "circuitbreaker: FailureRateThreshold 150 must be in (0, 100] or 0 (off)".
// Zero fields are valid: they take their documented defaults.
func (c Config) Validate() error {
	if c.Mode > ModeAdaptive {
		return fmt.Errorf("circuitbreaker: Mode %d must be standard or adaptive", uint8(c.Mode))
	}
	if c.ConsecutiveFailures < 0 {
		return fmt.Errorf("circuitbreaker: ConsecutiveFailures %d must be >= 0", c.ConsecutiveFailures)
	}
	if err := validPercent("FailureRateThreshold", c.FailureRateThreshold); err != nil {
		return err
	}
	if err := validPercent("SlowCallRateThreshold", c.SlowCallRateThreshold); err != nil {
		return err
	}
	if c.SlowCallDuration < 0 {
		return fmt.Errorf("circuitbreaker: SlowCallDuration %v must be >= 0", c.SlowCallDuration)
	}
	if c.SlowCallRateThreshold > 0 && c.SlowCallDuration == 0 {
		return fmt.Errorf("circuitbreaker: SlowCallDuration must be > 0 when SlowCallRateThreshold is set")
	}
	if c.MinimumCalls < 0 {
		return fmt.Errorf("circuitbreaker: MinimumCalls %d must be >= 0", c.MinimumCalls)
	}
	if c.WindowType > WindowTime {
		return fmt.Errorf("circuitbreaker: WindowType %d must be count or time", uint8(c.WindowType))
	}
	if c.WindowSize < 0 || c.WindowSize > maxWindowSize {
		return fmt.Errorf("circuitbreaker: WindowSize %d must be in [0, %d]", c.WindowSize, maxWindowSize)
	}
	if c.WindowBuckets < 0 || c.WindowBuckets > maxWindowBuckets {
		return fmt.Errorf("circuitbreaker: WindowBuckets %d must be in [0, %d]", c.WindowBuckets, maxWindowBuckets)
	}
	for _, d := range []struct {
		name string
		v    time.Duration
	}{
		{"WindowDuration", c.WindowDuration},
		{"ResetInterval", c.ResetInterval},
		{"OpenDuration", c.OpenDuration},
		{"MaxOpenDuration", c.MaxOpenDuration},
		{"HalfOpenMaxWait", c.HalfOpenMaxWait},
		{"AdaptiveWindow", c.AdaptiveWindow},
	} {
		if d.v < 0 {
			return fmt.Errorf("circuitbreaker: %s %v must be >= 0", d.name, d.v)
		}
	}
	r := c.withDefaults()
	if c.WindowType == WindowTime {
		if err := validSpan("WindowDuration", r.WindowDuration, r.WindowBuckets); err != nil {
			return err
		}
	}
	if c.Mode == ModeAdaptive {
		if err := validSpan("AdaptiveWindow", r.AdaptiveWindow, r.WindowBuckets); err != nil {
			return err
		}
	}
	if r.MaxOpenDuration < r.OpenDuration {
		return fmt.Errorf("circuitbreaker: MaxOpenDuration %v must be >= OpenDuration %v", c.MaxOpenDuration, r.OpenDuration)
	}
	if m := c.OpenBackoffMultiplier; m != 0 && !(m >= 1 && !math.IsInf(m, 1)) {
		return fmt.Errorf("circuitbreaker: OpenBackoffMultiplier %v must be a finite number >= 1, or 0 (2)", m)
	}
	if j := c.OpenJitter; !(j >= 0 && j <= 1) {
		return fmt.Errorf("circuitbreaker: OpenJitter %v must be in [0, 1]", j)
	}
	if c.HalfOpenProbes < 0 || c.HalfOpenProbes > maxHalfOpenProbes {
		return fmt.Errorf("circuitbreaker: HalfOpenProbes %d must be in [0, %d]", c.HalfOpenProbes, maxHalfOpenProbes)
	}
	if k := c.AdaptiveK; k != 0 && !(k >= 1 && !math.IsInf(k, 1)) {
		return fmt.Errorf("circuitbreaker: AdaptiveK %v must be a finite number >= 1, or 0 (2)", k)
	}
	return nil
}

// validPercent accepts 0 (off) and (0, 100].
func validPercent(name string, v float64) error {
	if v == 0 || (v > 0 && v <= 100) {
		return nil
	}
	return fmt.Errorf("circuitbreaker: %s %v must be in (0, 100] or 0 (off)", name, v)
}

// validSpan checks that a time window's buckets span at least a
// millisecond, the real clock's resolution.
func validSpan(name string, d time.Duration, buckets int) error {
	if d/time.Duration(buckets) < minBucketSpan {
		return fmt.Errorf("circuitbreaker: %s %v is too short for %d buckets of at least %v (WindowBuckets)", name, d, buckets, minBucketSpan)
	}
	return nil
}
