package circuitbreaker

import (
	"testing"
	"time"

	"github.com/resilience-go/resilience/clock"
)

// FuzzConfigValidate: New either rejects a configuration or returns a
// breaker that survives calls, trips and recoveries without panicking.
func FuzzConfigValidate(f *testing.F) {
	f.Add(uint8(0), 5, 50.0, 0.0, int64(0), 10, uint8(0), 100, int64(0), 10, int64(5e9), int64(0), 2.0, 0.0, 1, int64(0), 2.0, int64(0), int64(0))
	f.Add(uint8(1), 0, 0.0, 0.0, int64(0), 0, uint8(1), 0, int64(1e9), 1000, int64(0), int64(0), 0.0, 0.0, 0, int64(0), 1.0, int64(1e6), int64(0))
	f.Add(uint8(0), 1, 100.0, 10.0, int64(1e6), 1, uint8(1), 1, int64(1e7), 10, int64(1), int64(1), 1.0, 1.0, 3, int64(1), 0.0, int64(0), int64(1e9))
	f.Add(uint8(0), -1, -1.0, 101.0, int64(-1), -1, uint8(9), -1, int64(-1), -1, int64(-1), int64(-1), 0.5, 2.0, -1, int64(-1), 0.5, int64(-1), int64(-1))
	f.Fuzz(func(t *testing.T, mode uint8, consec int, failRate, slowRate float64, slowDur int64, minCalls int,
		windowType uint8, windowSize int, windowDur int64, buckets int, open, maxOpen int64, mult, jitter float64,
		probes int, halfOpenWait int64, k float64, adaptiveWindow, resetInterval int64) {
		clk := clock.NewManual(t0)
		cfg := Config{
			Mode: Mode(mode), ConsecutiveFailures: consec, FailureRateThreshold: failRate,
			SlowCallRateThreshold: slowRate, SlowCallDuration: time.Duration(slowDur), MinimumCalls: minCalls,
			WindowType: WindowType(windowType), WindowSize: windowSize, WindowDuration: time.Duration(windowDur),
			WindowBuckets: buckets, OpenDuration: time.Duration(open), MaxOpenDuration: time.Duration(maxOpen),
			OpenBackoffMultiplier: mult, OpenJitter: jitter, HalfOpenProbes: probes,
			HalfOpenMaxWait: time.Duration(halfOpenWait), AdaptiveK: k, AdaptiveWindow: time.Duration(adaptiveWindow),
			ResetInterval: time.Duration(resetInterval), Clock: clk, Random: seq(0.3, 0.9, 0.1),
		}
		b, err := New(cfg)
		if err != nil {
			if b != nil {
				t.Fatalf("New() = %v, %v: a breaker with an error", b, err)
			}
			if verr := cfg.Validate(); verr == nil || verr.Error() != err.Error() {
				t.Fatalf("New() error %v differs from Validate() %v", err, verr)
			}
			return
		}
		for i := range 60 {
			var cerr error
			if i%3 != 0 {
				cerr = errBoom
			}
			slowCall(t, b, clk, time.Duration(i)*time.Millisecond, cerr)
			if i%7 == 0 {
				clk.Advance(time.Duration(i) * time.Second)
			}
			_ = b.State()
			_ = b.RemainingOpen()
		}
		clk.Advance(time.Hour)
		m := b.Metrics()
		if m.FailureRate < 0 || m.FailureRate > 100 || m.SlowCallRate < 0 || m.SlowCallRate > 100 {
			t.Fatalf("rates out of range: %+v", m)
		}
		if m.RemainingOpen < 0 {
			t.Fatalf("RemainingOpen = %v < 0", m.RemainingOpen)
		}
	})
}
